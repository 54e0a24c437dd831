#include "domain/run_filter.hpp"
#include <catch2/catch.hpp>

#include <boost/json/array.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using amarcord::domain::AssociatedTable;
using amarcord::domain::Attributo;
using amarcord::domain::AttributoType;
using amarcord::domain::AttributoValue;
using amarcord::domain::BooleanType;
using amarcord::domain::ChemicalIdType;
using amarcord::domain::ChoiceType;
using amarcord::domain::DateTimeType;
using amarcord::domain::FilterContext;
using amarcord::domain::FilterError;
using amarcord::domain::FilterRun;
using amarcord::domain::Instant;
using amarcord::domain::IntegerType;
using amarcord::domain::ListItemType;
using amarcord::domain::ListType;
using amarcord::domain::NumberType;
using amarcord::domain::RunFilter;
using amarcord::domain::StringType;
using amarcord::domain::ValueMap;

namespace {

// Attributo ids of the test beamtime.
enum : std::int64_t {
  kRunString = 1,
  kRunInt = 2,
  kFlow = 3,
  kShutterOpen = 4,
  kTags = 5,
  kSampleName = 6,
  kChemical = 7,
  kStartedAt = 8,
  kComment = 9,
  kMode = 10,
  kEnergies = 11,
  kFlags = 12,
  kOddName = 13,
  kChemicalTable = 20,
};

Attributo attributo(std::int64_t id, std::string name, AttributoType type,
                    AssociatedTable table = AssociatedTable::run) {
  Attributo a;
  a.id = id;
  a.beamtime_id = 1;
  a.name = std::move(name);
  a.group = "manual";
  a.associated_table = table;
  a.type = std::move(type);
  return a;
}

ListType list_of(ListItemType item) {
  ListType t;
  t.item_type = item;
  return t;
}

const FilterContext& context() {
  static const FilterContext c = [] {
    FilterContext ctx;
    ctx.run_attributi = {
        attributo(kRunString, "run_string", StringType{}),
        attributo(kRunInt, "run_int", IntegerType{}),
        attributo(kFlow, "flow", NumberType{}),
        attributo(kShutterOpen, "shutter_open", BooleanType{}),
        attributo(kTags, "tags", list_of(ListItemType::string)),
        attributo(kSampleName, "sample name", StringType{}),
        attributo(kChemical, "channel_1_chemical_id", ChemicalIdType{}),
        attributo(kStartedAt, "started_at", DateTimeType{}),
        attributo(kComment, "comment", StringType{}),
        attributo(kMode, "mode", ChoiceType{{"fast", "slow"}}),
        attributo(kEnergies, "energies", list_of(ListItemType::number)),
        attributo(kFlags, "flags", list_of(ListItemType::boolean)),
        attributo(kOddName, "odd \"name\"", StringType{}),
        // Not a run attributo: invisible to the filter.
        attributo(kChemicalTable, "cell description", StringType{}, AssociatedTable::chemical),
    };
    ctx.chemicals = {{1, "Lysozyme"}, {2, "Buffer"}};
    return ctx;
  }();
  return c;
}

AttributoValue s(std::string v) {
  AttributoValue a;
  a.string = std::move(v);
  return a;
}
AttributoValue i(std::int64_t v) {
  AttributoValue a;
  a.integer = v;
  return a;
}
AttributoValue d(double v) {
  AttributoValue a;
  a.number = v;
  return a;
}
AttributoValue b(bool v) {
  AttributoValue a;
  a.boolean = v;
  return a;
}
AttributoValue chem(std::int64_t v) {
  AttributoValue a;
  a.chemical = v;
  return a;
}
AttributoValue list(boost::json::array v) {
  AttributoValue a;
  a.list = std::move(v);
  return a;
}
AttributoValue datetime(std::int64_t seconds) {
  AttributoValue a;
  a.datetime = Instant{std::chrono::seconds{seconds}};
  return a;
}

RunFilter compile(std::string_view text) {
  return RunFilter::compile(text, context());
}

bool matches(std::string_view text, const ValueMap& values, std::int64_t external_id = 1,
             std::int64_t internal_id = 1) {
  const RunFilter f = compile(text);
  FilterRun run;
  run.external_id = external_id;
  run.internal_id = internal_id;
  run.values = &values;
  return f.matches(run);
}

struct Failure {
  std::string message;
  std::size_t position = 0;
};

Failure failure(std::string_view text, const FilterContext& ctx = context()) {
  try {
    RunFilter::compile(text, ctx);
  } catch (const FilterError& e) {
    return {e.what(), e.position()};
  }
  FAIL("no FilterError for: " << text);
  return {};
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) == 0;
}

// A typical run: every attributo set.
ValueMap full_run() {
  return {
      {kRunString, s("foo")},
      {kRunInt, i(5)},
      {kFlow, d(1.0)},
      {kShutterOpen, b(true)},
      {kTags, list({"good", "long"})},
      {kSampleName, s("lyso batch 3")},
      {kChemical, chem(1)},
      {kStartedAt, datetime(1000)},
      {kComment, s("beam dump at 3 am")},
      {kMode, s("fast")},
      {kEnergies, list({1, 2.5})},
      {kFlags, list({true, false})},
  };
}

}  // namespace

// ---------------------------------------------------------------------------
// §8.3 examples

TEST_CASE("filter: §8.3 run number range", "[filter]") {
  const ValueMap none;
  for (std::int64_t id : {99, 100, 110, 120, 121}) {
    INFO(id);
    CHECK(matches("id >= 100 and id <= 120", none, id) == (id >= 100 && id <= 120));
  }
}

TEST_CASE("filter: §8.3 internal id", "[filter]") {
  const ValueMap none;
  CHECK(matches("internal_id == 7", none, 1, 7));
  CHECK_FALSE(matches("internal_id == 7", none, 7, 8));
}

TEST_CASE("filter: §8.3 string equality, plain and quoted name", "[filter]") {
  const ValueMap foo{{kRunString, s("foo")}};
  const ValueMap bar{{kRunString, s("bar")}};
  CHECK(matches("run_string == \"foo\"", foo));
  CHECK(matches("\"run_string\" == \"foo\"", foo));
  CHECK_FALSE(matches("run_string == \"foo\"", bar));
  CHECK_FALSE(matches("\"run_string\" == \"foo\"", bar));
}

TEST_CASE("filter: §8.3 attributo with a space in its name is set", "[filter]") {
  CHECK(matches("\"sample name\" != None", {{kSampleName, s("x")}}));
  CHECK_FALSE(matches("\"sample name\" != None", {}));
  CHECK_FALSE(matches("\"sample name\" != None", {{kSampleName, AttributoValue{}}}));
}

