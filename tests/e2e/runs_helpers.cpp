#include "e2e/runs_helpers.hpp"

#include <soci/soci.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cctype>
#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

namespace json = boost::json;
namespace fs = std::filesystem;

namespace amarcord::test {

// ---- the §11 fixture -------------------------------------------------------------

RunsFixture::RunsFixture(Api& api, const std::string& name) {
  bt = create_beamtime(api, name);
  run_string = create_attributo(api, bt, "run_string", "run", string_type());
  run_int = create_attributo(api, bt, "run_int", "run", integer_type());
  chan = create_attributo(api, bt, "chan", "run", chemical_id_type());
  auto_int = create_attributo(api, bt, "auto_int", "run", integer_type(), "automatic");
  cell = create_attributo(api, bt, "cell description", "chemical", string_type());
  point_group = create_attributo(api, bt, "point group", "chemical", string_type());
  space_group = create_attributo(api, bt, "space group", "chemical", string_type());
  lyso = create_chemical(api, bt, "lyso",
                         {value_str(cell, "tetragonal P c (79.2 79.2 38.0) (90 90 90)"),
                          value_str(point_group, "4/mmm"), value_str(space_group, "P 43 21 2")});
  etc = create_experiment_type(api, bt, "ETc", {{chan, "crystal"}});
  ets = create_experiment_type(api, bt, "ETs", {{run_string, "crystal"}});
}

void set_experiment_type(Api& api, long long bt, long long et) {
  auto r = api.request("PATCH", "/api/user-config/" + std::to_string(bt) +
                                    "/current-experiment-type-id/" + std::to_string(et));
  INFO(r.body);
  REQUIRE(r.status == 200);
}

void set_auto_pilot(Api& api, long long bt, bool on) {
  auto r = api.request(
      "PATCH", "/api/user-config/" + std::to_string(bt) + "/auto-pilot/" + (on ? "True" : "False"));
  INFO(r.body);
  REQUIRE(r.status == 200);
}

// ---- runs -------------------------------------------------------------------------

json::object run_body(long long bt, const json::array& values, std::optional<json::array> files,
                      std::optional<long long> started, std::optional<long long> stopped) {
  json::object b{{"beamtime_id", bt}, {"attributi", values}};
  if (files) b["files"] = *files;
  if (started) b["started"] = *started;
  if (stopped) b["stopped"] = *stopped;
  return b;
}

json::object run_file(const std::string& glob, const std::string& source, long long id) {
  return {{"id", id}, {"glob", glob}, {"source", source}};
}

std::string run_url(long long external_id) {
  return "/api/runs/" + std::to_string(external_id);
}

json::object post_run(Api& api, long long external_id, const json::object& body) {
  return api.post_ok(run_url(external_id), body).as_object();
}

json::object read_runs(Api& api, long long bt, const std::string& query) {
  return api.get_ok("/api/runs/" + std::to_string(bt) + (query.empty() ? "" : "?" + query))
      .as_object();
}

std::string url_encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::vector<long long> external_ids(const json::object& answer) {
  std::vector<long long> out;
  for (const auto& r : answer.at("runs").as_array())
    out.push_back(r.at("external_id").as_int64());
  return out;
}

json::object find_run(Api& api, long long bt, long long external_id) {
  const auto answer = read_runs(api, bt);
  for (const auto& r : answer.at("runs").as_array()) {
    if (r.at("external_id").as_int64() == external_id) return r.as_object();
  }
  FAIL("run " << external_id << " not listed for beamtime " << bt);
  return {};
}

json::value value_in(const json::object& run, long long attributo) {
  for (const auto& v : run.at("attributi").as_array()) {
    if (v.at("attributo_id").as_int64() == attributo) return v;
  }
  return nullptr;
}

std::vector<std::string> globs_of(const json::object& run) {
  std::vector<std::string> out;
  for (const auto& f : run.at("files").as_array())
    out.emplace_back(f.at("glob").as_string());
  return out;
}

bool is_empty_fom(const json::value& v) {
  if (!v.is_object()) return false;
  const auto& o = v.as_object();
  return o.size() == 4 && o.contains("hit_rate") && o.contains("indexing_rate") &&
         o.contains("indexed_frames") && o.contains("align_detector_groups") &&
         o.at("hit_rate").is_number() && o.at("hit_rate").to_number<double>() == 0.0 &&
         o.at("indexing_rate").is_number() && o.at("indexing_rate").to_number<double>() == 0.0 &&
         o.at("indexed_frames").is_int64() && o.at("indexed_frames").as_int64() == 0 &&
         o.at("align_detector_groups").is_array() &&
         o.at("align_detector_groups").as_array().empty();
}

long long run_internal_id(const TestDatabase& db, long long bt, long long external_id) {
  return query_long(
      db, "SELECT COALESCE(MAX(id), 0) FROM \"Run\" WHERE beamtime_id = " + std::to_string(bt) +
              " AND external_id = " + std::to_string(external_id));
}

// ---- the database -----------------------------------------------------------------

namespace {

std::string dump_table(const TestDatabase& db, const std::string& table,
                       const std::vector<std::string>& columns, const std::string& order) {
  const bool mysql = db.engine() == db::Backend::mysql;
  std::string select;
  for (const auto& c : columns) {
    if (!select.empty()) select += ", ";
    select += std::string("CAST(") + c + (mysql ? " AS CHAR)" : " AS TEXT)");
  }
  auto s = db.connect();
  soci::rowset<soci::row> rows =
      (s->prepare << "SELECT " + select + " FROM \"" + table + "\" ORDER BY " + order);
  std::string out = table + ":\n";
  for (const auto& row : rows) {
    std::string line = " ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += " " + columns[i] + "=";
      line += row.get_indicator(i) == soci::i_null ? std::string("NULL") : row.get<std::string>(i);
    }
    out += line + "\n";
  }
  return out;
}

const std::vector<std::string> kValueColumns = {"attributo_id", "integer_value", "float_value",
                                                "string_value", "bool_value",    "datetime_value",
                                                "list_value",   "chemical_value"};

std::vector<std::string> with(std::string first, std::vector<std::string> rest) {
  rest.insert(rest.begin(), std::move(first));
  return rest;
}

}  // namespace

