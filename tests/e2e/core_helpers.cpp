#include "e2e/core_helpers.hpp"

#include <soci/soci.h>

#include <catch2/catch.hpp>
#include <latch>
#include <thread>

namespace json = boost::json;

namespace amarcord::test {
namespace {

HttpResult checked(const std::string& what, HttpResult r) {
  if (r.status == 0) FAIL(what << ": no answer from the server");
  if (r.status >= 500) FAIL(what << ": server error " << r.status << ": " << r.body);
  return r;
}

json::value ok_json(const std::string& what, const HttpResult& r) {
  INFO(what << " answered " << r.status << ": " << r.body);
  REQUIRE(r.status == 200);
  REQUIRE(r.header("content-type") == "application/json");
  return r.json();
}

std::string describe(const std::string& method, const std::string& target,
                     const json::value* body) {
  std::string s = method + " " + target;
  if (body != nullptr) s += " " + json::serialize(*body).substr(0, 400);
  return s;
}

}  // namespace

HttpResult Api::get(const std::string& target) {
  return checked(describe("GET", target, nullptr), client_.get(target));
}
HttpResult Api::post(const std::string& target, const json::value& body) {
  return checked(describe("POST", target, &body), client_.post(target, body));
}
HttpResult Api::patch(const std::string& target, const json::value& body) {
  return checked(describe("PATCH", target, &body), client_.patch(target, body));
}
HttpResult Api::del(const std::string& target, const json::value& body) {
  return checked(describe("DELETE", target, &body), client_.del(target, body));
}
HttpResult Api::request(const std::string& method, const std::string& target,
                        const std::string& body,
                        const std::map<std::string, std::string>& headers) {
  return checked(method + " " + target, client_.request(method, target, body, headers));
}

json::value Api::get_ok(const std::string& target) {
  return ok_json(describe("GET", target, nullptr), get(target));
}
json::value Api::post_ok(const std::string& target, const json::value& body) {
  return ok_json(describe("POST", target, &body), post(target, body));
}
json::value Api::patch_ok(const std::string& target, const json::value& body) {
  return ok_json(describe("PATCH", target, &body), patch(target, body));
}
json::value Api::del_ok(const std::string& target, const json::value& body) {
  return ok_json(describe("DELETE", target, &body), del(target, body));
}

std::string require_400(const HttpResult& r) {
  INFO("answer " << r.status << ": " << r.body);
  REQUIRE(r.status == 400);
  const auto j = r.json();
  REQUIRE(j.is_object());
  REQUIRE(j.as_object().contains("detail"));
  REQUIRE(j.at("detail").is_string());
  return std::string(j.at("detail").as_string());
}

std::string require_404(const HttpResult& r) {
  INFO("answer " << r.status << ": " << r.body);
  REQUIRE(r.status == 404);
  const auto j = r.json();
  REQUIRE(j.at("detail").is_string());
  CHECK(j.at("detail").as_string() != "Not Found");  // a handler's answer, not "no route"
  return std::string(j.at("detail").as_string());
}

json::array require_422(const HttpResult& r) {
  INFO("answer " << r.status << ": " << r.body);
  REQUIRE(r.status == 422);
  const auto j = r.json();
  REQUIRE(j.at("detail").is_array());
  const auto d = j.at("detail").as_array();
  REQUIRE_FALSE(d.empty());
  for (const auto& e : d) {
    CHECK(e.at("type").is_string());
    CHECK(e.at("loc").is_array());
    CHECK(e.at("msg").is_string());
  }
  return d;
}

bool has_error_type(const json::array& detail, const std::string& type) {
  for (const auto& e : detail) {
    if (e.is_object() && e.as_object().contains("type") && e.at("type") == type.c_str()) {
      return true;
    }
  }
  return false;
}

std::vector<HttpResult> concurrently(const ServerOnFreshDb& server, int n,
                                     const std::function<HttpResult(HttpClient&, int)>& request) {
  std::vector<HttpResult> results(static_cast<std::size_t>(n));
  std::latch start(n);
  std::vector<std::thread> threads;
  const auto port = server.server->port();
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      HttpClient c(port);
      c.get("/api/health");  // connect before the start
      start.arrive_and_wait();
      try {
        results[static_cast<std::size_t>(i)] = request(c, i);
      } catch (const std::exception& e) {
        results[static_cast<std::size_t>(i)].body = e.what();  // status 0
      }
    });
  }
  for (auto& t : threads)
    t.join();
  return results;
}

