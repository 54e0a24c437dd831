#include "xlsx/reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <string>

#include "xlsx/test_support.hpp"
#include "xlsx/writer.hpp"

namespace {

using namespace amarcord::xlsx;
using namespace amarcord::xlsx::testing;
using namespace std::chrono;

std::int64_t wall(year_month_day ymd, int h = 0, int m = 0, int s = 0) {
  const auto t = sys_days{ymd} + hours{h} + minutes{m} + seconds{s};
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

// Every problem of an XlsxError, joined.
std::string problems_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const XlsxError& e) {
    std::string out;
    for (const auto& p : e.problems())
      out += p + "\n";
    return out;
  }
  FAIL("no XlsxError");
  return {};
}

std::string read_error(const std::string& bytes, const Limits& limits = {}) {
  return problems_of([&] {
    auto wb = Workbook::open_memory(bytes, limits);
    wb.read_active_sheet();
  });
}

std::string incompressible(std::size_t n) {
  std::mt19937 rng(42);
  std::string s(n, '\0');
  for (auto& c : s)
    c = static_cast<char>('a' + rng() % 26);
  return s;
}

void fill_sample(WorkbookWriter& wb) {
  auto first = wb.add_sheet("First");
  first.string(0, 0, "not active");
  auto s = wb.add_sheet("Data");
  s.string(0, 0, "text");
  s.number(0, 1, 42);
  s.number(0, 2, 3.5);
  s.boolean(0, 3, true);
  s.boolean(0, 4, false);
  s.datetime(0, 5, wall(2024y / May / 1, 10, 15, 30));
  // G1 stays empty
  s.string(0, 7, "");
  s.formula_number(0, 8, "=1+1", 2);
  s.string(2, 0, "after an empty row");
  s.string(2, 1, "ünïcödé ✓");
  s.string(2, 2, "text");  // the same string again
  s.activate();
}

void check_sample(const Sheet& sheet) {
  CHECK(sheet.name == "Data");
  CHECK_FALSE(sheet.date1904);
  const Cell* a1 = sheet.find(0, 0);
  REQUIRE(a1 != nullptr);
  CHECK(a1->kind == CellKind::string);
  CHECK(sheet.text(*a1) == "text");
  const Cell* b1 = sheet.find(0, 1);
  REQUIRE(b1 != nullptr);
  CHECK(b1->kind == CellKind::number);
  CHECK(b1->number == 42);
  CHECK(sheet.find(0, 2)->number == 3.5);
  CHECK(sheet.find(0, 3)->kind == CellKind::boolean);
  CHECK(sheet.find(0, 3)->number == 1);
  CHECK(sheet.find(0, 4)->kind == CellKind::boolean);
  CHECK(sheet.find(0, 4)->number == 0);
  const Cell* f1 = sheet.find(0, 5);
  REQUIRE(f1 != nullptr);
  CHECK(f1->kind == CellKind::date);
  CHECK(serial_to_wall_ms(f1->number, false) == wall(2024y / May / 1, 10, 15, 30));
  CHECK(sheet.find(0, 6) == nullptr);
  const Cell* i1 = sheet.find(0, 8);
  REQUIRE(i1 != nullptr);
  CHECK(i1->kind == CellKind::number);
  CHECK(i1->number == 2);
  CHECK(sheet.find(1, 0) == nullptr);
  CHECK(sheet.text(*sheet.find(2, 0)) == "after an empty row");
  CHECK(sheet.text(*sheet.find(2, 1)) == "ünïcödé ✓");
  CHECK(sheet.text(*sheet.find(2, 2)) == "text");
  CHECK(sheet.row_count() == 3);
  CHECK(sheet.column_count() == 9);
}

}  // namespace

TEST_CASE("cells of a workbook written with shared strings", "[xlsx]") {
  const auto bytes = make_xlsx(fill_sample, false);
  auto wb = Workbook::open_memory(bytes);
  REQUIRE(wb.sheet_names() == std::vector<std::string>{"First", "Data"});
  CHECK(wb.active_index() == 1);
  check_sample(wb.read_active_sheet());
  const auto first = wb.read_sheet("First");
  REQUIRE(first);
  CHECK(first->text(*first->find(0, 0)) == "not active");
  CHECK_FALSE(wb.read_sheet("nope"));
}

TEST_CASE("cells of a workbook written with inline strings (constant memory)", "[xlsx]") {
  const auto bytes = make_xlsx(fill_sample, true);
  auto wb = Workbook::open_memory(bytes);
  check_sample(wb.read_active_sheet());
}

