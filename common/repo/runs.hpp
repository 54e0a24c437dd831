// Run rows with their attributo values and file globs, and event-log rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/database.hpp"
#include "domain/run.hpp"

namespace amarcord::repo {

// Inclusive ranges of external run ids.
using RunRanges = std::vector<std::pair<std::int64_t, std::int64_t>>;

// Runs of a beamtime with values and files, external id descending;
// restricted to `ranges` when given.
std::vector<domain::Run> list_runs(db::Conn& c, std::int64_t beamtime_id,
                                   const RunRanges* ranges = nullptr);
std::optional<domain::Run> find_run_by_external_id(db::Conn& c, std::int64_t beamtime_id,
                                                   std::int64_t external_id);
std::optional<domain::Run> find_run_by_id(db::Conn& c, std::int64_t id);
// The run with the greatest start time (ties: the newest row).
std::optional<domain::Run> latest_run(db::Conn& c, std::int64_t beamtime_id);
// Runs with the given external ids (unknown ids are skipped).
std::vector<domain::Run> runs_by_external_ids(db::Conn& c, std::int64_t beamtime_id,
                                              const std::vector<std::int64_t>& external_ids);

// Inserts the row only; values and files are written separately.
std::int64_t insert_run(db::Conn& c, const domain::Run& run);
// Writes started, stopped, modified and experiment_type_id.
void update_run_row(db::Conn& c, const domain::Run& run);
std::vector<domain::RunFile> run_files(db::Conn& c, std::int64_t run_id);
// Adds the file globs in order; returns them with the ids they got.
std::vector<domain::RunFile> append_run_files(db::Conn& c, std::int64_t run_id,
                                              const std::vector<domain::RunFile>& files);
void replace_run_files(db::Conn& c, std::int64_t run_id, const std::vector<domain::RunFile>& files);
void delete_runs_by_external_id(db::Conn& c, std::int64_t beamtime_id, std::int64_t external_id);

// Events
std::int64_t insert_event(db::Conn& c, const domain::Event& e,
                          const std::vector<std::int64_t>& file_ids);
void delete_event(db::Conn& c, std::int64_t id);
// Newest first, with files; only USER level when `user_only`.
std::vector<domain::Event> list_events(db::Conn& c, std::int64_t beamtime_id, bool user_only);

}  // namespace amarcord::repo