TEST_CASE("filter: §8.3 chemical by name", "[filter]") {
  CHECK(matches("channel_1_chemical_id == \"Lysozyme\"", {{kChemical, chem(1)}}));
  CHECK_FALSE(matches("channel_1_chemical_id == \"Lysozyme\"", {{kChemical, chem(2)}}));
  CHECK(matches("channel_1_chemical_id == \"Buffer\"", {{kChemical, chem(2)}}));
  CHECK(matches("channel_1_chemical_id == 2", {{kChemical, chem(2)}}));
  CHECK(matches("channel_1_chemical_id != \"Lysozyme\"", {{kChemical, chem(2)}}));
  const auto f = failure("channel_1_chemical_id == \"Lyso\"");
  CHECK(f.message ==
        "chemical with name \"Lyso\" not found, maybe you meant \"Lysozyme\"? "
        "(at character 26: \"Lyso\")");
  CHECK(f.position == 25);
}

TEST_CASE("filter: a chemical compared with None finds runs without one", "[filter]") {
  CHECK(matches("channel_1_chemical_id == None", {}));
  CHECK_FALSE(matches("channel_1_chemical_id == None", {{kChemical, chem(1)}}));
  CHECK(matches("channel_1_chemical_id != None", {{kChemical, chem(1)}}));
  CHECK_FALSE(matches("channel_1_chemical_id != None", {}));
}

TEST_CASE("filter: §8.3 substring search", "[filter]") {
  CHECK(matches("comment ? \"beam dump\"", {{kComment, s("beam dump at 3 am")}}));
  CHECK_FALSE(matches("comment ? \"beam dump\"", {{kComment, s("beam at 3 am")}}));
  CHECK(matches("comment ? \"\"", {{kComment, s("")}}));
}

TEST_CASE("filter: §8.3 list membership", "[filter]") {
  CHECK(matches("tags ? \"good\"", {{kTags, list({"bad", "good"})}}));
  CHECK_FALSE(matches("tags ? \"good\"", {{kTags, list({"bad", "goodish"})}}));
  CHECK_FALSE(matches("tags ? \"good\"", {{kTags, list({})}}));
}

TEST_CASE("filter: §8.3 grouping", "[filter]") {
  const char* text = "(flow > 1.5 or flow < 0.2) and id > 10";
  CHECK(matches(text, {{kFlow, d(2.0)}}, 11));
  CHECK(matches(text, {{kFlow, d(0.1)}}, 11));
  CHECK_FALSE(matches(text, {{kFlow, d(1.0)}}, 11));
  CHECK_FALSE(matches(text, {{kFlow, d(2.0)}}, 10));
}

TEST_CASE("filter: §8.3 boolean", "[filter]") {
  CHECK(matches("shutter_open == True", {{kShutterOpen, b(true)}}));
  CHECK_FALSE(matches("shutter_open == True", {{kShutterOpen, b(false)}}));
  CHECK(matches("shutter_open == False", {{kShutterOpen, b(false)}}));
}

// ---------------------------------------------------------------------------
// §11 items 23-24, with that section's fixture

namespace {

const FilterContext& fixture_11() {
  static const FilterContext c = [] {
    FilterContext ctx;
    ctx.run_attributi = {
        attributo(101, "run_string", StringType{}),
        attributo(102, "run_int", IntegerType{}),
        attributo(103, "chan", ChemicalIdType{}),
        attributo(104, "auto_int", IntegerType{}),
    };
    ctx.chemicals = {{42, "lyso"}};
    return ctx;
  }();
  return c;
}

std::vector<std::int64_t> select(std::string_view text) {
  const RunFilter f = RunFilter::compile(text, fixture_11());
  static const std::vector<std::pair<std::int64_t, ValueMap>> runs = {
      {999, {{101, s("foo")}, {103, chem(42)}}},
      {1000, {{101, s("foo")}}},
      {1001, {{101, s("bar")}, {103, chem(42)}}},
      {1002, {}},
  };
  std::vector<std::int64_t> out;
  for (const auto& [id, values] : runs) {
    FilterRun run;
    run.external_id = id;
    run.internal_id = id - 900;
    run.values = &values;
    if (f.matches(run)) out.push_back(id);
  }
  return out;
}

}  // namespace

TEST_CASE("filter: §11.23 selecting runs", "[filter]") {
  CHECK(select("id > 1000") == std::vector<std::int64_t>{1001, 1002});
  CHECK(select("\"run_string\" == \"foo\"") == std::vector<std::int64_t>{999, 1000});
  CHECK(select("run_string == \"foo\"") == select("\"run_string\" == \"foo\""));
  CHECK(select("chan == \"lyso\"") == std::vector<std::int64_t>{999, 1001});
  CHECK(select("chan == 42") == std::vector<std::int64_t>{999, 1001});
  CHECK(select("") == std::vector<std::int64_t>{999, 1000, 1001, 1002});
}

TEST_CASE("filter: §11.24 errors", "[filter]") {
  const auto& ctx = fixture_11();
  CHECK(failure("id > \"3\"", ctx).message ==
        "\"id\" is a number, \">\" needs a number; maybe remove the quotation marks? "
        "(at character 6: \"3\")");
  CHECK(failure("chan == \"nosuch\"", ctx).message ==
        "chemical with name \"nosuch\" not found (at character 9: \"nosuch\")");
  CHECK(failure("nosuchattr == 1", ctx).message ==
        "attributo \"nosuchattr\" not defined (at character 1: nosuchattr)");
  const auto open = failure("(id > 1", ctx);
  CHECK(open.message ==
        "unexpected end of filter, the \"(\" at character 1 is not closed (at the end)");
  CHECK(open.position == 7);
  CHECK(failure("id > 1)", ctx).message ==
        "expected \"and\", \"or\" or the end of the filter (at character 7: ))");
}

// ---------------------------------------------------------------------------
// Semantics

TEST_CASE("filter: empty and blank filters match everything", "[filter]") {
  for (const char* text : {"", " ", "   ", "\t\n ", " \r\n"}) {
    const RunFilter f = compile(text);
    CHECK(f.matches_everything());
    CHECK(f.matches(FilterRun{}));
  }
  CHECK_FALSE(compile("id == 1").matches_everything());
}

TEST_CASE("filter: the whole text is trimmed, only spaces separate tokens", "[filter]") {
  const ValueMap none;
  CHECK(matches("\t\n id == 1 \r\n", none, 1));
  CHECK(matches("id>0", none, 1));
  CHECK(matches("id==1and internal_id==1", none, 1, 1));
  CHECK(matches("(id==1)or(id==2)", none, 2));
  // "and"/"or" need no space after them, as in the original.
  CHECK(matches("id == 1 andinternal_id == 1", none, 1, 1));
  CHECK(failure("id == 1 oridd == 2").message ==
        "attributo \"idd\" not defined, maybe you meant \"id\"? (at character 11: idd)");
}