std::size_t server_log_mark(const ServerOnFreshDb& server) {
  return server.server->log().size();
}

std::string server_log_problems(const ServerOnFreshDb& server, std::size_t mark,
                                std::size_t max_lines) {
  std::vector<std::string> lines;
  std::string log = server.server->log();
  std::size_t pos = std::min(mark, log.size());
  while (pos < log.size()) {
    auto end = log.find('\n', pos);
    if (end == std::string::npos) end = log.size();
    auto line = log.substr(pos, end - pos);
    if (line.find(" info ") == std::string::npos && !line.empty()) lines.push_back(line);
    pos = end + 1;
  }
  std::string out;
  for (std::size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size();
       ++i)
    out += lines[i] + "\n";
  return out;
}

long long create_beamtime(Api& api, const std::string& external_id) {
  return api.post_ok("/api/beamtimes", beamtime_body(external_id)).at("id").as_int64();
}

json::object integer_type() {
  return {{"type", "integer"}};
}
json::object datetime_type() {
  return {{"type", "integer"}, {"format", "date-time"}};
}
json::object chemical_id_type() {
  return {{"type", "integer"}, {"format", "chemical-id"}};
}
json::object number_type() {
  return {{"type", "number"}};
}
json::object string_type() {
  return {{"type", "string"}};
}
json::object choice_type(const std::vector<std::string>& values) {
  json::array e;
  for (const auto& v : values)
    e.emplace_back(v);
  return {{"type", "string"}, {"enum", e}};
}
json::object boolean_type() {
  return {{"type", "boolean"}};
}
json::object array_type(const std::string& item_type, std::optional<long long> min_items,
                        std::optional<long long> max_items) {
  json::object t{{"type", "array"}, {"item_type", item_type}};
  if (min_items) t["minItems"] = *min_items;
  if (max_items) t["maxItems"] = *max_items;
  return t;
}

std::string type_key(const json::object& type) {
  const std::string t(type.at("type").as_string());
  return "attributo_type_" + t;
}

json::object attributo_body(long long beamtime_id, const std::string& name,
                            const std::string& table, const json::object& type,
                            const std::string& group, const std::string& description) {
  json::object b{{"beamtime_id", beamtime_id},
                 {"name", name},
                 {"description", description},
                 {"group", group},
                 {"associated_table", table}};
  b[type_key(type)] = type;
  return b;
}

long long create_attributo(Api& api, long long beamtime_id, const std::string& name,
                           const std::string& table, const json::object& type,
                           const std::string& group) {
  return api.post_ok("/api/attributi", attributo_body(beamtime_id, name, table, type, group))
      .at("id")
      .as_int64();
}

std::string attributo_json(long long id, const std::string& name, const std::string& table,
                           const std::string& key, const std::string& type,
                           const std::string& group, const std::string& description) {
  return "{\"id\":" + std::to_string(id) + ",\"name\":\"" + name + "\",\"description\":\"" +
         description + "\",\"group\":\"" + group + "\",\"associated_table\":\"" + table + "\",\"" +
         key + "\":" + type + "}";
}

json::array list_attributi(Api& api, long long beamtime_id) {
  return api.get_ok("/api/attributi/" + std::to_string(beamtime_id)).at("attributi").as_array();
}