std::string db_snapshot(const TestDatabase& db) {
  std::string out;
  out += dump_table(
      db, "Run",
      {"id", "external_id", "beamtime_id", "modified", "started", "stopped", "experiment_type_id"},
      "id");
  out +=
      dump_table(db, "RunHasAttributoValue", with("run_id", kValueColumns), "run_id, attributo_id");
  out += dump_table(db, "RunHasFiles", {"id", "run_id", "source", "\"glob\""}, "id");
  out += dump_table(db, "DataSet", {"id", "experiment_type_id"}, "id");
  out += dump_table(db, "DataSetHasAttributoValue", with("data_set_id", kValueColumns),
                    "data_set_id, attributo_id");
  out +=
      dump_table(db, "EventLog", {"id", "beamtime_id", "created", "level", "source", "text"}, "id");
  out += dump_table(db, "EventHasFile", {"event_id", "file_id"}, "event_id, file_id");
  out += dump_table(
      db, "File", {"id", "type", "file_name", "size_in_bytes", "sha256", "modified", "description"},
      "id");
  out += dump_table(db, "UserConfiguration",
                    {"id", "beamtime_id", "auto_pilot", "use_online_crystfel",
                     "current_experiment_type_id", "current_online_indexing_parameters_id"},
                    "id");
  out += dump_table(db, "IndexingResult", {"id", "run_id", "job_status"}, "id");
  out += dump_table(db, "ExperimentType", {"id", "beamtime_id", "name"}, "id");
  out += dump_table(db, "Chemical", {"id", "beamtime_id", "name"}, "id");
  out += dump_table(db, "Attributo", {"id", "beamtime_id", "name"}, "id");
  return out;
}

void require_unchanged(const TestDatabase& db, const std::string& before) {
  const auto after = db_snapshot(db);
  if (after == before) return;
  std::istringstream a(before), b(after);
  std::string la, lb;
  int line = 0;
  while (true) {
    const bool ga = static_cast<bool>(std::getline(a, la));
    const bool gb = static_cast<bool>(std::getline(b, lb));
    ++line;
    if (!ga && !gb) break;
    if (!ga || !gb || la != lb) {
      FAIL("the database changed; first difference at line "
           << line << ":\n  before: " << (ga ? la : "<end>")
           << "\n  after:  " << (gb ? lb : "<end>"));
    }
  }
}

// ---- indexing results ---------------------------------------------------------------

long long insert_indexing_parameters(const TestDatabase& db, bool online) {
  return insert_returning_id(
      db, "IndexingParameters",
      std::string("INSERT INTO \"IndexingParameters\" (is_online, cell_description, command_line, "
                  "source, geometry_id) VALUES (") +
          (online ? "TRUE" : "FALSE") + ", NULL, '', 'raw', NULL)");
}