TEST_CASE("filter: and/or fold left to right without precedence", "[filter]") {
  const ValueMap none;
  // Left to right: (id == 1 or id == 2) and id == 3 -> false for run 1;
  // with "and" binding tighter it would be true.
  CHECK_FALSE(matches("id == 1 or id == 2 and id == 3", none, 1));
  CHECK(matches("id == 1 or (id == 2 and id == 3)", none, 1));
  // (false and true) or true -> true either way.
  CHECK(matches("id == 3 and id == 1 or id == 1", none, 1));
  // ((a or b) and c) or d
  CHECK(matches("id == 1 or id == 2 and id == 3 or internal_id == 9", none, 1, 9));
  CHECK_FALSE(matches("id == 1 or id == 2 and id == 3 or internal_id == 9", none, 1, 8));
}

TEST_CASE("filter: a run without a value only matches == None", "[filter]") {
  for (const ValueMap& values : {ValueMap{}, ValueMap{{kRunInt, AttributoValue{}}}}) {
    CHECK(matches("run_int == None", values));
    CHECK_FALSE(matches("run_int != None", values));
    CHECK_FALSE(matches("run_int == 3", values));
    CHECK_FALSE(matches("run_int != 3", values));
    CHECK_FALSE(matches("run_int > 3", values));
    CHECK_FALSE(matches("run_int <= 3", values));
    CHECK_FALSE(matches("run_string ? \"a\"", values));
    CHECK_FALSE(matches("tags ? \"a\"", values));
    CHECK_FALSE(matches("tags == []", values));
    CHECK(matches("started_at == None", values));
    CHECK(matches("run_int == None or run_int > 3", values));
  }
  // No value map at all.
  FilterRun run;
  CHECK(compile("run_int == None").matches(run));
  CHECK_FALSE(compile("run_int != None").matches(run));
  // Present values.
  CHECK_FALSE(matches("run_int == None", {{kRunInt, i(0)}}));
  CHECK(matches("run_int != None", {{kRunInt, i(0)}}));
  CHECK(matches("started_at != None", {{kStartedAt, datetime(5)}}));
  CHECK_FALSE(matches("started_at == None", {{kStartedAt, datetime(5)}}));
  CHECK(matches("id != None", {}));
  CHECK_FALSE(matches("id == None", {}));
}

TEST_CASE("filter: the run's value is the first member set", "[filter]") {
  // Order: boolean, string, integer, number, datetime, list, chemical.
  AttributoValue v;
  v.string = "text";
  v.integer = 3;
  v.chemical = 1;
  CHECK(matches("run_string == \"text\"", {{kRunString, v}}));
  CHECK_FALSE(matches("run_string == 3", {{kRunString, v}}));
  v.boolean = false;
  CHECK(matches("run_string == False", {{kRunString, v}}));
  AttributoValue w;
  w.number = 2.5;
  w.chemical = 1;
  CHECK(matches("run_int == 2.5", {{kRunInt, w}}));
}

TEST_CASE("filter: equality follows Python", "[filter]") {
  CHECK(matches("run_int == 5", {{kRunInt, i(5)}}));
  CHECK(matches("run_int == 5.0", {{kRunInt, i(5)}}));
  CHECK(matches("run_int == 5e0", {{kRunInt, i(5)}}));
  CHECK_FALSE(matches("run_int == 5.5", {{kRunInt, i(5)}}));
  CHECK_FALSE(matches("run_int == \"5\"", {{kRunInt, i(5)}}));
  CHECK(matches("run_int != \"5\"", {{kRunInt, i(5)}}));
  CHECK_FALSE(matches("run_int == True", {{kRunInt, i(5)}}));
  CHECK(matches("run_int == True", {{kRunInt, i(1)}}));
  CHECK(matches("run_int == False", {{kRunInt, i(0)}}));
  CHECK(matches("flow == True", {{kFlow, d(1.0)}}));
  CHECK(matches("flow == 1", {{kFlow, d(1.0)}}));
  CHECK(matches("flow == 0.1", {{kFlow, d(0.1)}}));
  CHECK(matches("shutter_open == 1", {{kShutterOpen, b(true)}}));
  CHECK(matches("shutter_open == 0.0", {{kShutterOpen, b(false)}}));
  CHECK_FALSE(matches("shutter_open == \"True\"", {{kShutterOpen, b(true)}}));
  CHECK_FALSE(matches("run_string == None", {{kRunString, s("None")}}));
  CHECK_FALSE(matches("run_string == 1", {{kRunString, s("1")}}));
  CHECK_FALSE(matches("run_string == [\"a\"]", {{kRunString, s("a")}}));
  CHECK(matches("id == 7.0", {}, 7));
  CHECK(matches("id == True", {}, 1));
  CHECK(matches("id == -0", {}, 0));
  // Integers compare exactly with floats, as in Python.
  const std::int64_t big = (std::int64_t{1} << 53) + 1;
  CHECK_FALSE(matches("run_int == 9007199254740992", {{kRunInt, i(big)}}));
  CHECK(matches("run_int > 9007199254740992", {{kRunInt, i(big)}}));
  CHECK(matches("run_int == 9007199254740992", {{kRunInt, i(big - 1)}}));
  CHECK(matches("run_int < 1e300", {{kRunInt, i(INT64_MAX)}}));
  CHECK(matches("run_int > -1e300", {{kRunInt, i(INT64_MIN)}}));
  CHECK(matches("run_int < 1e999", {{kRunInt, i(INT64_MAX)}}));  // inf
  CHECK(matches("flow < 5.5", {{kFlow, d(5.25)}}));
  CHECK(matches("run_int < 5.5", {{kRunInt, i(5)}}));
  CHECK(matches("run_int > 4.5", {{kRunInt, i(5)}}));
  CHECK_FALSE(matches("run_int > 5.0", {{kRunInt, i(5)}}));
  CHECK(matches("run_int >= 5.0", {{kRunInt, i(5)}}));
  CHECK(matches("run_int > -5.5", {{kRunInt, i(-5)}}));
  CHECK_FALSE(matches("run_int < -5.5", {{kRunInt, i(-5)}}));
}

TEST_CASE("filter: numbers", "[filter]") {
  CHECK(matches("flow > .5", {{kFlow, d(0.6)}}));
  CHECK(matches("flow == 5.", {{kFlow, d(5)}}));
  CHECK(matches("flow == +1.5e1", {{kFlow, d(15)}}));
  CHECK(matches("flow == 1.e2", {{kFlow, d(100)}}));
  CHECK(matches("flow == -2.5E-1", {{kFlow, d(-0.25)}}));
  CHECK(matches("flow == 1e-400", {{kFlow, d(0.0)}}));
  CHECK(matches("flow > 1e-320", {{kFlow, d(1e-319)}}));  // subnormal, not 0
  CHECK(matches("flow == 0.30000000000000004", {{kFlow, d(0.1 + 0.2)}}));
  CHECK(matches("flow<1", {{kFlow, d(0.5)}}));
  CHECK(matches("flow>=-1", {{kFlow, d(-1)}}));
  CHECK(failure("flow == .").message ==
        "expected a value (a string in quotation marks, a number, None, True, False or a list) "
        "(at character 9: .)");
  CHECK(failure("flow == -").position == 8);
  CHECK(failure("flow == 1e").message ==
        "expected \"and\", \"or\" or the end of the filter (at character 10: e)");
  CHECK(failure("flow == 1.5.2").message ==
        "expected \"and\", \"or\" or the end of the filter (at character 12: .)");
  CHECK(failure("flow == - 1").position == 8);
}