json::object get_attributo(Api& api, long long beamtime_id, long long attributo_id) {
  for (const auto& a : list_attributi(api, beamtime_id)) {
    if (a.at("id").as_int64() == attributo_id) return a.as_object();
  }
  FAIL("attributo " << attributo_id << " not listed for beamtime " << beamtime_id);
  return {};
}

json::object update_attributo_body(long long id, const std::string& name, const std::string& table,
                                   const json::object& type, bool ignore_units,
                                   const std::string& group, const std::string& description) {
  json::object a{{"id", id},
                 {"name", name},
                 {"description", description},
                 {"group", group},
                 {"associated_table", table}};
  a[type_key(type)] = type;
  return {{"attributo", a}, {"conversion_flags", {{"ignore_units", ignore_units}}}};
}

json::object value_str(long long attributo_id, const std::string& v) {
  return {{"attributo_id", attributo_id}, {"attributo_value_str", v}};
}
json::object value_int(long long attributo_id, long long v) {
  return {{"attributo_id", attributo_id}, {"attributo_value_int", v}};
}
json::object value_float(long long attributo_id, double v) {
  return {{"attributo_id", attributo_id}, {"attributo_value_float", v}};
}
json::object value_bool(long long attributo_id, bool v) {
  return {{"attributo_id", attributo_id}, {"attributo_value_bool", v}};
}
json::object value_chemical(long long attributo_id, long long chemical_id) {
  return {{"attributo_id", attributo_id}, {"attributo_value_chemical", chemical_id}};
}
json::object value_datetime(long long attributo_id, long long utc_ms) {
  return {{"attributo_id", attributo_id}, {"attributo_value_datetime", utc_ms}};
}
json::object value_empty(long long attributo_id) {
  return {{"attributo_id", attributo_id}};
}

json::object chemical_body(long long beamtime_id, const std::string& name,
                           const json::array& values, const json::array& file_ids,
                           const std::string& chemical_type) {
  return {{"beamtime_id", beamtime_id},     {"name", name},        {"responsible_person", "me"},
          {"chemical_type", chemical_type}, {"attributi", values}, {"file_ids", file_ids}};
}

long long create_chemical(Api& api, long long beamtime_id, const std::string& name,
                          const json::array& values, const json::array& file_ids) {
  return api.post_ok("/api/chemicals", chemical_body(beamtime_id, name, values, file_ids))
      .at("id")
      .as_int64();
}

json::array list_chemicals(Api& api, long long beamtime_id) {
  return api.get_ok("/api/chemicals/" + std::to_string(beamtime_id)).at("chemicals").as_array();
}

json::object get_chemical(Api& api, long long beamtime_id, long long chemical_id) {
  for (const auto& c : list_chemicals(api, beamtime_id)) {
    if (c.at("id").as_int64() == chemical_id) return c.as_object();
  }
  FAIL("chemical " << chemical_id << " not listed for beamtime " << beamtime_id);
  return {};
}

json::value chemical_value(Api& api, long long beamtime_id, long long chemical_id,
                           long long attributo_id) {
  const auto chemical = get_chemical(api, beamtime_id, chemical_id);
  for (const auto& v : chemical.at("attributi").as_array()) {
    if (v.at("attributo_id").as_int64() == attributo_id) return v;
  }
  return nullptr;
}

long long create_experiment_type(Api& api, long long beamtime_id, const std::string& name,
                                 const std::vector<std::pair<long long, std::string>>& members) {
  json::array a;
  for (const auto& [id, role] : members)
    a.push_back(json::object{{"id", id}, {"role", role}});
  return api
      .post_ok("/api/experiment-types",
               json::object{{"name", name}, {"beamtime_id", beamtime_id}, {"attributi", a}})
      .at("id")
      .as_int64();
}

long long count_rows(const TestDatabase& db, const std::string& table, const std::string& where) {
  auto s = db.connect();
  return query_int(*s, "SELECT COUNT(*) FROM \"" + table + "\"" +
                           (where.empty() ? std::string() : " WHERE " + where));
}