TEST_CASE("workbooks open from a path and from a file descriptor", "[xlsx]") {
  TempDir dir;
  const auto path = dir.path() / "book.xlsx";
  {
    WorkbookWriter w(path);
    fill_sample(w);
    w.close();
  }
  check_sample(Workbook::open_path(path).read_active_sheet());
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  check_sample(Workbook::open_fd(fd).read_active_sheet());
  // The caller's descriptor stays open.
  CHECK(::fcntl(fd, F_GETFD) >= 0);
  ::close(fd);
}

TEST_CASE("the first sheet is active by default; merged ranges are reported", "[xlsx]") {
  const auto bytes = make_xlsx([](WorkbookWriter& wb) {
    auto s = wb.add_sheet("One");
    s.merge(0, 0, 0, 2, "merged header");
    wb.add_sheet("Two");
  });
  auto wb = Workbook::open_memory(bytes);
  CHECK(wb.active_index() == 0);
  const auto sheet = wb.read_active_sheet();
  REQUIRE(sheet.merged().size() == 1);
  CHECK(sheet.merged()[0].first_row == 0);
  CHECK(sheet.merged()[0].first_col == 0);
  CHECK(sheet.merged()[0].last_col == 2);
  CHECK(sheet.text(*sheet.find(0, 0)) == "merged header");
}

TEST_CASE("hand-written sheets: every cell type, implicit references, rich text", "[xlsx]") {
  const std::string shared =
      std::string("<sst xmlns=\"") + kMainNs +
      "\"><si><t>plain</t></si><si><r><t>rich </t></r><r><t>text</t></r><rPh><t>ignored</t></rPh>"
      "</si><si><t>tab_x0009_here</t></si></sst>";
  const std::string styles =
      std::string("<styleSheet xmlns=\"") + kMainNs +
      "\"><numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy hh:mm\"/>"
      "</numFmts><cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs>"
      "<xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"14\"/><xf numFmtId=\"2\"/>"
      "</cellXfs></styleSheet>";
  const std::string rows =
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c>"
      "<c t=\"inlineStr\"><is><t>inline</t></is></c><c t=\"str\"><f>A1</f><v>formula</v></c>"
      "<c t=\"b\"><v>1</v></c><c t=\"e\"><v>#DIV/0!</v></c><c t=\"s\"><v>2</v></c></row>"
      "<row><c s=\"1\"><v>45413.5</v></c><c s=\"2\"><v>45413</v></c><c s=\"3\"><v>1.5</v></c>"
      "<c r=\"E2\"><v>-2.5E-3</v></c><c r=\"F2\" s=\"1\"/></row>"
      "<row r=\"5\"><c r=\"C5\" t=\"d\"><v>2024-05-01T12:00:00</v></c></row>";
  auto wb = Workbook::open_memory(minimal_xlsx(sheet_xml(rows), shared, styles));
  const auto sheet = wb.read_active_sheet();
  CHECK(sheet.text(*sheet.find(0, 0)) == "plain");
  CHECK(sheet.text(*sheet.find(0, 1)) == "rich text");
  CHECK(sheet.text(*sheet.find(0, 2)) == "inline");
  CHECK(sheet.text(*sheet.find(0, 3)) == "formula");
  CHECK(sheet.find(0, 4)->kind == CellKind::boolean);
  CHECK(sheet.find(0, 5)->kind == CellKind::error);
  CHECK(sheet.text(*sheet.find(0, 5)) == "#DIV/0!");
  CHECK(sheet.text(*sheet.find(0, 6)) == "tab\there");
  CHECK(sheet.find(1, 0)->kind == CellKind::date);
  CHECK(serial_to_wall_ms(sheet.find(1, 0)->number, false) == wall(2024y / May / 1, 12));
  CHECK(sheet.find(1, 1)->kind == CellKind::date);
  CHECK(sheet.find(1, 2)->kind == CellKind::number);
  CHECK(sheet.find(1, 4)->number == -0.0025);
  CHECK(sheet.find(1, 5) == nullptr);  // a styled cell without a value
  CHECK(sheet.find(4, 2)->kind == CellKind::date);
  CHECK(serial_to_wall_ms(sheet.find(4, 2)->number, false) == wall(2024y / May / 1, 12));
  CHECK(sheet.row_count() == 5);
}

TEST_CASE("Excel serial dates, with the 1900 leap-year bug and the 1904 system", "[xlsx]") {
  CHECK(serial_to_wall_ms(1, false) == wall(1900y / January / 1));
  CHECK(serial_to_wall_ms(59, false) == wall(1900y / February / 28));
  CHECK(serial_to_wall_ms(61, false) == wall(1900y / March / 1));
  CHECK(serial_to_wall_ms(45413.25, false) == wall(2024y / May / 1, 6));
  CHECK(serial_to_wall_ms(45413 + (10 * 3600 + 15 * 60 + 30) / 86400.0, false) ==
        wall(2024y / May / 1, 10, 15, 30));
  CHECK(serial_to_wall_ms(1, true) == wall(1904y / January / 2));
  CHECK_FALSE(serial_to_wall_ms(0.5, false));  // a time of day without a date
  CHECK_FALSE(serial_to_wall_ms(-1, false));
  CHECK_FALSE(serial_to_wall_ms(3e6, false));
}

