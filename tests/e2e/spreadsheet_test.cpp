// Spreadsheets end to end, on the engine named by AMARCORD_TEST_ENGINE:
// the run bulk-import template (R9), the import page data (R10), the import
// with dry run and data sets (R11), hostile uploads, and the beamtime export
// zip (api-core.md §5.9). Workbooks are written with libxlsxwriter and read
// back with the server's own bounded reader; the export zip is opened with
// libzip.
#include <zip.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include "e2e/core_helpers.hpp"
#include "storage/sha256.hpp"
#include "xlsx/reader.hpp"
#include "xlsx/writer.hpp"

using namespace amarcord::test;
namespace json = boost::json;
namespace fs = std::filesystem;
namespace xl = amarcord::xlsx;
using namespace std::chrono;

namespace {

const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

std::int64_t wall(year_month_day ymd, int h = 0, int m = 0, int s = 0) {
  const auto t = sys_days{ymd} + hours{h} + minutes{m} + seconds{s};
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Where test workbooks are written before upload; removed at exit.
fs::path scratch_dir() {
  struct Dir {
    fs::path path = make_temp_dir("xlsx");
    ~Dir() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

using Fill = std::function<void(xl::WorkbookWriter::Sheet&)>;

std::string xlsx_bytes(const Fill& fill) {
  static int counter = 0;
  const auto path = scratch_dir() / ("book-" + std::to_string(++counter) + ".xlsx");
  {
    xl::WorkbookWriter wb(path);
    auto sheet = wb.add_sheet("Runs");
    fill(sheet);
    wb.close();
  }
  auto bytes = slurp(path);
  fs::remove(path);
  return bytes;
}

struct Entry {
  std::string name;
  std::string data;
};

std::string zip_bytes(const std::vector<Entry>& entries) {
  static int counter = 0;
  const auto path = scratch_dir() / ("zip-" + std::to_string(++counter) + ".zip");
  {
    xl::ZipWriter z(path);
    for (const auto& e : entries)
      z.add_bytes(e.name, e.data, true);
    z.close();
  }
  auto bytes = slurp(path);
  fs::remove(path);
  return bytes;
}

void headers(xl::WorkbookWriter::Sheet& s, const std::vector<std::string>& attributi) {
  std::uint16_t col = 0;
  for (const auto* h : {"run id", "experiment type", "started", "stopped", "files"})
    s.string(0, col++, h);
  for (const auto& a : attributi)
    s.string(0, col++, a);
}

const std::string kBoundary = "e2eSpreadsheetBoundary4f8a2c";

std::string multipart(const std::string& field, const std::string& filename,
                      const std::string& data) {
  return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + field +
         "\"; filename=\"" + filename + "\"\r\nContent-Type: " + kXlsx + "\r\n\r\n" + data +
         "\r\n--" + kBoundary + "--\r\n";
}

HttpResult upload(Api& api, long long bt, const std::string& bytes, const std::string& query) {
  return api.request("POST", "/api/run-bulk-import/" + std::to_string(bt) + query,
                     multipart("file", "runs.xlsx", bytes),
                     {{"Content-Type", "multipart/form-data; boundary=" + kBoundary}});
}

json::object import_ok(Api& api, long long bt, const std::string& bytes, bool simulate,
                       bool data_sets) {
  const auto r = upload(api, bt, bytes,
                        std::string("?simulate=") + (simulate ? "true" : "false") +
                            "&create_data_sets=" + (data_sets ? "true" : "false"));
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto j = r.json().as_object();
  CHECK(j.at("simulated") == simulate);
  CHECK(j.at("create_data_sets") == data_sets);
  return j;
}

std::string joined(const json::value& list) {
  std::string out;
  for (const auto& v : list.as_array())
    out += std::string(v.as_string()) + "\n";
  return out;
}

long long runs_of(Api& api, long long bt) {
  return count_rows(api.db(), "Run", "beamtime_id = " + std::to_string(bt));
}

long long data_sets_of(Api& api, long long et) {
  return count_rows(api.db(), "DataSet", "experiment_type_id = " + std::to_string(et));
}

// POST /api/files; returns the id.
long long upload_file(Api& api, const std::string& name, const std::string& data) {
  const std::string b = "e2eSpreadsheetFileBoundary";
  const std::string body =
      "--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
      "\"\r\nContent-Type: text/plain\r\n\r\n" + data + "\r\n--" + b +
      "\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nd\r\n--" + b +
      "\r\nContent-Disposition: form-data; name=\"deduplicate\"\r\n\r\nFalse\r\n--" + b + "--\r\n";
  auto r = api.request("POST", "/api/files", body,
                       {{"Content-Type", "multipart/form-data; boundary=" + b}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json().at("id").as_int64();
}

// The beamtime of the import tests: run attributi sample (chemical), temp
// (decimal), comment (string), flag (boolean); chemicals lyso and nacl;
// experiment type SFX = {sample}.
struct ImportBeamtime {
  long long bt = 0, sample = 0, temp = 0, comment = 0, flag = 0, lyso = 0, nacl = 0, et = 0;
};

ImportBeamtime import_beamtime(Api& api, const std::string& name) {
  ImportBeamtime b;
  b.bt = create_beamtime(api, name);
  b.sample = create_attributo(api, b.bt, "sample", "run", chemical_id_type());
  b.temp = create_attributo(api, b.bt, "temp", "run", number_type());
  b.comment = create_attributo(api, b.bt, "comment", "run", string_type());
  b.flag = create_attributo(api, b.bt, "flag", "run", boolean_type());
  b.lyso = create_chemical(api, b.bt, "lyso");
  b.nacl = create_chemical(api, b.bt, "nacl");
  b.et = create_experiment_type(api, b.bt, "SFX", {{b.sample, "crystal"}});
  return b;
}

// Three runs: 1 and 2 with lyso, 3 with nacl.
std::string three_runs() {
  return xlsx_bytes([](xl::WorkbookWriter::Sheet& s) {
    headers(s, {"sample", "temp", "comment", "flag"});
    for (std::uint32_t i = 1; i <= 3; ++i) {
      s.number(i, 0, i);
      s.string(i, 1, "SFX");
      s.datetime(i, 2, wall(2024y / May / 1, 9 + static_cast<int>(i)));
      s.datetime(i, 3, wall(2024y / May / 1, 9 + static_cast<int>(i), 30));
      s.string(i, 4, "/data/run" + std::to_string(i) + "/*.h5, /data/common.h5");
      s.string(i, 5, i == 3 ? "nacl" : "lyso");
      s.number(i, 6, 20.5 + i);
      s.string(i, 7, "run " + std::to_string(i));
      if (i == 1) s.boolean(i, 8, true);
      if (i == 2) s.string(i, 8, "no");
    }
  });
}

json::array run_list(Api& api, long long bt) {
  return api.get_ok("/api/runs/" + std::to_string(bt)).at("runs").as_array();
}

json::object run_by_external_id(const json::array& runs, long long id) {
  for (const auto& r : runs) {
    if (r.at("external_id").as_int64() == id) return r.as_object();
  }
  FAIL("no run " << id);
  return {};
}

json::value value_of(const json::object& run, long long attributo) {
  for (const auto& v : run.at("attributi").as_array()) {
    if (v.at("attributo_id").as_int64() == attributo) return v;
  }
  return nullptr;
}

}  // namespace

// ---- R9, R10 -------------------------------------------------------------------------

TEST_CASE("the import template has the system columns and the run attributi (R9)",
          "[spreadsheet]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "R9");
  create_attributo(api, bt, "zeta", "run", string_type());
  create_attributo(api, bt, "alpha", "run", integer_type());
  create_attributo(api, bt, "cell", "chemical", string_type());

  const auto r = api.get("/api/run-bulk-import-template/" + std::to_string(bt) + ".xlsx");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == kXlsx);
  CHECK(r.header("content-disposition") ==
        "attachment; filename=\"" + std::to_string(bt) + "-import.xlsx\"");
  auto wb = xl::Workbook::open_memory(r.body);
  const auto sheet = wb.read_active_sheet();
  const std::vector<std::string> expected = {
      "run id", "experiment type", "started", "stopped", "files", "zeta", "alpha"};
  CHECK(sheet.row_count() == 1);
  REQUIRE(sheet.column_count() == expected.size());
  for (std::uint32_t c = 0; c < expected.size(); ++c)
    CHECK(sheet.text(*sheet.find(0, c)) == expected[c]);

  // The template imports as an empty sheet (given an experiment type).
  create_experiment_type(api, bt, "SFX", {});
  const auto j = import_ok(api, bt, r.body, false, false);
  CHECK(j.at("errors").as_array().empty());
  CHECK(j.at("number_of_runs") == 0);

  for (const auto* bad : {"abc.xlsx", "5", "5.xls", ".xlsx", "5.5.xlsx"}) {
    INFO(bad);
    const auto d = require_422(api.get(std::string("/api/run-bulk-import-template/") + bad));
    CHECK(d[0].at("loc") == json::array{"path", "beamtimeId"});
  }
}

TEST_CASE("the import page data (R10)", "[spreadsheet]") {
  Api api(shared_server());
  const auto b = import_beamtime(api, "R10");
  create_attributo(api, b.bt, "cell", "chemical", string_type());
  const auto j = api.get_ok("/api/run-bulk-import/" + std::to_string(b.bt));
  const auto& attributi = j.at("run_attributi").as_array();
  REQUIRE(attributi.size() == 4);
  CHECK(attributi[0].at("id") == b.sample);
  CHECK(attributi[0].at("associated_table") == "run");
  CHECK(attributi[3].at("id") == b.flag);
  CHECK(j.at("experiment_types") == json::array{"SFX"});
  REQUIRE(j.at("chemicals").as_array().size() == 2);
  CHECK(j.at("chemicals").as_array()[0].at("name") == "lyso");
  require_422(api.get("/api/run-bulk-import/abc"));
}

// ---- R11 -------------------------------------------------------------------------------

TEST_CASE("a bulk import creates runs with files and values, times in AMARCORD_TZ (R11)",
          "[spreadsheet]") {
  ServerOnFreshDb server({}, {{"AMARCORD_TZ", "Europe/Berlin"}});
  Api api(server);
  const auto b = import_beamtime(api, "R11");
  const auto j = import_ok(api, b.bt, three_runs(), false, false);
  INFO(json::serialize(j));
  CHECK(j.at("errors").as_array().empty());
  CHECK(j.at("number_of_runs") == 3);
  CHECK(j.at("data_sets").as_array().empty());
  CHECK_THAT(joined(j.at("warnings")), Catch::Contains("/data/common.h5 already appears in row 2"));

  const auto runs = run_list(api, b.bt);
  REQUIRE(runs.size() == 3);
  const auto r1 = run_by_external_id(runs, 1);
  // 10:00 in Berlin (summer time) is 08:00 UTC.
  CHECK(r1.at("started") == wall(2024y / May / 1, 8));
  CHECK(r1.at("started_local") == wall(2024y / May / 1, 10));
  CHECK(r1.at("stopped") == wall(2024y / May / 1, 8, 30));
  CHECK(r1.at("experiment_type_id") == b.et);
  const auto& files = r1.at("files").as_array();
  REQUIRE(files.size() == 2);
  CHECK(files[0].at("glob") == "/data/run1/*.h5");
  CHECK(files[0].at("source") == "raw");
  CHECK(files[1].at("glob") == "/data/common.h5");
  CHECK(value_of(r1, b.sample).at("attributo_value_chemical") == b.lyso);
  CHECK(value_of(r1, b.temp).at("attributo_value_float").to_number<double>() == 21.5);
  CHECK(value_of(r1, b.comment).at("attributo_value_str") == "run 1");
  CHECK(value_of(r1, b.flag).at("attributo_value_bool") == true);
  const auto r2 = run_by_external_id(runs, 2);
  CHECK(value_of(r2, b.flag).at("attributo_value_bool") == false);
  const auto r3 = run_by_external_id(runs, 3);
  CHECK(value_of(r3, b.sample).at("attributo_value_chemical") == b.nacl);
  CHECK(value_of(r3, b.flag).is_null());  // empty cell: not set

  // Importing the same runs again: every run exists already.
  const auto again = import_ok(api, b.bt, three_runs(), false, false);
  CHECK(again.at("number_of_runs") == 0);
  CHECK_THAT(joined(again.at("errors")),
             Catch::Contains("A2: the beamtime already has a run with ID 1"));
  CHECK(again.at("errors").as_array().size() == 3);
  CHECK(runs_of(api, b.bt) == 3);
}

TEST_CASE("simulate=true computes everything and imports nothing", "[spreadsheet]") {
  Api api(shared_server());
  const auto b = import_beamtime(api, "R11 simulate");
  const auto j = import_ok(api, b.bt, three_runs(), true, true);
  INFO(json::serialize(j));
  CHECK(j.at("errors").as_array().empty());
  CHECK(j.at("number_of_runs") == 3);
  const auto& ds = j.at("data_sets").as_array();
  REQUIRE(ds.size() == 2);  // lyso and nacl
  CHECK(ds[0].at("id").as_int64() > 0);
  CHECK(ds[0].at("experiment_type_id") == b.et);
  CHECK(ds[0].at("beamtime_id") == b.bt);
  CHECK(ds[0].at("attributi") == json::array{json::object{{"attributo_id", b.sample},
                                                          {"attributo_value_chemical", b.lyso}}});
  CHECK(runs_of(api, b.bt) == 0);
  CHECK(data_sets_of(api, b.et) == 0);
  CHECK(run_list(api, b.bt).empty());
}

TEST_CASE("create_data_sets makes one data set per new combination", "[spreadsheet]") {
  Api api(shared_server());
  const auto b = import_beamtime(api, "R11 data sets");
  // A data set for nacl exists already.
  api.post_ok("/api/data-sets",
              json::object{{"experiment_type_id", b.et},
                           {"attributi", json::array{value_chemical(b.sample, b.nacl)}}});
  const auto j = import_ok(api, b.bt, three_runs(), false, true);
  INFO(json::serialize(j));
  CHECK(j.at("errors").as_array().empty());
  const auto& ds = j.at("data_sets").as_array();
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].at("attributi").as_array()[0].at("attributo_value_chemical") == b.lyso);
  CHECK(data_sets_of(api, b.et) == 2);
  CHECK(runs_of(api, b.bt) == 3);

  // Runs without a value for the type's attributo: errors, nothing imported.
  const auto missing = xlsx_bytes([](xl::WorkbookWriter::Sheet& s) {
    headers(s, {"temp"});
    s.number(1, 0, 10);
    s.string(1, 1, "SFX");
    s.datetime(1, 2, wall(2024y / May / 2, 10));
    s.string(1, 4, "x.h5");
    s.number(1, 5, 1);
  });
  const auto k = import_ok(api, b.bt, missing, false, true);
  INFO(json::serialize(k));
  CHECK_THAT(joined(k.at("errors")), Catch::Contains("run 10: tried to create a data set"));
  CHECK(k.at("number_of_runs") == 1);
  CHECK(k.at("data_sets").as_array().empty());
  CHECK(runs_of(api, b.bt) == 3);
}

TEST_CASE("a sheet with errors imports nothing and names every problem", "[spreadsheet]") {
  Api api(shared_server());
  const auto b = import_beamtime(api, "R11 errors");
  // Run 7 exists.
  insert_run(api.db(), b.bt, 7, b.et);
  const auto bytes = xlsx_bytes([](xl::WorkbookWriter::Sheet& s) {
    headers(s, {"sample", "temp", "flag"});
    const auto row = [&](std::uint32_t r, double id, const char* et) {
      s.number(r, 0, id);
      s.string(r, 1, et);
      s.datetime(r, 2, wall(2024y / May / 1, 10));
      s.string(r, 4, "f" + std::to_string(r) + ".h5");
    };
    row(1, 1, "SFX");   // fine
    row(2, 2, "XFEL");  // unknown experiment type
    row(3, 1, "SFX");   // duplicate id
    row(4, 7, "SFX");   // in the database already
    row(5, 8, "SFX");   // bad cells
    s.string(5, 5, "nosuch");
    s.string(5, 6, "warm");
    s.string(5, 7, "perhaps");
  });
  const auto j = import_ok(api, b.bt, bytes, false, false);
  const auto errors = joined(j.at("errors"));
  INFO(errors);
  CHECK_THAT(errors, Catch::Contains("B3: experiment type “XFEL” not found"));
  CHECK_THAT(errors, Catch::Contains("A4: the run ID 1 appears already in row 2"));
  CHECK_THAT(errors, Catch::Contains("A5: the beamtime already has a run with ID 7"));
  CHECK_THAT(errors, Catch::Contains("F6 (column “sample”)"));
  CHECK_THAT(errors, Catch::Contains("G6 (column “temp”)"));
  CHECK_THAT(errors, Catch::Contains("H6 (column “flag”)"));
  CHECK(j.at("errors").as_array().size() == 6);
  CHECK(j.at("number_of_runs") == 0);
  CHECK(runs_of(api, b.bt) == 1);

  // An unknown column.
  const auto unknown = xlsx_bytes([](xl::WorkbookWriter::Sheet& s) {
    headers(s, {"temp", "pressure"});
  });
  const auto k = import_ok(api, b.bt, unknown, false, false);
  CHECK_THAT(joined(k.at("errors")), Catch::Contains("G (“pressure”)"));
  CHECK(runs_of(api, b.bt) == 1);
}

TEST_CASE("bulk import request validation", "[spreadsheet]") {
  Api api(shared_server());
  const auto b = import_beamtime(api, "R11 validation");
  const auto bytes = three_runs();
  auto d = require_422(upload(api, b.bt, bytes, ""));
  REQUIRE(d.size() == 2);
  CHECK(d[0].at("loc") == json::array{"query", "simulate"});
  CHECK(d[0].at("type") == "missing");
  CHECK(d[1].at("loc") == json::array{"query", "create_data_sets"});
  d = require_422(upload(api, b.bt, bytes, "?simulate=maybe&create_data_sets=false"));
  CHECK(d[0].at("loc") == json::array{"query", "simulate"});
  // Lax booleans.
  auto r = upload(api, b.bt, bytes, "?simulate=YES&create_data_sets=off");
  REQUIRE(r.status == 200);
  CHECK(r.json().at("simulated") == true);
  CHECK(r.json().at("create_data_sets") == false);
  CHECK(runs_of(api, b.bt) == 0);
  // No file part.
  const std::string no_file = "--" + kBoundary +
                              "\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--" +
                              kBoundary + "--\r\n";
  d = require_422(api.request(
      "POST", "/api/run-bulk-import/" + std::to_string(b.bt) + "?simulate=1&create_data_sets=0",
      no_file, {{"Content-Type", "multipart/form-data; boundary=" + kBoundary}}));
  CHECK(d[0].at("loc") == json::array{"body", "file"});
  // Not multipart at all.
  d = require_422(api.request(
      "POST", "/api/run-bulk-import/" + std::to_string(b.bt) + "?simulate=1&create_data_sets=0",
      bytes, {{"Content-Type", kXlsx}}));
  CHECK(d[0].at("loc") == json::array{"body", "file"});
}

TEST_CASE("hostile uploads are refused with 400 and import nothing", "[spreadsheet]") {
  Api api(shared_server());
  const auto b = import_beamtime(api, "R11 hostile");
  const auto good = three_runs();
  const std::string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  const auto minimal = [&](const std::string& sheet) {
    return zip_bytes(
        {{"_rels/.rels",
          "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
          "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
          "2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"},
         {"xl/workbook.xml",
          "<workbook xmlns=\"" + ns +
              "\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
              "<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
         {"xl/_rels/workbook.xml.rels",
          "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
          "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
          "2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"},
         {"xl/worksheets/sheet1.xml", sheet}});
  };
  const std::map<std::string, std::pair<std::string, std::string>> cases = {
      {"text", {"this is not a spreadsheet", "not a zip archive"}},
      {"empty", {"", "not a zip archive"}},
      {"zip without workbook", {zip_bytes({{"a.txt", "hello"}}), "no xl/workbook.xml"}},
      {"truncated", {good.substr(0, good.size() / 2), "cannot read the spreadsheet"}},
      {"zip bomb",
       {minimal("<worksheet xmlns=\"" + ns + "\"><sheetData/>" + std::string(100u << 20, ' ') +
                "</worksheet>"),
        "zip bomb"}},
      {"entities",
       {minimal("<?xml version=\"1.0\"?><!DOCTYPE z [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
                "\"&a;&a;&a;&a;&a;&a;&a;&a;\">]><worksheet xmlns=\"" +
                ns +
                "\"><sheetData><row><c t=\"inlineStr\"><is><t>&b;</t></is></c></row>"
                "</sheetData></worksheet>"),
        "DTD"}},
      {"too many rows",
       {minimal("<worksheet xmlns=\"" + ns +
                "\"><sheetData><row r=\"200000\"><c><v>1</v></c></row></sheetData></worksheet>"),
        "rows"}},
  };
  for (const auto& [name, c] : cases) {
    INFO(name);
    const auto r = upload(api, b.bt, c.first, "?simulate=false&create_data_sets=false");
    const auto detail = require_400(r);
    CHECK_THAT(detail, Catch::StartsWith("cannot read the spreadsheet: "));
    CHECK_THAT(detail, Catch::Contains(c.second));
  }
  CHECK(runs_of(api, b.bt) == 0);
  // The server is still fine.
  CHECK(import_ok(api, b.bt, good, false, false).at("number_of_runs") == 3);
}

// ---- the export ------------------------------------------------------------------------

namespace {

std::map<std::string, std::string> unzip(const std::string& bytes) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  REQUIRE(src != nullptr);
  zip_t* z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (z == nullptr) zip_source_free(src);
  REQUIRE(z != nullptr);
  std::map<std::string, std::string> out;
  for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); ++i) {
    zip_stat_t st;
    zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st);
    std::string data(st.size, '\0');
    zip_file_t* f = zip_fopen_index(z, static_cast<zip_uint64_t>(i), 0);
    REQUIRE(f != nullptr);
    CHECK(zip_fread(f, data.data(), data.size()) == static_cast<zip_int64_t>(st.size));
    zip_fclose(f);
    out.emplace(st.name, std::move(data));
  }
  zip_discard(z);
  return out;
}