double query_double(const TestDatabase& db, const std::string& sql) {
  auto s = db.connect();
  double v = 0;
  soci::indicator ind = soci::i_ok;
  *s << sql, soci::into(v, ind);
  if (ind != soci::i_ok) FAIL("NULL or no row from: " << sql);
  return v;
}

long long query_long(const TestDatabase& db, const std::string& sql) {
  auto s = db.connect();
  return query_int(*s, sql);
}

std::string query_string(const TestDatabase& db, const std::string& sql) {
  auto s = db.connect();
  return query_text(*s, sql);
}

void exec_sql(const TestDatabase& db, const std::string& sql) {
  auto s = db.connect();
  *s << sql;
}

long long insert_returning_id(const TestDatabase& db, const std::string& table,
                              const std::string& insert_sql) {
  auto s = db.connect();
  *s << insert_sql;
  return query_int(*s, "SELECT MAX(id) FROM \"" + table + "\"");
}

std::string sql_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

long long insert_experiment_type(const TestDatabase& db, long long beamtime_id,
                                 const std::string& name) {
  return insert_returning_id(db, "ExperimentType",
                             "INSERT INTO \"ExperimentType\" (beamtime_id, name) VALUES (" +
                                 std::to_string(beamtime_id) + ", " + sql_quote(name) + ")");
}

long long insert_run(const TestDatabase& db, long long beamtime_id, long long external_id,
                     long long experiment_type_id, const std::string& started) {
  return insert_returning_id(
      db, "Run",
      "INSERT INTO \"Run\" (external_id, beamtime_id, modified, started, stopped, "
      "experiment_type_id) VALUES (" +
          std::to_string(external_id) + ", " + std::to_string(beamtime_id) + ", " +
          sql_quote(started) + ", " + sql_quote(started) + ", NULL, " +
          std::to_string(experiment_type_id) + ")");
}

void insert_run_value(const TestDatabase& db, long long run_id, long long attributo_id,
                      const std::string& column, const std::string& literal) {
  exec_sql(db, "INSERT INTO \"RunHasAttributoValue\" (run_id, attributo_id, " + column +
                   ") VALUES (" + std::to_string(run_id) + ", " + std::to_string(attributo_id) +
                   ", " + literal + ")");
}

long long insert_geometry(const TestDatabase& db, long long beamtime_id, const std::string& name,
                          const std::string& content, const std::vector<long long>& attributi,
                          const std::string& created) {
  const auto id = insert_returning_id(
      db, "Geometry",
      "INSERT INTO \"Geometry\" (beamtime_id, content, hash, name, created, geometry_type) "
      "VALUES (" +
          std::to_string(beamtime_id) + ", " + sql_quote(content) + ", " +
          sql_quote(std::string(64, '0')) + ", " + sql_quote(name) + ", " + sql_quote(created) +
          ", 'CRYSTFEL_STRING')");
  for (const auto a : attributi) {
    exec_sql(db,
             "INSERT INTO \"GeometryReferencesAttributo\" (geometry_id, attributo_id) VALUES (" +
                 std::to_string(id) + ", " + std::to_string(a) + ")");
  }
  return id;
}

long long insert_file(const TestDatabase& db, const std::string& file_name,
                      const std::string& description, const std::string& contents) {
  return insert_returning_id(
      db, "File",
      "INSERT INTO \"File\" (type, file_name, size_in_bytes, original_path, sha256, modified, "
      "contents, description, size_in_bytes_compressed) VALUES ('text/plain', " +
          sql_quote(file_name) + ", " + std::to_string(contents.size()) + ", NULL, " +
          sql_quote(std::string(64, 'a')) + ", '2025-01-01 00:00:00.000000', " +
          sql_quote(contents) + ", " + sql_quote(description) + ", NULL)");
}

}  // namespace amarcord::test
