// Helpers shared by the end-to-end tests of the core API (api-core.md §5.2-5.8):
// a client that fails the test on any 5xx answer, builders for attributi,
// chemicals and experiment types, and direct SQL for rows that have no
// endpoint in this part of the API (runs, geometries, files).
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/fixtures.hpp"

namespace amarcord::test {

// An id that no row has and that does not fit a 32-bit INT column (the id
// columns are 32-bit on PostgreSQL and MySQL): such ids must behave like any
// other unknown id, never as a database error.
inline constexpr long long kBeyond32Bits = 3000000000LL;

// An HttpClient whose every answer is checked: a 5xx (or no answer at all)
// fails the test case immediately, since the port must never answer 500.
class Api {
 public:
  explicit Api(const ServerOnFreshDb& server) : server_(&server), client_(server.client()) {}

  HttpResult get(const std::string& target);
  HttpResult post(const std::string& target, const boost::json::value& body);
  HttpResult patch(const std::string& target, const boost::json::value& body);
  HttpResult del(const std::string& target, const boost::json::value& body);
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {});

  // The same, but the answer must be 200 with a JSON body, which is returned.
  boost::json::value get_ok(const std::string& target);
  boost::json::value post_ok(const std::string& target, const boost::json::value& body);
  boost::json::value patch_ok(const std::string& target, const boost::json::value& body);
  boost::json::value del_ok(const std::string& target, const boost::json::value& body);

  const ServerOnFreshDb& server() const { return *server_; }
  const TestDatabase& db() const { return server_->db; }

 private:
  const ServerOnFreshDb* server_;
  HttpClient client_;
};

// Fails the test unless the answer is a 400 whose `detail` is a string;
// returns that string.
std::string require_400(const HttpResult& r);
// Fails the test unless the answer is a 404 whose `detail` is a string.
std::string require_404(const HttpResult& r);
// Fails the test unless the answer is a 422 whose `detail` is a non-empty
// list of pydantic-style errors; returns the list.
boost::json::array require_422(const HttpResult& r);
// True when some entry of a 422 list has this `type`.
bool has_error_type(const boost::json::array& detail, const std::string& type);

// Runs `request(client, i)` for i in [0, n) on n threads, each with its own
// connection, released at the same moment; returns the answers in i order.
// (Assertions belong in the caller: Catch is not thread-safe.)
std::vector<HttpResult> concurrently(const ServerOnFreshDb& server, int n,
                                     const std::function<HttpResult(HttpClient&, int)>& request);

// The length of the server's log now, to pass to server_log_problems.
std::size_t server_log_mark(const ServerOnFreshDb& server);
// The server's log lines above level info written after `mark` (the last
// `max_lines`), to show with failures.
std::string server_log_problems(const ServerOnFreshDb& server, std::size_t mark,
                                std::size_t max_lines = 20);

// ---- beamtimes --------------------------------------------------------------

long long create_beamtime(Api& api, const std::string& external_id = "bt");

// ---- attributi ---------------------------------------------------------------

// Schema objects (api-core.md §3.3.1).
boost::json::object integer_type();
boost::json::object datetime_type();
boost::json::object chemical_id_type();
boost::json::object number_type();  // plain decimal, no range/suffix
boost::json::object string_type();
boost::json::object choice_type(const std::vector<std::string>& values);
boost::json::object boolean_type();
boost::json::object array_type(const std::string& item_type,
                               std::optional<long long> min_items = {},
                               std::optional<long long> max_items = {});

// "attributo_type_integer" for {"type":"integer",...}, etc.
std::string type_key(const boost::json::object& type);

// A JsonCreateAttributoInput body.
boost::json::object attributo_body(long long beamtime_id, const std::string& name,
                                   const std::string& table, const boost::json::object& type,
                                   const std::string& group = "manual",
                                   const std::string& description = "description");
// POST /api/attributi; requires 200 and returns the new id.
long long create_attributo(Api& api, long long beamtime_id, const std::string& name,
                           const std::string& table, const boost::json::object& type,
                           const std::string& group = "manual");
// The serialised JsonAttributo, in the original's key order; `type` is the
// serialised schema object.
std::string attributo_json(long long id, const std::string& name, const std::string& table,
                           const std::string& key, const std::string& type,
                           const std::string& group = "manual",
                           const std::string& description = "description");
