// Experiment types, data sets, user configuration, schedule, and the small
// parts of runs, geometries and indexing parameters the catalogue endpoints
// touch.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "domain/catalogue.hpp"

namespace amarcord::repo {

// Experiment types
std::vector<domain::ExperimentType> list_experiment_types(db::Conn& c, std::int64_t beamtime_id);
std::optional<domain::ExperimentType> find_experiment_type(db::Conn& c, std::int64_t id);
std::int64_t insert_experiment_type(db::Conn& c, const domain::ExperimentType& t);
void delete_experiment_type(db::Conn& c, std::int64_t id);
// External ids of the runs of each experiment type of a beamtime.
std::map<std::int64_t, std::vector<std::int64_t>> run_external_ids_by_type(
    db::Conn& c, std::int64_t beamtime_id);
std::int64_t count_runs_of_type(db::Conn& c, std::int64_t experiment_type_id);

// Runs
std::optional<domain::RunRef> find_run(db::Conn& c, std::int64_t id);
void set_run_experiment_type(db::Conn& c, std::int64_t run_id, std::int64_t experiment_type_id);

// Data sets
std::vector<domain::DataSet> list_data_sets(db::Conn& c, std::int64_t beamtime_id);
std::vector<domain::DataSet> data_sets_of_type(db::Conn& c, std::int64_t experiment_type_id);
std::int64_t insert_data_set(db::Conn& c, std::int64_t experiment_type_id);
void delete_data_set(db::Conn& c, std::int64_t id);

// User configuration: the latest row, or the defaults when there is none.
domain::UserConfig current_user_config(db::Conn& c, std::int64_t beamtime_id);
void append_user_config(db::Conn& c, std::int64_t beamtime_id, const domain::UserConfig& config);

// Schedule
std::vector<domain::ScheduleRow> list_schedule(db::Conn& c, std::int64_t beamtime_id);
void replace_schedule(db::Conn& c, std::int64_t beamtime_id,
                      const std::vector<domain::ScheduleRow>& rows);

// Indexing parameters and geometries
std::optional<domain::IndexingParameters> find_indexing_parameters(db::Conn& c, std::int64_t id);
std::int64_t insert_indexing_parameters(db::Conn& c, const domain::IndexingParameters& p);
std::vector<domain::GeometryMeta> list_geometries(db::Conn& c, std::int64_t beamtime_id);
bool geometry_exists(db::Conn& c, std::int64_t id);
struct GeometryContent {
  std::int64_t id = 0;
  std::string name;
  std::string content;
};
std::vector<GeometryContent> geometries_using_attributo(db::Conn& c, std::int64_t attributo_id);
void update_geometry_content(db::Conn& c, std::int64_t id, const std::string& content);

}  // namespace amarcord::repo