TEST_CASE("filter: ordering", "[filter]") {
  CHECK(matches("run_string > \"abb\"", {{kRunString, s("abc")}}));
  CHECK(matches("run_string < \"b\"", {{kRunString, s("abc")}}));
  CHECK(matches("run_string >= \"abc\"", {{kRunString, s("abc")}}));
  CHECK_FALSE(matches("run_string > \"abc\"", {{kRunString, s("abc")}}));
  CHECK(matches("run_string < \"abcd\"", {{kRunString, s("abc")}}));
  CHECK(matches("run_string > \"Z\"", {{kRunString, s("a")}}));         // bytewise
  CHECK(matches("run_string > \"z\"", {{kRunString, s("\xc3\xa9")}}));  // é after z
  CHECK(matches("mode < \"g\"", {{kMode, s("fast")}}));
  CHECK(matches("mode ? \"as\"", {{kMode, s("fast")}}));
  CHECK(matches("id > 5 and id < 7 and internal_id >= 3", {}, 6, 3));
  // Values of an unexpected kind never order.
  CHECK_FALSE(matches("run_int > 3", {{kRunInt, s("9")}}));
  CHECK_FALSE(matches("run_string < \"z\"", {{kRunString, i(1)}}));
}

TEST_CASE("filter: lists", "[filter]") {
  const ValueMap run{
      {kTags, list({"good", "bad"})}, {kEnergies, list({1, 2.5, -3})}, {kFlags, list({true})}};
  CHECK(matches("tags == [\"good\", \"bad\"]", run));
  CHECK(matches("tags == [\"good\" \"bad\"]", run));  // quirk: "[1 2]" parses
  CHECK(matches("tags == [\"good\" , \"bad\"]", run));
  CHECK_FALSE(matches("tags == [\"bad\", \"good\"]", run));
  CHECK_FALSE(matches("tags == [\"good\"]", run));
  CHECK_FALSE(matches("tags == []", run));
  CHECK(matches("tags != []", run));
  CHECK(matches("tags == []", {{kTags, list({})}}));
  CHECK(matches("tags==[]", {{kTags, list({})}}));
  CHECK(matches("tags == [ ]", {{kTags, list({})}}));
  CHECK(matches("energies == [1, 2.5, -3]", run));
  CHECK(matches("energies == [1.0 2.5 -3.0]", run));
  CHECK(matches("energies == [True, 2.5, -3]", run));  // True == 1
  CHECK(matches("energies ? 2.5", run));
  CHECK(matches("energies ? -3", run));
  CHECK(matches("energies ? 1.0", run));
  CHECK_FALSE(matches("energies ? 2", run));
  CHECK(matches("flags ? True", run));
  CHECK_FALSE(matches("flags ? False", run));
  CHECK(matches("flags == [1]", run));
  // Nested lists and None parse and compare element-wise.
  boost::json::array nested{1, boost::json::array{2, "x"}, nullptr};
  CHECK(matches("tags == [1, [2 \"x\"], None]", {{kTags, list(nested)}}));
  CHECK_FALSE(matches("tags == [1, [2], None]", {{kTags, list(nested)}}));
  boost::json::array two_empty;
  two_empty.emplace_back(boost::json::array{});
  two_empty.emplace_back(boost::json::array{});
  CHECK(matches("tags == [[], []]", {{kTags, list(two_empty)}}));
  // A list never equals a scalar.
  CHECK_FALSE(matches("tags == \"good\"", run));
  CHECK_FALSE(matches("run_string == [\"good\"]", {{kRunString, s("good")}}));
  // Syntax.
  CHECK(failure("tags == [1,]").message ==
        "expected a list element after \",\" (at character 12: ])");
  CHECK(failure("tags == [,1]").message == "expected a list element or \"]\" (at character 10: ,)");
  CHECK(failure("tags == [1,,2]").message ==
        "expected a list element after \",\" (at character 12: ,)");
  CHECK(failure("tags == [1 ; 2]").message ==
        "expected \",\", \"]\" or a list element (at character 12: ;)");
  CHECK(failure("tags == [1, 2").message ==
        "unexpected end of filter, the \"[\" at character 9 is not closed (at the end)");
  CHECK(failure("tags == [1, foo]").message ==
        "expected a list element after \",\"; maybe add quotation marks? "
        "(at character 13: foo)");
}

TEST_CASE("filter: quoted names and strings", "[filter]") {
  CHECK(matches("\"sample name\" == \"lyso batch 3\"", {{kSampleName, s("lyso batch 3")}}));
  CHECK(matches("\"id\" == 4", {}, 4));
  // Escapes are decoded: \" and \\ (unlike the original).
  CHECK(matches(R"(run_string == "say \"hi\"")", {{kRunString, s("say \"hi\"")}}));
  CHECK(matches(R"(run_string == "a\\b")", {{kRunString, s("a\\b")}}));
  CHECK(matches(R"(run_string == "a\\")", {{kRunString, s("a\\")}}));
  // Other backslashes stay as they are.
  CHECK(matches(R"(run_string == "a\nb")", {{kRunString, s("a\\nb")}}));
  CHECK(matches(R"(run_string == "\u00e9")", {{kRunString, s("\\u00e9")}}));
  CHECK(matches(R"("odd \"name\"" == "x")", {{kOddName, s("x")}}));
  // Spaces and SQL inside strings are just characters.
  CHECK(matches("run_string == \" x'; DROP TABLE Run; -- \"",
                {{kRunString, s(" x'; DROP TABLE Run; -- ")}}));
  CHECK(matches("run_string == \"\xc3\xa9t\xc3\xa9\"", {{kRunString, s("\xc3\xa9t\xc3\xa9")}}));
  CHECK(matches("run_string == \"and or ( ) [ ] == ?\"", {{kRunString, s("and or ( ) [ ] == ?")}}));
  // Keywords inside a name position are just names.
  CHECK(failure("None == 1").message == "attributo \"None\" not defined (at character 1: None)");
  CHECK(failure("\"\" == 1").message == "attributo \"\" not defined (at character 1: \"\")");
  // Attributi of other tables are not visible.
  CHECK(failure("\"cell description\" == \"x\"").message ==
        "attributo \"cell description\" not defined (at character 1: \"cell description\")");
}

