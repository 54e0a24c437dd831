#include "xlsx/run_import.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "xlsx/test_support.hpp"
#include "xlsx/writer.hpp"

namespace {

using namespace amarcord;
using namespace amarcord::xlsx;
using namespace amarcord::xlsx::testing;
using namespace std::chrono;

std::int64_t wall(year_month_day ymd, int h = 0, int m = 0, int s = 0) {
  const auto t = sys_days{ymd} + hours{h} + minutes{m} + seconds{s};
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

domain::Attributo attributo(std::int64_t id, const std::string& name, domain::AttributoType t) {
  domain::Attributo a;
  a.id = id;
  a.name = name;
  a.type = std::move(t);
  return a;
}

RunImportCatalog catalog() {
  RunImportCatalog c;
  domain::NumberType temp;
  temp.range = domain::NumberRange{0.0, true, 100.0, true};
  c.run_attributi = {attributo(1, "temp", temp),
                     attributo(2, "sample", domain::ChemicalIdType{}),
                     attributo(3, "comment", domain::StringType{}),
                     attributo(4, "flag", domain::BooleanType{}),
                     attributo(5, "mode", domain::ChoiceType{{"a", "b"}}),
                     attributo(6, "count", domain::IntegerType{}),
                     attributo(7, "when", domain::DateTimeType{}),
                     attributo(8, "list", domain::ListType{})};
  domain::ExperimentType et;
  et.id = 10;
  et.name = "SFX";
  c.experiment_types = {et};
  c.chemicals = {{"lyso", 100}};
  c.existing_run_ids = {5};
  return c;
}

Sheet sheet_of(const std::function<void(WorkbookWriter::Sheet&)>& fill) {
  const auto bytes = make_xlsx([&](WorkbookWriter& wb) {
    auto s = wb.add_sheet("Runs");
    fill(s);
  });
  return Workbook::open_memory(bytes).read_active_sheet();
}

void headers(WorkbookWriter::Sheet& s, const std::vector<std::string>& extra) {
  std::uint16_t col = 0;
  for (const auto* h : kRunImportColumns)
    s.string(0, col++, h);
  for (const auto& h : extra)
    s.string(0, col++, h);
}

std::string all(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    out += s + "\n";
  return out;
}

}  // namespace

TEST_CASE("the template's headers", "[xlsx]") {
  const auto c = catalog();
  const auto h = run_import_headers(c.run_attributi);
  REQUIRE(h.size() == 13);
  CHECK(h[0] == "run id");
  CHECK(h[4] == "files");
  CHECK(h[5] == "temp");
}

TEST_CASE("a valid import sheet becomes runs", "[xlsx]") {
  const auto zone = domain::TimeZone::load("Europe/Berlin");
  // Both sheets below start with these headers and this first run.
  const auto first_run = [](WorkbookWriter::Sheet& s) {
    headers(s, {"temp", "sample", "comment", "flag", "mode", "count", "when"});
    s.number(1, 0, 1);
    s.string(1, 1, "SFX");
    s.datetime(1, 2, wall(2024y / May / 1, 10));
    s.datetime(1, 3, wall(2024y / May / 1, 11));
    s.string(1, 4, "a.h5, b.h5");
    s.number(1, 5, 20.5);
    s.string(1, 6, " lyso ");
    s.string(1, 7, "hello");
    s.boolean(1, 8, true);
    s.string(1, 9, "a");
    s.number(1, 10, 3);
    s.datetime(1, 11, wall(2024y / January / 1, 12));
  };
  const auto sheet = sheet_of([&](WorkbookWriter::Sheet& s) {
    first_run(s);
    s.number(2, 0, 2);
    s.string(2, 1, "SFX");
    s.string(2, 2, "2024-05-01 12:00:00");
    s.string(2, 4, "a.h5");
    s.string(2, 8, "No");
    s.string(2, 10, "4");
    s.number(4, 0, 3);  // row 4 (index 3) stays empty: errors
    s.string(4, 1, "SFX");
    s.datetime(4, 2, wall(2024y / May / 2));
    s.string(4, 4, "c.h5");
  });
  auto c = catalog();
  auto result = interpret_run_sheet(sheet, c, zone);
  CHECK_THAT(all(result.errors), Catch::Contains("A4: the run ID is missing"));
  CHECK(result.errors.size() == 4);  // A4, B4, C4, E4

  // Without the empty row.
  const auto clean = sheet_of([&](WorkbookWriter::Sheet& s) {
    first_run(s);
    s.number(2, 0, 3);
    s.string(2, 1, "SFX");
    s.string(2, 2, "2024-05-01 12:00");
    s.string(2, 4, "a.h5");
    s.string(2, 8, "No");
    s.string(2, 10, "4");
  });
  result = interpret_run_sheet(clean, c, zone);
  INFO(all(result.errors));
  REQUIRE(result.errors.empty());
  REQUIRE(result.runs.size() == 2);
  const auto& r1 = result.runs[0];
  CHECK(r1.row == 2);
  CHECK(r1.external_id == 1);
  CHECK(r1.experiment_type_id == 10);
  // 10:00 in Berlin summer time is 08:00 UTC.
  CHECK(domain::to_utc_ms(r1.started) == wall(2024y / May / 1, 8));
  REQUIRE(r1.stopped);
  CHECK(domain::to_utc_ms(*r1.stopped) == wall(2024y / May / 1, 9));
  CHECK(r1.files == std::vector<std::string>{"a.h5", "b.h5"});
  CHECK(r1.values.at(1).number == 20.5);
  CHECK(r1.values.at(2).chemical == 100);
  CHECK(r1.values.at(3).string == "hello");
  CHECK(r1.values.at(4).boolean == true);
  CHECK(r1.values.at(5).string == "a");
  CHECK(r1.values.at(6).integer == 3);
  CHECK(domain::to_utc_ms(*r1.values.at(7).datetime) == wall(2024y / January / 1, 11));
  const auto& r2 = result.runs[1];
  CHECK(domain::to_utc_ms(r2.started) == wall(2024y / May / 1, 10));
  CHECK_FALSE(r2.stopped);
  CHECK(r2.values.size() == 2);
  CHECK(r2.values.at(4).boolean == false);
  CHECK(r2.values.at(6).integer == 4);
  // Warnings: a.h5 twice, ids 1 and 3 not consecutive.
  CHECK_THAT(all(result.warnings),
             Catch::Contains("row 3: the file path a.h5 already appears in row 2"));
  CHECK_THAT(all(result.warnings), Catch::Contains("run 1 is followed by run 3"));
}

TEST_CASE("every problem of an import sheet is reported", "[xlsx]") {
  const auto zone = domain::TimeZone::load("UTC");
  const auto sheet = sheet_of([](WorkbookWriter::Sheet& s) {
    headers(s, {"temp", "sample", "flag", "mode", "count", "list"});
    // row 2: fine apart from the values
    s.number(1, 0, 1);
    s.string(1, 1, "SFX");
    s.datetime(1, 2, wall(2024y / May / 1, 10));
    s.string(1, 4, "a.h5");
    s.number(1, 5, 200);      // out of range
    s.string(1, 6, "nacl");   // unknown chemical
    s.string(1, 7, "maybe");  // not a boolean
    s.string(1, 8, "c");      // not a choice
    s.number(1, 9, 1.5);      // not an integer
    s.string(1, 10, "x");     // lists are not importable
    // row 3: unknown experiment type, no start time
    s.number(2, 0, 2);
    s.string(2, 1, "sfx");
    s.string(2, 4, "b.h5");
    // row 4: run 5 exists; started is a plain number
    s.number(3, 0, 5);
    s.string(3, 1, "SFX");
    s.number(3, 2, 45000);
    s.string(3, 4, "c.h5");
    // rows 5 and 6: the same run id twice
    for (std::uint32_t r : {4u, 5u}) {
      s.number(r, 0, 7);
      s.string(r, 1, "SFX");
      s.datetime(r, 2, wall(2024y / May / 1, 10));
      s.string(r, 4, "d.h5");
    }
    // row 7: a run id that is text
    s.string(6, 0, "seven");
    s.string(6, 1, "SFX");
    s.datetime(6, 2, wall(2024y / May / 1, 10));
    s.string(6, 4, "e.h5");
  });
  const auto result = interpret_run_sheet(sheet, catalog(), zone);
  const auto errors = all(result.errors);
  INFO(errors);
  CHECK_THAT(errors, Catch::Contains("F2 (column “temp”): out of range"));
  CHECK_THAT(errors, Catch::Contains("G2 (column “sample”): is a chemical"));
  CHECK_THAT(errors, Catch::Contains("H2 (column “flag”): is a yes/no value"));
  CHECK_THAT(errors, Catch::Contains("I2 (column “mode”): value “c” is not one of the choices"));
  CHECK_THAT(errors, Catch::Contains("J2 (column “count”): is an integer"));
  CHECK_THAT(errors, Catch::Contains("K2 (column “list”): list attributi"));
  CHECK_THAT(errors, Catch::Contains("B3: experiment type “sfx” not found"));
  CHECK_THAT(errors, Catch::Contains("C3: the run start time is missing"));
  CHECK_THAT(errors, Catch::Contains("C4: should be the run start time, but it is a number"));
  CHECK_THAT(errors, Catch::Contains("A6: the run ID 7 appears already in row 5"));
  CHECK_THAT(errors, Catch::Contains("A7: should be a numerical run ID, but it is \"seven\""));
  CHECK(result.errors.size() == 11);

  // Row 4 without its timestamp problem: the existing run is reported.
  const auto existing = sheet_of([](WorkbookWriter::Sheet& s) {
    headers(s, {});
    s.number(1, 0, 5);
    s.string(1, 1, "SFX");
    s.datetime(1, 2, wall(2024y / May / 1, 10));
    s.string(1, 4, "c.h5");
  });
  CHECK_THAT(all(interpret_run_sheet(existing, catalog(), zone).errors),
             Catch::Contains("A2: the beamtime already has a run with ID 5"));
}

TEST_CASE("header problems", "[xlsx]") {
  const auto zone = domain::TimeZone::load("UTC");
  const auto wrong = sheet_of([](WorkbookWriter::Sheet& s) {
    s.string(0, 0, "Run ID");
    s.string(0, 1, "experiment type");
    s.string(0, 2, "started");
    s.string(0, 4, "files");
    s.string(0, 5, "nosuch");
    s.string(0, 6, "temp");
    s.string(0, 7, "temp");
    s.number(1, 8, 1);  // a value under no header
  });
  const auto errors = all(interpret_run_sheet(wrong, catalog(), zone).errors);
  INFO(errors);
  CHECK_THAT(errors, Catch::Contains("expected cell A1 to be “run id”, but it is \"Run ID\""));
  CHECK_THAT(errors, Catch::Contains("expected cell D1 to be “stopped”, but it is empty"));
  CHECK_THAT(errors, Catch::Contains("no run attributi for them: F (“nosuch”)"));
  CHECK_THAT(errors, Catch::Contains("columns G and H both have the header “temp”"));
  CHECK_THAT(errors, Catch::Contains("column I has values, but no header"));

  const auto merged = sheet_of([](WorkbookWriter::Sheet& s) {
    headers(s, {});
    s.merge(0, 5, 0, 6, "temp");
  });
  CHECK_THAT(all(interpret_run_sheet(merged, catalog(), zone).errors),
             Catch::Contains("F1:G1 are merged"));

  auto none = catalog();
  none.experiment_types.clear();
  const auto ok = sheet_of([](WorkbookWriter::Sheet& s) { headers(s, {}); });
  CHECK_THAT(all(interpret_run_sheet(ok, none, zone).errors),
             Catch::Contains("no experiment types"));
  const auto result = interpret_run_sheet(ok, catalog(), zone);
  CHECK(result.errors.empty());
  CHECK(result.runs.empty());
}

TEST_CASE("the problems reported are capped", "[xlsx]") {
  const auto sheet = sheet_of([](WorkbookWriter::Sheet& s) {
    headers(s, {});
    for (std::uint32_t r = 1; r <= 1200; ++r)
      s.number(r, 0, r);  // each row lacks B, C and E
  });
  const auto result = interpret_run_sheet(sheet, catalog(), domain::TimeZone::load("UTC"));
  REQUIRE(result.errors.size() == 1001);
  CHECK_THAT(result.errors.back(),
             Catch::Contains("more than 1000 problems: stopped reading at row"));
}

TEST_CASE("cell text", "[xlsx]") {
  const auto sheet = sheet_of([](WorkbookWriter::Sheet& s) {
    s.number(0, 0, 3);
    s.number(0, 1, 2.5);
    s.boolean(0, 2, true);
    s.datetime(0, 3, wall(2024y / May / 1, 10, 5, 7));
    s.string(0, 4, "x");
    s.number(0, 5, 1e-5);
  });
  CHECK(cell_text(sheet, *sheet.find(0, 0)) == "3");
  CHECK(cell_text(sheet, *sheet.find(0, 1)) == "2.5");
  CHECK(cell_text(sheet, *sheet.find(0, 2)) == "True");
  CHECK(cell_text(sheet, *sheet.find(0, 3)) == "2024-05-01 10:05:07");
  CHECK(cell_text(sheet, *sheet.find(0, 4)) == "x");
  CHECK(cell_text(sheet, *sheet.find(0, 5)) == "1e-05");
}
