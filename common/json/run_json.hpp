// Wire forms of runs, run files, figures of merit and events
// (api-runs-events-files.md §2).
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <vector>

#include "domain/run.hpp"
#include "domain/time.hpp"
#include "json/fields.hpp"

namespace amarcord::json {

boost::json::object run_file_to_json(const domain::RunFile& f);
boost::json::array run_files_to_json(const std::vector<domain::RunFile>& files);
// JsonRun; `summary` is a JsonIndexingFom.
boost::json::object run_to_json(const domain::Run& r, const domain::TimeZone& tz,
                                boost::json::object summary);
// {"hit_rate":0.0,"indexing_rate":0.0,"indexed_frames":0,"align_detector_groups":[]}
boost::json::object empty_fom();
boost::json::object event_to_json(const domain::Event& e, const domain::TimeZone& tz);
// run_to_json with the empty figure of merit, written straight into `w`.
void write_run(class Writer& w, const domain::Run& r, const domain::TimeZone& tz);
// event_to_json written straight into `w` (a beamtime has thousands of events).
void write_event(class Writer& w, const domain::Event& e, const domain::TimeZone& tz);

// A list of JsonRunFile under `key`; absent or null gives nullopt with
// `valid` set. The `id` of each entry is read and ignored, as in the original.
Optional<std::vector<domain::RunFile>> read_run_files(ObjectReader& r, std::string_view key);

}  // namespace amarcord::json