TEST_CASE("filter: keywords", "[filter]") {
  CHECK(matches("shutter_open == True", {{kShutterOpen, b(true)}}));
  CHECK(matches("shutter_open==False", {{kShutterOpen, b(false)}}));
  // Keywords are case-sensitive.
  CHECK(failure("shutter_open == true").message ==
        "expected a value (a string in quotation marks, a number, None, True, False or a list); "
        "maybe add quotation marks? (at character 17: true)");
  CHECK(failure("id == 1 AND id == 2").message ==
        "expected \"and\", \"or\" or the end of the filter (at character 9: AND)");
  // Keywords match as prefixes, like the original's lexer.
  CHECK(matches("run_int == Noneand id == 1", {}, 1));
  CHECK(failure("run_int == Nonesuch").message ==
        "expected \"and\", \"or\" or the end of the filter (at character 16: such)");
  CHECK(failure("id not 1").position == 3);
}

// ---------------------------------------------------------------------------
// Errors: message, position and token

TEST_CASE("filter: syntax errors name the token and its position", "[filter]") {
  struct Case {
    std::string text;
    std::string message;
    std::size_t position;
  };
  const std::vector<Case> cases = {
      {"id == 1 and", "unexpected end of filter, expected an attributo name or \"(\" (at the end)",
       11},
      {"and",
       "unexpected end of filter, expected a comparison operator (==, !=, <, >, <=, >=, ?) "
       "(at the end)",
       3},
      {"()", "expected an attributo name or \"(\" (at character 2: ))", 1},
      {"id = 5",
       "expected a comparison operator (==, !=, <, >, <=, >=, ?); equality is == "
       "(at character 4: =)",
       3},
      {"id =< 5",
       "expected a comparison operator (==, !=, <, >, <=, >=, ?); equality is == "
       "(at character 4: =)",
       3},
      {"id == ",
       "unexpected end of filter, expected a value (a string in quotation marks, a number, None, "
       "True, False or a list) (at the end)",
       5},
      {"id == foo",
       "expected a value (a string in quotation marks, a number, None, True, False or a list); "
       "maybe add quotation marks? (at character 7: foo)",
       6},
      {"id == 1 x", "expected \"and\", \"or\" or the end of the filter (at character 9: x)", 8},
      {"(id == 1 x)", "expected \"and\", \"or\" or \")\" (at character 10: x)", 9},
      {"  (id == 1",
       "unexpected end of filter, the \"(\" at character 3 is not closed (at the end)", 10},
      {"id == 1)", "expected \"and\", \"or\" or the end of the filter (at character 8: ))", 7},
      {"id == 1; DROP TABLE Run",
       "expected \"and\", \"or\" or the end of the filter (at character 8: ;)", 7},
      {"\"unterminated",
       "unterminated string, the closing quotation mark is missing "
       "(at character 1: \"unterminated)",
       0},
      {"run_string == \"abc\\\"",
       "unterminated string, the closing quotation mark is missing "
       "(at character 15: \"abc\\\")",
       14},
      {"id == 1 and and",
       "unexpected end of filter, expected a comparison operator "
       "(==, !=, <, >, <=, >=, ?) (at the end)",
       15},
      {"== 1", "expected an attributo name or \"(\" (at character 1: ==)", 0},
      {"id ! 1", "expected a comparison operator (==, !=, <, >, <=, >=, ?) (at character 4: !)", 3},
      {"id == 1 && id == 2",
       "expected \"and\", \"or\" or the end of the filter (at character 9: &)", 8},
      {"id == 1 or not id == 2",
       "expected a comparison operator (==, !=, <, >, <=, >=, ?) (at character 16: id)", 15},
      {"id in [1]", "expected a comparison operator (==, !=, <, >, <=, >=, ?) (at character 4: in)",
       3},
      {"id == 'x'",
       "expected a value (a string in quotation marks, a number, None, True, False or a list) "
       "(at character 7: ')",
       6},
      {"1 OR 1=1", "expected a comparison operator (==, !=, <, >, <=, >=, ?) (at character 3: OR)",
       2},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto f = failure(c.text);
    CHECK(f.message == c.message);
    CHECK(f.position == c.position);
  }
}

TEST_CASE("filter: positions count characters, not bytes", "[filter]") {
  const auto f = failure("run_string == \"\xc3\xa9\" and xyz == 1");
  CHECK(f.message == "attributo \"xyz\" not defined (at character 23: xyz)");
  CHECK(f.position == 22);
}

TEST_CASE("filter: unknown attributi, maybe with a hint", "[filter]") {
  auto f = failure("flwo > 1");
  CHECK(f.message ==
        "attributo \"flwo\" not defined, maybe you meant \"flow\"? (at character 1: flwo)");
  CHECK(f.position == 0);
  f = failure("id == 3 and run_strnig == \"x\"");
  CHECK(f.message ==
        "attributo \"run_strnig\" not defined, maybe you meant \"run_string\"? "
        "(at character 13: run_strnig)");
  CHECK(f.position == 12);
  CHECK(failure("xyz == 1").message == "attributo \"xyz\" not defined (at character 1: xyz)");
  CHECK(failure("internalid == 1").message ==
        "attributo \"internalid\" not defined, maybe you meant \"internal_id\"? "
        "(at character 1: internalid)");
  CHECK(failure("\"sample nme\" == 1").message ==
        "attributo \"sample nme\" not defined, maybe you meant \"sample name\"? "
        "(at character 1: \"sample nme\")");
  CHECK(failure("Flow == 1").message ==
        "attributo \"Flow\" not defined, maybe you meant \"flow\"? (at character 1: Flow)");
  // Names are exact: the error comes from binding, after the syntax check.
  CHECK(failure("flwo > 1 and (").message ==
        "unexpected end of filter, expected an attributo name or \"(\" (at the end)");
  // The first unknown name is reported.
  CHECK(failure("id == 1 and aaa == 1 and bbb == 2").position == 12);
  // No attributi at all.
  FilterContext empty;
  CHECK(failure("flow == 1", empty).message ==
        "attributo \"flow\" not defined (at character 1: flow)");
  CHECK(failure("ix == 1", empty).message ==
        "attributo \"ix\" not defined (at character 1: ix)");  // ratio 0.5 is not enough
  CHECK(failure("idx == 1", empty).message ==
        "attributo \"idx\" not defined, maybe you meant \"id\"? (at character 1: idx)");
}