long long insert_indexing_result(const TestDatabase& db, long long run_id, long long parameters_id,
                                 const std::string& job_status, long long frames, long long hits,
                                 long long indexed_frames, const std::string& created) {
  return insert_returning_id(
      db, "IndexingResult",
      "INSERT INTO \"IndexingResult\" (created, run_id, frames, hits, indexed_frames, job_status, "
      "indexing_parameters_id, program_version) VALUES (" +
          sql_quote(created) + ", " + std::to_string(run_id) + ", " + std::to_string(frames) +
          ", " + std::to_string(hits) + ", " + std::to_string(indexed_frames) + ", " +
          sql_quote(job_status) + ", " + std::to_string(parameters_id) + ", '')");
}

void insert_indexing_statistic(const TestDatabase& db, long long result_id, const std::string& time,
                               long long frames, long long hits, long long indexed,
                               long long crystals) {
  exec_sql(db,
           "INSERT INTO \"IndexingResultHasStatistic\" (indexing_result_id, time, frames, hits, "
           "indexed_frames, indexed_crystals) VALUES (" +
               std::to_string(result_id) + ", " + sql_quote(time) + ", " + std::to_string(frames) +
               ", " + std::to_string(hits) + ", " + std::to_string(indexed) + ", " +
               std::to_string(crystals) + ")");
}

// ---- time -----------------------------------------------------------------------------

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {
std::tm utc_tm(long long ms) {
  const std::time_t t = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}
}  // namespace

std::string utc_date(long long ms) {
  const auto tm = utc_tm(ms);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string db_datetime(long long ms) {
  const auto tm = utc_tm(ms);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  long long frac = ms % 1000;
  if (frac < 0) frac += 1000;
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03lld000", buf, frac);
  return out;
}

long long utc_ms(int year, int month, int day, int hour, int minute, int second) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<long long>(timegm(&tm)) * 1000;
}

// ---- multipart and the live stream ------------------------------------------------

std::pair<std::string, std::string> multipart_file(
    const std::string& field, const std::string& file_name, const std::string& data,
    const std::vector<std::pair<std::string, std::string>>& text_fields) {
  const std::string b = "e2eRunsBoundary7MA4YWxkTrZu0gW";
  std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"" + field +
                     "\"; filename=\"" + file_name +
                     "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + "\r\n";
  for (const auto& [k, v] : text_fields) {
    body +=
        "--" + b + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
  }
  body += "--" + b + "--\r\n";
  return {body, "multipart/form-data; boundary=" + b};
}

HttpResult post_live_image(HttpClient& client, long long bt, const std::string& data) {
  const auto [body, type] = multipart_file("file", "file", data);
  return client.request("POST", "/api/live-stream/" + std::to_string(bt), body,
                        {{"Content-Type", type}});
}

long long upload_file(Api& api, const std::string& file_name, const std::string& data,
                      const std::string& description) {
  const auto [body, type] = multipart_file(
      "file", file_name, data, {{"description", description}, {"deduplicate", "False"}});
  auto r = api.request("POST", "/api/files", body, {{"Content-Type", type}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json().at("id").as_int64();
}

fs::path live_path(const ServerOnFreshDb& server, long long bt) {
  return server.data_dir / "live" / ("live-stream-image-" + std::to_string(bt));
}

void grabber_write(const ServerOnFreshDb& server, long long bt, const std::string& data, int tag) {
  const auto target = live_path(server, bt);
  fs::create_directories(target.parent_path());
  const auto temp =
      target.parent_path() / (".grabber-" + std::to_string(bt) + "-" + std::to_string(tag) + "-" +
                              std::to_string(::getpid()) + ".tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + temp.string());
  }
  if (::rename(temp.c_str(), target.c_str()) != 0)
    throw std::runtime_error("cannot rename " + temp.string());
}

std::string fake_jpeg(std::size_t size, std::uint64_t seed) {
  std::string s(size, '\0');
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (std::size_t i = 0; i < size; ++i) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s[i] = static_cast<char>((x * 0x2545F4914F6CDD1Dull) >> 56);
  }
  s[0] = static_cast<char>(0xFF);
  s[1] = static_cast<char>(0xD8);
  s[2] = static_cast<char>(0xFF);
  s[3] = static_cast<char>(0xE0);
  for (std::size_t i = 4; i + 2 < size; ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xFF) s[i] = static_cast<char>(0xFE);
  }
  s[size - 2] = static_cast<char>(0xFF);
  s[size - 1] = static_cast<char>(0xD9);
  return s;
}

}  // namespace amarcord::test
