// Reading indexing results for the run overview (the analysis API that
// writes them is a later piece of work; until then rows come from elsewhere).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "domain/time.hpp"

namespace amarcord::repo {

struct IndexingSummary {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  std::optional<std::int64_t> frames;
  std::optional<std::int64_t> hits;
  std::int64_t indexed_frames = 0;
  std::string job_status;  // QUEUED, RUNNING, DONE
};

struct IndexingStatistic {
  domain::Instant time;
  std::int64_t frames = 0, hits = 0, indexed_frames = 0, indexed_crystals = 0;
};

struct AlignGroup {
  std::string group;
  double x_translation_mm = 0, y_translation_mm = 0;
  std::optional<double> z_translation_mm, x_rotation_deg, y_rotation_deg;
};

// Results of a run whose parameters are online, id order.
std::vector<IndexingSummary> online_results_of_run(db::Conn& c, std::int64_t run_id);
// For every run of the experiment type in the beamtime: its online result
// with the most indexed frames.
std::map<std::int64_t, IndexingSummary> best_online_results(db::Conn& c, std::int64_t beamtime_id,
                                                            std::int64_t experiment_type_id);
std::vector<IndexingStatistic> indexing_statistics(db::Conn& c, std::int64_t indexing_result_id);
std::vector<AlignGroup> align_groups(db::Conn& c, std::int64_t indexing_result_id);

// The attributi a geometry's template uses (GeometryReferencesAttributo),
// each once, in link order.
std::vector<std::int64_t> geometry_attributi(db::Conn& c, std::int64_t geometry_id);
// A new result in status QUEUED with no figures yet (frames, hits, indexed 0).
std::int64_t insert_queued_result(db::Conn& c, std::int64_t run_id,
                                  std::int64_t indexing_parameters_id, domain::Instant created);
void insert_template_replacement(db::Conn& c, std::int64_t indexing_result_id,
                                 std::int64_t attributo_id, const std::string& replacement);

}  // namespace amarcord::repo