TEST_CASE("filter: the hint's similarity is difflib's ratio", "[filter]") {
  // 300 generated cases; the expected outcomes were computed by Python
  // 3.11 (max over the candidates of difflib.SequenceMatcher(None, w,
  // name).ratio() > 0.5, first among equals) with the same generator:
  // '.' = no hint, '0'/'1' = the first/second attributo. Names of 200 and
  // more characters exercise difflib's "autojunk" (46 of the cases would
  // come out differently without it).
  const std::string expected =
      "0....1....10..0.1..1...1.......10.0...0....1..1..1..0.....01.......01.....00.0.."
      "......0....1.0.10.00...01..0.1....0..0..0.0.....10....1....0.110......1...1....."
      "..0.....0..0.100....00....10.0.....0..10.....11...11...0..00......1...........0."
      ".0.0..................00.........0.....1....01..1...........";
  std::uint64_t state = 2024;
  auto r = [&state](std::size_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((state >> 33) % n);
  };
  const std::vector<std::string> alphabets = {"ab", "abc", "abcxyz", "ab_ xy", "aab"};
  REQUIRE(expected.size() == 300);
  for (std::size_t n = 0; n < expected.size(); ++n) {
    const std::string& alpha = alphabets[r(5)];
    auto rs = [&](std::size_t len) {
      std::string out;
      for (std::size_t k = 0; k < len; ++k)
        out += alpha[r(alpha.size())];
      return out;
    };
    const bool long_names = r(10) < 6;
    const std::string b1 = "P" + rs(long_names ? 200 + r(121) : 1 + r(30));
    const std::string b2 = "Q" + rs(long_names ? 1 + r(260) : 1 + r(30));
    std::string w;
    if (r(10) < 7) {
      w = b1.substr(1);
      const std::size_t m = r(w.size() + 1);
      for (std::size_t k = 0; k < m; ++k) {
        const std::size_t at = r(w.size());
        w[at] = alpha[r(alpha.size())];
      }
      w = w.substr(0, 1 + r(w.size()));
    } else {
      w = rs(1 + r(300));
    }
    FilterContext ctx;
    ctx.run_attributi = {attributo(1, b1, StringType{}), attributo(2, b2, StringType{})};
    const std::string message = failure("\"" + w + "\" == 1", ctx).message;
    INFO("case " << n << ": " << w << " / " << b1 << " / " << b2 << " -> " << message);
    const auto hint = message.find("maybe you meant \"");
    switch (expected[n]) {
      case '.':
        CHECK(hint == std::string::npos);
        break;
      case '0':
        CHECK(message.find("maybe you meant \"P") != std::string::npos);
        break;
      default:
        CHECK(message.find("maybe you meant \"Q") != std::string::npos);
    }
  }
}

TEST_CASE("filter: type errors point at the offending token", "[filter]") {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"id > \"3\"",
       "\"id\" is a number, \">\" needs a number; maybe remove the quotation marks? "
       "(at character 6: \"3\")"},
      {"internal_id <= True",
       "\"internal_id\" is a number, \"<=\" needs a number "
       "(at character 16: True)"},
      {"run_int >= None", "\"run_int\" is a number, \">=\" needs a number (at character 12: None)"},
      {"flow < [1]", "\"flow\" is a number, \"<\" needs a number (at character 8: [1])"},
      {"id ? 3",
       "operator \"?\" cannot be used with \"id\", which is a number (at character 4: ?)"},
      {"flow ? \"1\"",
       "operator \"?\" cannot be used with \"flow\", which is a number (at character 6: ?)"},
      {"run_string > 3",
       "\"run_string\" is a string, \">\" needs a string in quotation marks "
       "(at character 14: 3)"},
      {"run_string ? 3",
       "\"run_string\" is a string, \"?\" needs a string in quotation marks "
       "(at character 14: 3)"},
      {"mode < None",
       "\"mode\" is a string, \"<\" needs a string in quotation marks (at character 8: None)"},
      {"shutter_open > False",
       "operator \">\" cannot be used with \"shutter_open\", which is a boolean "
       "(at character 14: >)"},
      {"shutter_open ? True",
       "operator \"?\" cannot be used with \"shutter_open\", which is a boolean "
       "(at character 14: ?)"},
      {"tags > \"a\"",
       "operator \">\" cannot be used with \"tags\", which is a list (at character 6: >)"},
      {"tags ? 1",
       "\"tags\" is a list of strings, \"?\" needs a single string in quotation marks "
       "(at character 8: 1)"},
      {"tags ? [\"a\"]",
       "\"tags\" is a list of strings, \"?\" needs a single string in quotation marks "
       "(at character 8: [\"a\"])"},
      {"energies ? \"1\"",
       "\"energies\" is a list of numbers, \"?\" needs a single number (at character 12: \"1\")"},
      {"flags ? 1",
       "\"flags\" is a list of booleans, \"?\" needs True or False (at character 9: 1)"},
      {"started_at == 5",
       "comparing date-time attributi is not supported; \"started_at\" can only be compared "
       "with None (at character 15: 5)"},
      {"started_at != \"2024-01-01\"",
       "comparing date-time attributi is not supported; \"started_at\" can only be compared "
       "with None (at character 15: \"2024-01-01\")"},
      {"started_at > None",
       "comparing date-time attributi is not supported; \"started_at\" can only be compared "
       "with None (at character 12: >)"},
      {"channel_1_chemical_id == \"Lysozym\"",
       "chemical with name \"Lysozym\" not found, maybe you meant \"Lysozyme\"? "
       "(at character 26: \"Lysozym\")"},
      {"channel_1_chemical_id == \"xyz\"",
       "chemical with name \"xyz\" not found (at character 26: \"xyz\")"},
      {"channel_1_chemical_id == 5",
       "attributo \"channel_1_chemical_id\": the chemical ID 5 is not known; the chemical's "
       "name in quotation marks works, too (at character 26: 5)"},
      {"channel_1_chemical_id == 1.5",
       "attributo \"channel_1_chemical_id\": the chemical ID 1.5 is not known; the chemical's "
       "name in quotation marks works, too (at character 26: 1.5)"},
      {"channel_1_chemical_id == True",
       "attributo \"channel_1_chemical_id\" is a chemical ID, so it takes a chemical's name in "
       "quotation marks or a chemical ID (at character 26: True)"},
      {"channel_1_chemical_id == [1]",
       "attributo \"channel_1_chemical_id\" is a chemical ID, so it takes a chemical's name in "
       "quotation marks or a chemical ID (at character 26: [1])"},
      {"channel_1_chemical_id > 1",
       "operator \">\" cannot be used with \"channel_1_chemical_id\", which is a chemical ID "
       "(at character 23: >)"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto f = failure(c.text);
    CHECK(f.message == c.message);
  }
  // Things that do compile.
  for (const char* ok :
       {"id >= 1", "flow < -1e3", "run_int == \"5\"", "run_string == 5", "run_string < \"x\"",
        "mode == \"fast\"", "tags ? \"a\"", "energies ? 1", "flags ? False", "started_at == None",
        "started_at != None", "shutter_open == 1", "tags == [1, \"x\"]",
        "channel_1_chemical_id == 1.0", "channel_1_chemical_id != \"Buffer\""}) {
    INFO(ok);
    CHECK_NOTHROW(compile(ok));
  }
  // The chemical 1.0 means chemical 1.
  CHECK(matches("channel_1_chemical_id == 1.0", {{kChemical, chem(1)}}));
  // A chemical value stored as an integer also compares.
  CHECK(matches("channel_1_chemical_id == \"Buffer\"", {{kChemical, i(2)}}));
}