std::vector<std::string> row_texts(const xl::Sheet& s, std::uint32_t row) {
  std::vector<std::string> out;
  for (std::uint32_t c = 0; c < s.column_count(); ++c) {
    const auto* cell = s.find(row, c);
    out.emplace_back(cell ? std::string(s.text(*cell)) : "");
  }
  while (!out.empty() && out.back().empty())
    out.pop_back();
  return out;
}

}  // namespace

TEST_CASE("the beamtime export zip: tables and plain file bytes (T39)", "[spreadsheet]") {
  ServerOnFreshDb server;
  Api api(server);
  const auto bt = create_beamtime(api, "T39");
  const auto sample = create_attributo(api, bt, "sample", "run", chemical_id_type());
  const auto temp = create_attributo(api, bt, "temp", "run", number_type());
  const auto cell = create_attributo(api, bt, "cell", "chemical", string_type());
  const auto pg = create_attributo(api, bt, "point group", "chemical", string_type());
  const std::string text = "first\nsecond\nlast";
  const auto uploaded = upload_file(api, "notes.txt", text);
  const auto lyso =
      create_chemical(api, bt, "lyso", {value_str(cell, "P1"), value_str(pg, "4/mmm")}, {uploaded});
  const auto et = create_experiment_type(api, bt, "SFX", {{sample, "crystal"}});
  api.request("PATCH", "/api/user-config/" + std::to_string(bt) + "/current-experiment-type-id/" +
                           std::to_string(et));
  auto run = api.post_ok("/api/runs/1000",
                         json::object{{"beamtime_id", bt},
                                      {"attributi", json::array{value_chemical(sample, lyso),
                                                                value_float(temp, 21.5)}},
                                      {"files", json::array{}},
                                      {"started", 1}});
  CHECK(run.at("run_created") == true);
  // A file of an original database: bytes in File.contents, no blob.
  const std::string original = "bytes kept in the database";
  const auto original_id = insert_returning_id(
      api.db(), "File",
      "INSERT INTO \"File\" (type, file_name, size_in_bytes, original_path, sha256, modified, "
      "contents, description, size_in_bytes_compressed) VALUES ('text/plain', 'old.log', " +
          std::to_string(original.size()) + ", NULL, " +
          sql_quote(amarcord::storage::sha256_hex(original)) + ", '2025-01-01 00:00:00.000000', " +
          sql_quote(original) + ", 'old', NULL)");
  api.post_ok("/api/events",
              json::object{{"beamtime_id", bt},
                           {"event", json::object{{"source", "user"},
                                                  {"text", "hello"},
                                                  {"level", "user"},
                                                  {"file_ids", json::array{original_id}}}},
                           {"with_live_stream", false}});

  const auto mark = server_log_mark(server);
  const auto r = server.client().get("/api/" + std::to_string(bt) + "/spreadsheet.zip");
  INFO(r.body.substr(0, 500) << "\n" << server_log_problems(server, mark));
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "application/zip");
  const auto disposition = r.header("content-disposition");
  const std::string prefix =
      "attachment; filename=\"amarcord-beamtime-" + std::to_string(bt) + "-export-";
  REQUIRE_THAT(disposition, Catch::StartsWith(prefix));
  REQUIRE_THAT(disposition, Catch::EndsWith(".zip\""));
  // The directory inside the zip is the file name without ".zip".
  const auto stem =
      disposition.substr(std::string("attachment; filename=\"").size(),
                         disposition.size() - std::string("attachment; filename=\"").size() - 5);
  CHECK(stem.size() ==
        std::string("amarcord-beamtime-" + std::to_string(bt) + "-export-YYYY-MM-DD_HH-MM-SS")
            .size());

  const auto entries = unzip(r.body);
  std::set<std::string> names;
  for (const auto& [n, d] : entries)
    names.insert(n);
  const std::set<std::string> expected = {stem + "/tables.xlsx",
                                          stem + "/files/" + std::to_string(uploaded) + ".txt",
                                          stem + "/files/" + std::to_string(original_id) + ".log"};
  CHECK(names == expected);
  CHECK(entries.at(stem + "/files/" + std::to_string(uploaded) + ".txt") == text);
  CHECK(entries.at(stem + "/files/" + std::to_string(original_id) + ".log") == original);

  auto wb = xl::Workbook::open_memory(entries.at(stem + "/tables.xlsx"));
  CHECK(wb.sheet_names() == std::vector<std::string>{"Runs", "Attributi", "Chemicals"});
  CHECK(wb.active_index() == 0);
  const auto runs = wb.read_sheet(0);
  CHECK(row_texts(runs, 0) ==
        std::vector<std::string>{"ID", "started", "stopped", "sample", "temp"});
  const auto* a2 = runs.find(1, 0);
  REQUIRE(a2 != nullptr);
  CHECK(a2->kind == xl::CellKind::number);
  CHECK(a2->number == 1000);
  CHECK(runs.find(1, 1)->kind == xl::CellKind::date);
  // started: 1 ms after the epoch (AMARCORD_TZ=UTC).
  const auto started = xl::serial_to_wall_ms(runs.find(1, 1)->number, false);
  REQUIRE(started);
  CHECK(*started == 1);
  CHECK(runs.text(*runs.find(1, 3)) == "lyso");
  CHECK(runs.find(1, 4)->number == 21.5);
  // The event follows the run.
  CHECK(runs.text(*runs.find(2, 3)) ==
        "user: hello (file IDs: " + std::to_string(original_id) + ")");
  CHECK(runs.find(2, 1)->kind == xl::CellKind::date);

  const auto attributi = wb.read_sheet(1);
  CHECK(row_texts(attributi, 0) ==
        std::vector<std::string>{"Table", "Name", "Group", "Description", "Type"});
  CHECK(row_texts(attributi, 1) ==
        std::vector<std::string>{"Chemical", "cell", "manual", "description", "string"});
  CHECK(row_texts(attributi, 3) ==
        std::vector<std::string>{"Run", "sample", "manual", "description", "chemical ID"});
  CHECK(row_texts(attributi, 4) ==
        std::vector<std::string>{"Run", "temp", "manual", "description", "number"});

  const auto chemicals = wb.read_sheet(2);
  CHECK(row_texts(chemicals, 0) ==
        std::vector<std::string>{"Name", "cell", "point group", "File IDs"});
  CHECK(row_texts(chemicals, 1) ==
        std::vector<std::string>{"lyso", "P1", "4/mmm", std::to_string(uploaded)});

  // Nothing is left behind in DATA_DIR/tmp.
  for (const auto& e : fs::directory_iterator(server.data_dir / "tmp")) {
    CHECK_FALSE(e.path().filename().string().starts_with("blob-export"));
  }

  require_404(api.get("/api/999999/spreadsheet.zip"));
  require_422(api.get("/api/abc/spreadsheet.zip"));
  // Other two-segment API paths are not shadowed.
  CHECK(api.get("/api/beamtimes/" + std::to_string(bt)).status == 200);
}