TEST_CASE("date formats", "[xlsx]") {
  CHECK(is_date_format(14, ""));
  CHECK(is_date_format(22, ""));
  CHECK(is_date_format(45, ""));
  CHECK_FALSE(is_date_format(0, ""));
  CHECK_FALSE(is_date_format(2, ""));
  CHECK(is_date_format(164, "yyyy-mm-dd"));
  CHECK(is_date_format(164, "[$-409]h:mm AM/PM"));
  CHECK(is_date_format(164, "[h]:mm"));
  CHECK_FALSE(is_date_format(164, "0.00"));
  CHECK_FALSE(is_date_format(164, "General"));
  CHECK_FALSE(is_date_format(164, "[Red]0.00"));
  CHECK_FALSE(is_date_format(164, "0 \"days\""));
  CHECK_FALSE(is_date_format(164, "0\\d"));
}

TEST_CASE("cell names", "[xlsx]") {
  CHECK(column_name(0) == "A");
  CHECK(column_name(25) == "Z");
  CHECK(column_name(26) == "AA");
  CHECK(column_name(16383) == "XFD");
  CHECK(cell_name(2, 1) == "B3");
  CHECK(parse_cell_name("B3") == std::make_pair(2u, 1u));
  CHECK(parse_cell_name("$AA$10") == std::make_pair(9u, 26u));
  CHECK_FALSE(parse_cell_name("3B"));
  CHECK_FALSE(parse_cell_name("A0"));
  CHECK_FALSE(parse_cell_name("XFE1"));
}

// ---- hostile input ----------------------------------------------------------------

TEST_CASE("files that are not xlsx workbooks", "[xlsx]") {
  CHECK_THAT(read_error(""), Catch::Contains("not a zip archive"));
  CHECK_THAT(read_error("hello, this is text and no zip archive at all"),
             Catch::Contains("not a zip archive"));
  CHECK_THAT(read_error(make_zip({{"hello.txt", "hello"}})), Catch::Contains("no xl/workbook.xml"));
  // A workbook whose sheet part is missing.
  auto entries = minimal_xlsx_entries(sheet_xml(""));
  entries.pop_back();
  CHECK_THAT(read_error(make_zip(entries)), Catch::Contains("missing"));
}

TEST_CASE("a truncated workbook", "[xlsx]") {
  const auto bytes = make_xlsx(fill_sample);
  for (const auto cut : {bytes.size() / 2, bytes.size() - 10, std::size_t(100)}) {
    INFO("cut at " << cut);
    const auto problems = read_error(bytes.substr(0, cut));
    CHECK_FALSE(problems.empty());
  }
  // Damage inside the compressed data of an entry.
  auto damaged = bytes;
  const auto at = damaged.find("xl/worksheets/sheet2.xml");  // its local header
  REQUIRE(at != std::string::npos);
  for (std::size_t i = at + 30; i < at + 80 && i < damaged.size(); ++i)
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5A);
  CHECK_FALSE(read_error(damaged).empty());
}

TEST_CASE("a zip bomb is refused before it is inflated", "[xlsx]") {
  // 200 MiB of spaces deflate to ~200 KiB.
  const std::string padding(200u << 20, ' ');
  const auto bytes = minimal_xlsx(sheet_xml("<row r=\"1\"><c><v>1</v></c></row>" + padding));
  CHECK(bytes.size() < (2u << 20));
  CHECK_THAT(read_error(bytes), Catch::Contains("zip bomb"));
}

TEST_CASE("compressible parts within the ratio but beyond the size limit are refused", "[xlsx]") {
  Limits limits;
  limits.max_uncompressed_bytes = 1u << 20;
  const auto huge = std::string("<sst xmlns=\"") + kMainNs + "\"><si><t>" +
                    incompressible(2u << 20) + "</t></si></sst>";
  const auto bytes = make_zip(minimal_xlsx_entries(sheet_xml(""), huge));
  CHECK_THAT(read_error(bytes, limits), Catch::Contains("too large"));
}

