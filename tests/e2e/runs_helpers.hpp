// Helpers shared by the end-to-end tests of runs, events, the live stream
// and the overview (api-runs-events-files.md): the §11 fixture beamtime,
// run bodies, listings, a database snapshot for "nothing changed" checks,
// multipart bodies and live-image files written like the grabber daemon.
#pragma once

#include <boost/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "e2e/core_helpers.hpp"

namespace amarcord::test {

// ---- the §11 fixture -------------------------------------------------------------

// Beamtime B with run attributi run_string (string, manual), run_int
// (integer, manual), chan (chemical-id, manual), auto_int (integer,
// automatic); chemical lyso (crystal, with cell description, point group and
// space group); experiment types ETc = {chan: crystal} and ETs = {run_string}.
// No current experiment type is set.
struct RunsFixture {
  RunsFixture(Api& api, const std::string& name);
  long long bt = 0;
  long long run_string = 0, run_int = 0, chan = 0, auto_int = 0;
  long long cell = 0, point_group = 0, space_group = 0;
  long long lyso = 0;
  long long etc = 0, ets = 0;
};

// PATCH /api/user-config/{bt}/current-experiment-type-id/{et}; requires 200.
void set_experiment_type(Api& api, long long bt, long long et);
// PATCH /api/user-config/{bt}/auto-pilot/True|False; requires 200.
void set_auto_pilot(Api& api, long long bt, bool on);

// ---- runs -------------------------------------------------------------------------

// A JsonCreateOrUpdateRun body; unset optionals are omitted.
boost::json::object run_body(long long bt, const boost::json::array& values = {},
                             std::optional<boost::json::array> files = std::nullopt,
                             std::optional<long long> started = std::nullopt,
                             std::optional<long long> stopped = std::nullopt);
boost::json::object run_file(const std::string& glob, const std::string& source = "raw",
                             long long id = 0);
std::string run_url(long long external_id);
// POST /api/runs/{ext}; requires 200 and returns the answer.
boost::json::object post_run(Api& api, long long external_id, const boost::json::object& body);
// GET /api/runs/{bt}[?query] → the whole answer (requires 200).
boost::json::object read_runs(Api& api, long long bt, const std::string& query = "");
// Percent-encodes everything but unreserved characters (for query strings).
std::string url_encode(const std::string& s);
// The external ids of `runs` in order.
std::vector<long long> external_ids(const boost::json::object& answer);
// The run with this external id from GET /api/runs/{bt}; fails if absent.
boost::json::object find_run(Api& api, long long bt, long long external_id);
// The value object of `attributo` in a run (or chemical/data set); null if absent.
boost::json::value value_in(const boost::json::object& run, long long attributo);
// The globs of a run's files in order.
std::vector<std::string> globs_of(const boost::json::object& run);
// {"hit_rate":0,"indexing_rate":0,"indexed_frames":0,"align_detector_groups":[]}
// (rates as integers or floats).
bool is_empty_fom(const boost::json::value& v);
// The internal id of the run (beamtime, external id) from SQL; 0 if none.
long long run_internal_id(const TestDatabase& db, long long bt, long long external_id);

// ---- the database -----------------------------------------------------------------

// Every row of the tables runs, events and files touch, as text, to check
// that a refused request changed nothing.
std::string db_snapshot(const TestDatabase& db);
// Requires db_snapshot(db) == before (shows the first difference).
void require_unchanged(const TestDatabase& db, const std::string& before);

// ---- indexing results (no endpoint here, so SQL) ----------------------------------

long long insert_indexing_parameters(const TestDatabase& db, bool online);
// job_status is QUEUED, RUNNING or DONE; created a naive UTC datetime literal.
long long insert_indexing_result(const TestDatabase& db, long long run_id, long long parameters_id,
                                 const std::string& job_status, long long frames, long long hits,
                                 long long indexed_frames,
                                 const std::string& created = "2025-01-01 00:00:00.000000");
void insert_indexing_statistic(const TestDatabase& db, long long result_id, const std::string& time,
                               long long frames, long long hits, long long indexed,
                               long long crystals);

// ---- time ---------------------------------------------------------------------------

long long now_ms();
// "YYYY-MM-DD" / "YYYY-MM-DD HH:MM:SS.ffffff" of a UTC epoch-ms.
std::string utc_date(long long ms);
std::string db_datetime(long long ms);
// Epoch-ms of a UTC calendar time.
long long utc_ms(int year, int month, int day, int hour = 0, int minute = 0, int second = 0);

// ---- multipart and the live stream ------------------------------------------------

// A multipart/form-data body with one file field (and optional text fields);
// returns {body, content type}.
std::pair<std::string, std::string> multipart_file(
    const std::string& field, const std::string& file_name, const std::string& data,
    const std::vector<std::pair<std::string, std::string>>& text_fields = {});
// POST /api/live-stream/{bt} with field `file`.
HttpResult post_live_image(HttpClient& client, long long bt, const std::string& data);
// POST /api/files (F1); requires 200 and returns the id.
long long upload_file(Api& api, const std::string& file_name, const std::string& data,
                      const std::string& description = "a file");
// DATA_DIR/live/live-stream-image-<bt>.
std::filesystem::path live_path(const ServerOnFreshDb& server, long long bt);
// Writes `data` to a temp file in DATA_DIR/live and renames it over the live
// image, as the grabber daemon does.
void grabber_write(const ServerOnFreshDb& server, long long bt, const std::string& data,
                   int tag = 0);
// A small valid-looking JPEG: SOI, `size - 4` pseudo-random bytes without FF
// D9 pairs, EOI.
std::string fake_jpeg(std::size_t size, std::uint64_t seed);

}  // namespace amarcord::test