// GET /api/attributi/{bt} → the list.
boost::json::array list_attributi(Api& api, long long beamtime_id);
// The attributo object with this id from GET /api/attributi/{bt}.
boost::json::object get_attributo(Api& api, long long beamtime_id, long long attributo_id);
// A JsonUpdateAttributoInput body replacing the attributo with these fields.
boost::json::object update_attributo_body(long long id, const std::string& name,
                                          const std::string& table, const boost::json::object& type,
                                          bool ignore_units, const std::string& group = "manual",
                                          const std::string& description = "description");

// ---- attributo values (JsonAttributoValue) -----------------------------------

boost::json::object value_str(long long attributo_id, const std::string& v);
boost::json::object value_int(long long attributo_id, long long v);
boost::json::object value_float(long long attributo_id, double v);
boost::json::object value_bool(long long attributo_id, bool v);
boost::json::object value_chemical(long long attributo_id, long long chemical_id);
boost::json::object value_datetime(long long attributo_id, long long utc_ms);
boost::json::object value_empty(long long attributo_id);

// ---- chemicals ---------------------------------------------------------------

boost::json::object chemical_body(long long beamtime_id, const std::string& name,
                                  const boost::json::array& values = {},
                                  const boost::json::array& file_ids = {},
                                  const std::string& chemical_type = "crystal");
long long create_chemical(Api& api, long long beamtime_id, const std::string& name,
                          const boost::json::array& values = {},
                          const boost::json::array& file_ids = {});
// GET /api/chemicals/{bt} → `chemicals`.
boost::json::array list_chemicals(Api& api, long long beamtime_id);
boost::json::object get_chemical(Api& api, long long beamtime_id, long long chemical_id);
// The `attributi` entry of a chemical for this attributo; null when absent.
boost::json::value chemical_value(Api& api, long long beamtime_id, long long chemical_id,
                                  long long attributo_id);

// ---- experiment types --------------------------------------------------------

// POST /api/experiment-types with members (attributo id, role).
long long create_experiment_type(Api& api, long long beamtime_id, const std::string& name,
                                 const std::vector<std::pair<long long, std::string>>& members);

// ---- direct SQL --------------------------------------------------------------

long long count_rows(const TestDatabase& db, const std::string& table,
                     const std::string& where = "");
double query_double(const TestDatabase& db, const std::string& sql);
long long query_long(const TestDatabase& db, const std::string& sql);
std::string query_string(const TestDatabase& db, const std::string& sql);
void exec_sql(const TestDatabase& db, const std::string& sql);
// Runs an INSERT and returns MAX(id) of the table afterwards (tests run one
// at a time within a process, so that is the new row).
long long insert_returning_id(const TestDatabase& db, const std::string& table,
                              const std::string& insert_sql);

// "ExperimentType" row (no members).
long long insert_experiment_type(const TestDatabase& db, long long beamtime_id,
                                 const std::string& name);
// "Run" row; started is a naive UTC datetime literal.
long long insert_run(const TestDatabase& db, long long beamtime_id, long long external_id,
                     long long experiment_type_id,
                     const std::string& started = "2025-01-01 00:00:00.000000");
// "RunHasAttributoValue" row with one column set: column is e.g. "string_value",
// literal the SQL literal ('x', 1.5, 3).
void insert_run_value(const TestDatabase& db, long long run_id, long long attributo_id,
                      const std::string& column, const std::string& literal);
// "Geometry" row of type CRYSTFEL_STRING plus "GeometryReferencesAttributo"
// rows for the given attributi.
long long insert_geometry(const TestDatabase& db, long long beamtime_id, const std::string& name,
                          const std::string& content, const std::vector<long long>& attributi = {},
                          const std::string& created = "2025-04-30 13:00:00.000000");
// "File" row holding `contents` raw (uncompressed), type text/plain.
long long insert_file(const TestDatabase& db, const std::string& file_name,
                      const std::string& description = "a file",
                      const std::string& contents = "abc");

// SQL string literal with quotes doubled.
std::string sql_quote(const std::string& s);

}  // namespace amarcord::test
