// Rules the run endpoints share: which values a run may carry, the guard
// that protects indexing results computed from a run's values, and the
// auto-pilot copy of manual values.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "db/database.hpp"
#include "domain/run.hpp"
#include "json/attributo_json.hpp"

namespace amarcord::server {

// Checks values against the run attributi of the beamtime (and referenced
// chemicals); returns them as they are stored. Throws BadRequest with the
// original's messages.
std::vector<json::WireValue> validated_run_values(db::Conn& c, std::int64_t beamtime_id,
                                                  std::vector<json::WireValue> values);

// The attributi among `values` whose value would change for `run`.
std::set<std::int64_t> changed_attributi(const domain::Run& run,
                                         const std::vector<json::WireValue>& values);

// Indexing results of `run` whose geometry template used one of
// `attributi`. Unless `delete_them`, a non-empty set is a 400 naming them;
// with it they are deleted (with their merge results and generated
// geometries, as the original's ORM cascade does). Returns how many were
// deleted.
std::int64_t guard_dependent_results(db::Conn& c, const domain::Run& run,
                                     const std::set<std::int64_t>& attributi, bool delete_them);

// Values of the latest run's "manual" attributi that `given` does not set.
domain::ValueMap auto_pilot_values(db::Conn& c, std::int64_t beamtime_id,
                                   const std::set<std::int64_t>& given);

// Writes each value (replacing the previous row; `fresh_run`: there is none).
void write_run_values(db::Conn& c, std::int64_t run_id, const std::vector<json::WireValue>& values,
                      bool fresh_run = false);

}  // namespace amarcord::server