TEST_CASE("a huge sharedStrings part is refused", "[xlsx]") {
  // 70 MiB of short strings: over the 64 MiB budget (and a zip bomb too).
  std::string sst = std::string("<sst xmlns=\"") + kMainNs + "\">";
  const std::string item = "<si><t>x</t></si>";
  sst.reserve(70u << 20);
  while (sst.size() < (70u << 20))
    sst += item;
  sst += "</sst>";
  const auto bytes = make_zip(minimal_xlsx_entries(sheet_xml(""), sst));
  const auto problems = read_error(bytes);
  const bool refused = problems.find("too large") != std::string::npos ||
                       problems.find("zip bomb") != std::string::npos;
  CHECK(refused);
  // Stored without compression it is no bomb, but still too large.
  auto entries = minimal_xlsx_entries(sheet_xml(""), sst);
  for (auto& e : entries)
    e.deflate = false;
  CHECK_THAT(read_error(make_zip(entries)), Catch::Contains("too large"));
}

TEST_CASE("too many shared strings, rows, columns and cells are refused", "[xlsx]") {
  Limits limits;
  limits.max_shared_strings = 10;
  std::string sst = std::string("<sst xmlns=\"") + kMainNs + "\">";
  for (int i = 0; i < 11; ++i)
    sst += "<si><t>s</t></si>";
  sst += "</sst>";
  CHECK_THAT(read_error(minimal_xlsx(sheet_xml(""), sst), limits),
             Catch::Contains("shared strings"));

  CHECK_THAT(read_error(minimal_xlsx(sheet_xml("<row r=\"100001\"><c><v>1</v></c></row>"))),
             Catch::Contains("more than 100000 rows"));
  CHECK_THAT(read_error(minimal_xlsx(sheet_xml("<row r=\"1\"><c r=\"ALM1\"><v>1</v></c></row>"))),
             Catch::Contains("more than 1000 columns"));
  CHECK_THAT(read_error(minimal_xlsx(sheet_xml("<row r=\"1\"><c r=\"ZZZZ1\"><v>1</v></c></row>"))),
             Catch::Contains("reference"));
  Limits few;
  few.max_cells = 5;
  std::string rows;
  for (int i = 1; i <= 6; ++i)
    rows += "<row r=\"" + std::to_string(i) + "\"><c><v>1</v></c></row>";
  CHECK_THAT(read_error(minimal_xlsx(sheet_xml(rows)), few), Catch::Contains("cells"));
}

TEST_CASE("XML with a DTD or entity declarations is refused", "[xlsx]") {
  std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
      "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
      "<worksheet xmlns=\"" +
      std::string(kMainNs) +
      "\"><sheetData><row><c t=\"inlineStr\"><is><t>&lol3;</t></is></c>"
      "</row></sheetData></worksheet>";
  CHECK_THAT(read_error(minimal_xlsx(laughs)), Catch::Contains("DTD"));
  const std::string external =
      "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY ext SYSTEM \"file:///etc/passwd\">]>"
      "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&ext;</t></is></c></row></sheetData>"
      "</worksheet>";
  CHECK_THAT(read_error(minimal_xlsx(external)), Catch::Contains("DTD"));
  // An undefined entity without any DTD is malformed XML.
  CHECK_THAT(read_error(minimal_xlsx(sheet_xml("<row><c t=\"str\"><v>&nope;</v></c></row>"))),
             Catch::Contains("not well-formed"));
}

TEST_CASE("deep nesting and malformed XML are refused", "[xlsx]") {
  std::string deep;
  for (int i = 0; i < 200; ++i)
    deep += "<x>";
  for (int i = 0; i < 200; ++i)
    deep += "</x>";
  CHECK_THAT(read_error(minimal_xlsx(sheet_xml("", deep))), Catch::Contains("deep"));
  CHECK_THAT(read_error(minimal_xlsx("<worksheet><sheetData><row>")),
             Catch::Contains("not well-formed"));
  CHECK_THAT(read_error(minimal_xlsx(sheet_xml("<row><c t=\"s\"><v>3</v></c></row>"))),
             Catch::Contains("shared string"));
  CHECK_THAT(read_error(minimal_xlsx(sheet_xml("<row><c><v>abc</v></c></row>"))),
             Catch::Contains("number"));
}

TEST_CASE("an archive claiming more entries than allowed is refused up front", "[xlsx]") {
  Limits limits;
  limits.max_zip_entries = 3;
  const auto bytes = make_zip(minimal_xlsx_entries(sheet_xml("")));
  CHECK_THAT(read_error(bytes, limits), Catch::Contains("entries"));
  // The same check on a forged end record (65535 entries, a 4 GiB directory).
  std::string forged = "PK\x05\x06";
  forged += std::string(4, '\0');
  forged += "\xff\xfe\xff\xfe";                  // entries on disk / total: 65279
  forged += std::string("\x00\x00\x00\x7f", 4);  // directory size
  forged += std::string(6, '\0');
  CHECK_THAT(read_error(forged), Catch::Contains("entries"));
}