// ---------------------------------------------------------------------------
// Hostile input

TEST_CASE("filter: hostile input", "[filter]") {
  SECTION("100,000 opening parentheses") {
    const auto start = std::chrono::steady_clock::now();
    const auto f = failure(std::string(100000, '('));  // too long, too deep
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(f.message == "filter too long (100000 bytes, at most 65536) (at character 65537: ()");
    CHECK(elapsed < std::chrono::milliseconds(100));
  }
  SECTION("a 10 MB expression is refused by its length, not parsed") {
    std::string text = "id == 1 and ";
    while (text.size() < 10'000'000)
      text += "(sample == \"x\") or ";
    const auto f = failure(text);
    CHECK(f.message.rfind("filter too long (" + std::to_string(text.size()) + " bytes", 0) == 0);
    CHECK(f.position == 65536);
  }
  SECTION("60,000 opening parentheses (within the length limit)") {
    const auto start = std::chrono::steady_clock::now();
    const auto f = failure(std::string(60000, '('));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(f.message ==
          "nesting deeper than 100 parentheses and list brackets (at character 101: ()");
    CHECK(f.position == 100);
    CHECK(elapsed < std::chrono::milliseconds(100));
  }
  SECTION("60,000 list brackets") {
    const auto f = failure("tags == " + std::string(60000, '['));
    CHECK(f.position == 108);
  }
  SECTION("100 levels are fine, 101 are not") {
    const std::string ok = std::string(100, '(') + "id == 1" + std::string(100, ')');
    CHECK(matches(ok, {}, 1));
    const std::string too_deep = std::string(101, '(') + "id == 1" + std::string(101, ')');
    CHECK(failure(too_deep).position == 100);
    const std::string list_ok = "tags == " + std::string(100, '[') + std::string(100, ']');
    CHECK_NOTHROW(compile(list_ok));
    CHECK(failure("tags == " + std::string(101, '[') + std::string(101, ']')).position == 108);
    // Parentheses and brackets count together.
    const std::string mixed =
        std::string(50, '(') + "tags == " + std::string(51, '[') + std::string(51, ']');
    CHECK(failure(mixed).position == 108);
  }
  SECTION("length limit") {
    std::string text = "id == 1";
    text.resize(64 * 1024, ' ');
    CHECK(matches(text, {}, 1));
    text += 'x';
    const auto f = failure(text);
    CHECK(f.message == "filter too long (65537 bytes, at most 65536) (at character 65537: x)");
    CHECK(f.position == 65536);
    CHECK(failure(std::string(1 << 20, '(')).position == 65536);
  }
  SECTION("a long chain does not recurse") {
    std::string text = "id == 1";
    while (text.size() < 60000)
      text += " or id == 2";
    CHECK(matches(text, {}, 2));
    CHECK_FALSE(matches(text, {}, 3));
    text += " and id == 3";
    CHECK_FALSE(matches(text, {}, 2));
  }
  SECTION("control characters") {
    auto f = failure(std::string("id == 1\0", 8));
    CHECK(f.message == "control character U+0000 not allowed (at character 8: \\x00)");
    CHECK(f.position == 7);
    f = failure(std::string("id ==\0 1", 8));
    CHECK(f.position == 5);
    f = failure("id ==\t1");
    CHECK(f.message == "control character U+0009 not allowed (at character 6: \\t)");
    f = failure("id == 1\nand id == 2");
    CHECK(f.message == "control character U+000A not allowed (at character 8: \\n)");
    f = failure("run_string == \"a\tb\"");
    CHECK(f.position == 16);
    f = failure("run_string == \"a\x7f\"");
    CHECK(f.message == "control character U+007F not allowed (at character 17: \\x7f)");
    f = failure("run_string == \"\xc2\x85\"");  // U+0085, a C1 control
    CHECK(f.message == "control character U+0085 not allowed (at character 16: \\xc2\\x85)");
    f = failure("run_string == \"\xff\"");
    CHECK(f.message == "malformed UTF-8 (at character 16: \\xff)");
    f = failure("run_string == \"\xc3\"");
    CHECK(f.message == "malformed UTF-8 (at character 16: \\xc3)");
    f = failure("\xc3\xa9 == \"\xed\xa0\x80\"");  // a surrogate
    CHECK(f.message == "malformed UTF-8 (at character 7: \\xed)");
    CHECK(f.position == 6);
  }
  SECTION("SQL is just syntax errors or strings") {
    CHECK(failure("id == 1; DROP TABLE Run").position == 7);
    CHECK(failure("id == 1 OR 1=1").position == 8);
    CHECK(failure("run_string == \"x\" --").position == 18);
    CHECK(failure("run_string == \"\"; DELETE FROM Run WHERE \"\" == \"\"").position == 16);
    CHECK_FALSE(matches("run_string == \"' OR '1'='1\"", {{kRunString, s("x")}}));
  }
  SECTION("non-ASCII outside strings") {
    const auto f = failure("id \xe2\x89\xa5 1");  // ≥
    CHECK(
        f.message ==
        "expected a comparison operator (==, !=, <, >, <=, >=, ?) (at character 4: \xe2\x89\xa5)");
  }
  SECTION("long tokens are cut in messages") {
    const std::string name(1000, 'q');
    const auto f = failure(name + " == 1");
    CHECK(f.message == "attributo \"" + std::string(60, 'q') +
                           "...\" not defined (at character 1: " + std::string(60, 'q') + "...)");
  }
}

