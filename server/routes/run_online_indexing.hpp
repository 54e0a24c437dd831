// Online indexing jobs queued when a run is created while the beamtime's
// "online-crystfel" switch is on (spec api-runs-events-files.md R3 step 7,
// api-analysis.md §2.3): an analysis daemon picks queued results up.
#pragma once

#include <cstdint>

#include "db/database.hpp"
#include "domain/run.hpp"

namespace amarcord::server {

struct OnlineIndexingJob {
  std::int64_t indexing_result_id = 0;
  std::int64_t indexing_parameters_id = 0;
};

// Picks the run's crystal (the first chemical value with both a "point
// group" and a "cell description", else the first chemical of type
// crystal), copies the beamtime's online parameters (or the defaults) into a
// new parameters row with the crystal's normalised cell description, and
// queues a result with the geometry's template replacements from the run's
// values. No suitable chemical or an unparsable cell description is a 400
// "cannot start CrystFEL online: ...", and the caller's transaction (the
// run) is rolled back, as in the original.
OnlineIndexingJob queue_online_indexing(db::Conn& c, const domain::Run& run);

}  // namespace amarcord::server