TEST_CASE("filter: random input compiles or throws FilterError", "[filter]") {
  static const std::vector<std::string> fragments = {
      "id",
      "internal_id",
      "run_string",
      "flow",
      "tags",
      "\"sample name\"",
      "channel_1_chemical_id",
      "started_at",
      "shutter_open",
      "energies",
      "flags",
      "mode",
      "xyz",
      "==",
      "!=",
      ">",
      "<",
      ">=",
      "<=",
      "?",
      "=",
      "!",
      "(",
      ")",
      "[",
      "]",
      ",",
      " ",
      "  ",
      "and",
      "or",
      "and ",
      " or ",
      "None",
      "True",
      "False",
      "\"",
      "\\",
      "\"foo\"",
      "\"Lysozyme\"",
      "\"Buffer\"",
      "\"a\\\"b\"",
      "1",
      "-2.5",
      ".5e3",
      "+",
      "-",
      ".",
      "e",
      "2",
      "1e999",
      "[1 2]",
      "[]",
      "\t",
      ";",
      "'",
      "\xc3\xa9",
      "\xff",
  };
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<std::size_t> pick(0, fragments.size() - 1);
  std::uniform_int_distribution<int> count(1, 24);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> percent(0, 99);

  // A well-formed comparison, so that many inputs get past the parser.
  // A comparison: mostly one that type-checks, so that many inputs reach
  // evaluation, sometimes any combination.
  auto comparison = [&]() -> std::string {
    static const std::vector<std::string> valid = {"id > 3",
                                                   "internal_id <= 2.5",
                                                   "run_int == 5",
                                                   "run_int != None",
                                                   "flow < 1.5",
                                                   "flow >= -1e3",
                                                   "run_string ? \"fo\"",
                                                   "run_string == \"foo\"",
                                                   "run_string < \"m\"",
                                                   "tags ? \"good\"",
                                                   "tags == [\"good\" \"long\"]",
                                                   "\"sample name\" != None",
                                                   "channel_1_chemical_id == \"Lysozyme\"",
                                                   "channel_1_chemical_id != 2",
                                                   "shutter_open == True",
                                                   "energies ? 2.5",
                                                   "flags ? False",
                                                   "started_at == None",
                                                   "mode == \"fast\"",
                                                   "comment ? \"dump\""};
    if (percent(rng) < 75) return valid[rng() % valid.size()];
    static const std::vector<std::string> names = {"id",
                                                   "run_int",
                                                   "flow",
                                                   "run_string",
                                                   "tags",
                                                   "\"sample name\"",
                                                   "channel_1_chemical_id",
                                                   "shutter_open",
                                                   "energies",
                                                   "started_at"};
    static const std::vector<std::string> ops = {"==", "!=", ">", "<", ">=", "<=", "?"};
    static const std::vector<std::string> values = {
        "1", "2.5", "\"foo\"", "None", "True", "[1, 2]", "[\"good\"]", "\"Lysozyme\"", "-1e3"};
    return names[rng() % names.size()] + " " + ops[rng() % ops.size()] + " " +
           values[rng() % values.size()];
  };

  const ValueMap full = full_run();
  const ValueMap empty;
  std::size_t compiled = 0;
  std::size_t rejected = 0;
  std::size_t bad = 0;
  std::string first_bad;
  for (int n = 0; n < 100000; ++n) {
    std::string text;
    const int mode = percent(rng);
    if (mode < 50) {
      const int k = count(rng);
      for (int j = 0; j < k; ++j) {
        if (percent(rng) < 5) {
          text += static_cast<char>(byte(rng));
        } else {
          text += fragments[pick(rng)];
        }
      }
    } else {
      text = comparison();
      const int k = count(rng) % 4;
      for (int j = 0; j < k; ++j) {
        text += percent(rng) < 50 ? " and " : " or ";
        text += percent(rng) < 20 ? "(" + comparison() + ")" : comparison();
      }
      if (mode >= 80 && !text.empty()) {  // mutate one byte
        const std::size_t at = rng() % text.size();
        switch (rng() % 3) {
          case 0:
            text.erase(at, 1);
            break;
          case 1:
            text.insert(at, 1, static_cast<char>(byte(rng)));
            break;
          default:
            text[at] = fragments[pick(rng)].front();
        }
      }
    }
    try {
      const RunFilter f = compile(text);
      ++compiled;
      for (const ValueMap* values : {&full, &empty}) {
        FilterRun run;
        run.external_id = n;
        run.internal_id = n + 1;
        run.values = values;
        (void)f.matches(run);
      }
    } catch (const FilterError& e) {
      ++rejected;
      const std::string message = e.what();
      const bool at_end = ends_with(message, " (at the end)");
      const bool at_char = message.find(" (at character " + std::to_string(e.position() + 1) +
                                        ": ") != std::string::npos &&
                           ends_with(message, ")");
      if ((!at_end && !at_char) || e.position() > text.size()) {
        if (bad++ == 0) first_bad = text + " -> " + message;
      }
    } catch (const std::exception& e) {
      if (bad++ == 0) first_bad = text + " -> unexpected exception: " + e.what();
    } catch (...) {
      if (bad++ == 0) first_bad = text + " -> unexpected non-std exception";
    }
  }
  INFO(first_bad);
  CHECK(bad == 0);
  CHECK(compiled + rejected == 100000);
  CHECK(compiled > 10000);  // the generator reaches evaluation often enough
  CHECK(rejected > 10000);
}

// ---------------------------------------------------------------------------
// Performance (hidden): compile + evaluate over 5,000 runs with 40 values each.

TEST_CASE("filter: performance over 5000 runs", "[.perf][filter_perf]") {
  FilterContext ctx = context();
  for (std::int64_t id = 30; id < 58; ++id)
    ctx.run_attributi.push_back(attributo(id, "extra_" + std::to_string(id), IntegerType{}));
  std::vector<ValueMap> runs(5000);
  std::mt19937 rng(7);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    ValueMap& v = runs[r];
    v[kRunString] = s(r % 3 == 0 ? "foo bar" : "baz");
    v[kRunInt] = i(static_cast<std::int64_t>(r));
    v[kFlow] = d(static_cast<double>(rng() % 300) / 100.0);
    v[kShutterOpen] = b(r % 2 == 0);
    v[kTags] = list({"x", r % 5 == 0 ? "good" : "bad"});
    v[kSampleName] = s("sample");
    v[kChemical] = chem(1 + static_cast<std::int64_t>(r % 2));
    v[kStartedAt] = datetime(static_cast<std::int64_t>(r));
    v[kComment] = s("comment");
    v[kMode] = s("fast");
    v[kEnergies] = list({1, 2});
    v[kFlags] = list({true});
    for (std::int64_t id = 30; id < 58; ++id)
      v[id] = i(id);
    REQUIRE(v.size() == 40);
  }
  // The machine may be busy: report the best and the worst of 5 rounds.
  double best = 1e9;
  double worst = 0.0;
  std::size_t hits = 0;
  for (int round = 0; round < 5; ++round) {
    const auto start = std::chrono::steady_clock::now();
    const RunFilter f = RunFilter::compile(
        "(flow > 1.5 or flow < 0.2) and id > 10 and run_string ? \"foo\" and "
        "channel_1_chemical_id == \"Lysozyme\" or tags ? \"good\" and shutter_open == True",
        ctx);
    hits = 0;
    for (std::size_t r = 0; r < runs.size(); ++r) {
      FilterRun run;
      run.external_id = static_cast<std::int64_t>(r);
      run.internal_id = static_cast<std::int64_t>(r) + 1;
      run.values = &runs[r];
      if (f.matches(run)) ++hits;
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, ms);
    worst = std::max(worst, ms);
  }
  std::cout << "filter: compile + 5,000 runs x 40 values: best " << best << " ms, worst " << worst
            << " ms of 5 rounds (" << hits << " matches)\n";
  CHECK(hits > 0);
  CHECK(best < 10.0);
}
