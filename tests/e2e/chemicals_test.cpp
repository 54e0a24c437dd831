// /api/chemicals, /api/all-chemicals and /api/copy-chemical end to end
// (api-core.md §3.4-3.6, §5.3 and behaviours T15-T23).
#include <catch2/catch.hpp>

#include "e2e/core_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

std::string chemicals_body(Api& api, long long bt) {
  return api.get("/api/chemicals/" + std::to_string(bt)).body;
}

long long count_chemicals(Api& api, long long bt) {
  return count_rows(api.db(), "Chemical", "beamtime_id = " + std::to_string(bt));
}

long long count_chemical_values(Api& api) {
  return count_rows(api.db(), "ChemicalHasAttributoValue");
}

std::string file_json(long long id, const std::string& description, const std::string& name,
                      std::size_t size) {
  return "{\"id\":" + std::to_string(id) + ",\"description\":\"" + description +
         "\",\"type_\":\"text/plain\",\"file_name\":\"" + name +
         "\",\"size_in_bytes\":" + std::to_string(size) + "}";
}

std::string str_value_json(long long attributo_id, const std::string& v) {
  return "{\"attributo_id\":" + std::to_string(attributo_id) + ",\"attributo_value_str\":\"" + v +
         "\"}";
}

// The chemical's value objects, keyed by attributo id.
std::map<long long, json::value> values_by_attributo(const json::object& chemical) {
  std::map<long long, json::value> m;
  for (const auto& v : chemical.at("attributi").as_array())
    m[v.at("attributo_id").as_int64()] = v;
  return m;
}

json::object patch_chemical_body(long long id, long long bt, const std::string& name,
                                 const json::array& values, const json::array& file_ids,
                                 const std::string& chemical_type = "crystal") {
  auto b = chemical_body(bt, name, values, file_ids, chemical_type);
  b["id"] = id;
  return b;
}

// POST /api/files (multipart), returns the new file id.
long long upload_file(Api& api, const std::string& file_name, const std::string& data,
                      const std::string& description) {
  const std::string b = "e2eChemicalBoundary7MA4YWxk";
  const auto field = [&](const std::string& name, const std::string& value) {
    return "--" + b + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value +
           "\r\n";
  };
  const std::string body =
      "--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file_name +
      "\"\r\nContent-Type: text/plain\r\n\r\n" + data + "\r\n" + field("description", description) +
      field("deduplicate", "False") + "--" + b + "--\r\n";
  auto r = api.request("POST", "/api/files", body,
                       {{"Content-Type", "multipart/form-data; boundary=" + b}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json().at("id").as_int64();
}

}  // namespace

// ---- POST /api/chemicals: validation ------------------------------------------------------

TEST_CASE("a value of the wrong kind is refused with the validation prefix (T15)", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T15");
  const auto s = create_attributo(api, bt, "s", "chemical", string_type());
  const auto values_before = count_chemical_values(api);
  const auto detail =
      require_400(api.post("/api/chemicals", chemical_body(bt, "c", {value_int(s, 3)})));
  CHECK(detail.starts_with("error validating attributi: attributo " + std::to_string(s) + ": "));
  CHECK(count_chemicals(api, bt) == 0);
  CHECK(count_chemical_values(api) == values_before);
}

TEST_CASE("values must belong to chemical attributi (T16)", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T16");
  const auto other_bt = create_beamtime(api, "T16 other");
  const auto run_attr = create_attributo(api, bt, "r", "run", string_type());
  const auto foreign = create_attributo(api, other_bt, "f", "chemical", string_type());
  const auto mine = create_attributo(api, bt, "m", "chemical", string_type());
  for (const auto id : {run_attr, foreign, 987654321LL}) {
    INFO("attributo " << id);
    const auto detail = require_400(api.post(
        "/api/chemicals", chemical_body(bt, "c", {value_str(mine, "ok"), value_str(id, "x")})));
    CHECK(detail.find("not found in list of chemical attributi") != std::string::npos);
    CHECK(detail.find(std::to_string(id)) != std::string::npos);
  }
  CHECK(count_chemicals(api, bt) == 0);
  CHECK(count_chemicals(api, other_bt) == 0);
}

TEST_CASE("choices and ranges are enforced (T17; T18)", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T17");
  const auto choice = create_attributo(api, bt, "choice", "chemical", choice_type({"a", "b"}));
  const auto detail =
      require_400(api.post("/api/chemicals", chemical_body(bt, "c", {value_str(choice, "c")})));
  CHECK(
      detail.starts_with("error validating attributi: attributo " + std::to_string(choice) + ": "));
  require_400(api.post("/api/chemicals", chemical_body(bt, "c", {value_str(choice, "A")})));
  require_400(api.post("/api/chemicals", chemical_body(bt, "c", {value_str(choice, "")})));
  CHECK(count_chemicals(api, bt) == 0);
  const auto ok = create_chemical(api, bt, "c", {value_str(choice, "a")});
  CHECK(chemical_value(api, bt, ok, choice) == json::value(value_str(choice, "a")));

  const auto range = create_attributo(
      api, bt, "range", "chemical", {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 10}});
  const std::vector<std::pair<double, bool>> cases = {{0.0, false}, {10.0, true},  {10.5, false},
                                                      {5.0, true},  {-1.0, false}, {0.001, true}};
  for (const auto& [v, accepted] : cases) {
    INFO("value " << v);
    const auto before = count_chemicals(api, bt);
    auto r = api.post("/api/chemicals", chemical_body(bt, "r", {value_float(range, v)}));
    if (accepted) {
      CHECK(r.status == 200);
      CHECK(count_chemicals(api, bt) == before + 1);
    } else {
      const auto d = require_400(r);
      CHECK(d.starts_with("error validating attributi: attributo " + std::to_string(range) + ": "));
      CHECK(count_chemicals(api, bt) == before);
    }
  }
}

TEST_CASE("every attributo type accepts only its own value field (§3.6; decision 6)",
          "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "value kinds");
  const auto integer = create_attributo(api, bt, "integer", "chemical", integer_type());
  const auto decimal = create_attributo(api, bt, "decimal", "chemical", number_type());
  const auto str = create_attributo(api, bt, "string", "chemical", string_type());
  const auto choice = create_attributo(api, bt, "choice", "chemical", choice_type({"x"}));
  const auto boolean = create_attributo(api, bt, "boolean", "chemical", boolean_type());
  const auto when = create_attributo(api, bt, "date-time", "chemical", datetime_type());
  const auto strings = create_attributo(api, bt, "strings", "chemical", array_type("string"));
  const auto numbers = create_attributo(api, bt, "numbers", "chemical", array_type("number", 2, 3));
  const auto bools = create_attributo(api, bt, "bools", "chemical", array_type("bool"));

  const std::vector<std::pair<std::string, json::object>> refused = {
      {"integer with str", value_str(integer, "1")},
      {"integer with float", value_float(integer, 1.5)},
      {"integer with bool", value_bool(integer, true)},
      {"integer with list", {{"attributo_id", integer}, {"attributo_value_list_float", {1.0}}}},
      {"decimal with str", value_str(decimal, "1.5")},
      {"decimal with bool", value_bool(decimal, true)},
      {"string with int", value_int(str, 1)},
      {"string with float", value_float(str, 1.5)},
      {"string with bool", value_bool(str, false)},
      {"string with datetime", value_datetime(str, 1000)},
      {"choice with int", value_int(choice, 1)},
      {"boolean with int", value_int(boolean, 1)},
      {"boolean with str", value_str(boolean, "true")},
      {"date-time with str", value_str(when, "2025-01-01")},
      {"date-time with int", value_int(when, 1000)},
      {"date-time with bool", value_bool(when, true)},
      {"string list with numbers",
       {{"attributo_id", strings}, {"attributo_value_list_float", {1.0}}}},
      {"string list with str", value_str(strings, "a")},
      {"number list with strings",
       {{"attributo_id", numbers}, {"attributo_value_list_str", {"1", "2"}}}},
      {"number list too short", {{"attributo_id", numbers}, {"attributo_value_list_float", {1.0}}}},
      {"number list too long",
       {{"attributo_id", numbers}, {"attributo_value_list_float", {1.0, 2.0, 3.0, 4.0}}}},
      {"bool list with strings", {{"attributo_id", bools}, {"attributo_value_list_str", {"true"}}}},
  };
  const auto values_before = count_chemical_values(api);
  for (const auto& [what, value] : refused) {
    INFO(what);
    const auto d = require_400(api.post("/api/chemicals", chemical_body(bt, what, {value})));
    CHECK(d.starts_with("error validating attributi: attributo " +
                        std::to_string(value.at("attributo_id").as_int64()) + ": "));
  }
  CHECK(count_chemicals(api, bt) == 0);
  CHECK(count_chemical_values(api) == values_before);

  // Accepted values, and how they read back.
  const auto c = create_chemical(
      api, bt, "all kinds",
      {value_int(integer, -7), value_int(decimal, 3), value_str(str, "text \"quoted\" é"),
       value_str(choice, "x"), value_bool(boolean, false), value_datetime(when, 1746018000123),
       json::object{{"attributo_id", strings}, {"attributo_value_list_str", {"a", "b"}}},
       json::object{{"attributo_id", numbers}, {"attributo_value_list_float", {1, 2.5}}},
       json::object{{"attributo_id", bools}, {"attributo_value_list_bool", {true, false}}}});
  const auto got = values_by_attributo(get_chemical(api, bt, c));
  CHECK(got.at(integer) == json::value(value_int(integer, -7)));
  // A decimal takes an integer and keeps it as a float.
  CHECK(got.at(decimal) == json::value(value_float(decimal, 3.0)));
  CHECK(got.at(str) == json::value(value_str(str, "text \"quoted\" é")));
  CHECK(got.at(choice) == json::value(value_str(choice, "x")));
  CHECK(got.at(boolean) == json::value(value_bool(boolean, false)));
  CHECK(got.at(when) == json::value{{"attributo_id", when},
                                    {"attributo_value_datetime", 1746018000123LL},
                                    {"attributo_value_datetime_local", 1746018000123LL}});
  CHECK(got.at(strings) ==
        json::value{{"attributo_id", strings}, {"attributo_value_list_str", {"a", "b"}}});
  CHECK(got.at(numbers) ==
        json::value{{"attributo_id", numbers}, {"attributo_value_list_float", {1.0, 2.5}}});
  CHECK(got.at(bools) ==
        json::value{{"attributo_id", bools}, {"attributo_value_list_bool", {true, false}}});
  // Byte-exact float output.
  const auto body = chemicals_body(api, bt);
  CHECK(body.find("{\"attributo_id\":" + std::to_string(decimal) +
                  ",\"attributo_value_float\":3.0}") != std::string::npos);
  CHECK(body.find("\"attributo_value_list_float\":[1.0,2.5]") != std::string::npos);
}

TEST_CASE("value fields are read leniently (§1.2)", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "lax values");
  const auto i = create_attributo(api, bt, "i", "chemical", integer_type());
  const auto b = create_attributo(api, bt, "b", "chemical", boolean_type());
  const auto d = create_attributo(api, bt, "d", "chemical", number_type());
  const auto s = create_attributo(api, bt, "s", "chemical", string_type());
  const auto c = create_chemical(
      api, bt, "c",
      {json::object{{"attributo_id", std::to_string(i)}, {"attributo_value_int", "7"}},
       json::object{{"attributo_id", b}, {"attributo_value_bool", "yes"}},
       json::object{{"attributo_id", d}, {"attributo_value_float", "2.5"}},
       json::object{{"attributo_id", s}, {"attributo_value_str", "x"}, {"extra", 1}}});
  CHECK(get_chemical(api, bt, c).at("attributi") ==
        json::array{value_int(i, 7), value_bool(b, true), value_float(d, 2.5), value_str(s, "x")});
  const auto before = count_chemicals(api, bt);
  const auto e1 = require_422(api.post(
      "/api/chemicals",
      chemical_body(bt, "x", {json::object{{"attributo_id", s}, {"attributo_value_str", 5}}})));
  CHECK(e1[0].at("type") == "string_type");
  CHECK(e1[0].at("loc") == json::array{"body", "attributi", 0, "attributo_value_str"});
  const auto e2 = require_422(api.post(
      "/api/chemicals",
      chemical_body(bt, "x", {json::object{{"attributo_id", i}, {"attributo_value_int", 1.5}}})));
  CHECK(e2[0].at("type") == "int_from_float");
  require_422(api.post(
      "/api/chemicals",
      chemical_body(bt, "x",
                    {json::object{{"attributo_id", b}, {"attributo_value_bool", "maybe"}}})));
  require_422(api.post(
      "/api/chemicals",
      chemical_body(bt, "x",
                    {json::object{{"attributo_id", s}, {"attributo_value_list_str", {1, 2}}}})));
  CHECK(count_chemicals(api, bt) == before);
}

TEST_CASE("long string and list values are stored whole", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "long values");
  const auto s = create_attributo(api, bt, "s", "chemical", string_type());
  const auto l = create_attributo(api, bt, "l", "chemical", array_type("string"));
  std::string text;
  for (int i = 0; i < 20000; ++i)
    text += "ab\xC3\xA9\xF0\x9F\xA7\xAA";  // 100000 bytes, with 2- and 4-byte characters
  json::array items;
  for (int i = 0; i < 2000; ++i)
    items.emplace_back(std::string(50, static_cast<char>('a' + i % 26)));
  const auto c = create_chemical(
      api, bt, "c",
      {value_str(s, text), json::object{{"attributo_id", l}, {"attributo_value_list_str", items}}});
  CHECK(chemical_value(api, bt, c, s) == json::value(value_str(s, text)));
  CHECK(chemical_value(api, bt, c, l) ==
        json::value{{"attributo_id", l}, {"attributo_value_list_str", items}});
}

TEST_CASE("date-time values: local wins over UTC; empty lists are no value", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "datetime values");
  const auto when = create_attributo(api, bt, "when", "chemical", datetime_type());
  const auto list = create_attributo(api, bt, "list", "chemical", array_type("string"));
  const auto empty = create_attributo(api, bt, "empty", "chemical", string_type());
  const auto c = create_chemical(
      api, bt, "c",
      {json::object{{"attributo_id", when},
                    {"attributo_value_datetime", 1},
                    {"attributo_value_datetime_local", 1746018000000LL}},
       json::object{{"attributo_id", list}, {"attributo_value_list_str", json::array{}}},
       value_empty(empty)});
  const auto got = values_by_attributo(get_chemical(api, bt, c));
  CHECK(got.at(when) == json::value{{"attributo_id", when},
                                    {"attributo_value_datetime", 1746018000000LL},
                                    {"attributo_value_datetime_local", 1746018000000LL}});
  CHECK(got.at(list) == json::value{{"attributo_id", list}});
  CHECK(got.at(empty) == json::value{{"attributo_id", empty}});
}

TEST_CASE("date-time values under Europe/Berlin", "[chemicals]") {
  ServerOnFreshDb berlin({}, {{"AMARCORD_TZ", "Europe/Berlin"}});
  Api api(berlin);
  const auto bt = create_beamtime(api, "berlin");
  const auto when = create_attributo(api, bt, "when", "chemical", datetime_type());
  const auto text = create_attributo(api, bt, "text", "chemical", string_type());
  const json::value expected{{"attributo_id", when},
                             {"attributo_value_datetime", 1746018000000LL},
                             {"attributo_value_datetime_local", 1746025200000LL}};
  const auto utc = create_chemical(api, bt, "utc", {value_datetime(when, 1746018000000LL)});
  const auto local = create_chemical(
      api, bt, "local",
      {json::object{{"attributo_id", when}, {"attributo_value_datetime_local", 1746025200000LL}}});
  const auto as_text = create_chemical(api, bt, "text", {value_str(text, "2025-04-30T13:00:00Z")});
  CHECK(chemical_value(api, bt, utc, when) == expected);
  CHECK(chemical_value(api, bt, local, when) == expected);
  // Conversions between text and date-time use UTC, whatever AMARCORD_TZ says.
  api.patch_ok("/api/attributi",
               update_attributo_body(text, "text", "chemical", datetime_type(), false));
  CHECK(chemical_value(api, bt, as_text, text) ==
        json::value{{"attributo_id", text},
                    {"attributo_value_datetime", 1746018000000LL},
                    {"attributo_value_datetime_local", 1746025200000LL}});
  api.patch_ok("/api/attributi",
               update_attributo_body(when, "when", "chemical", string_type(), false));
  CHECK(chemical_value(api, bt, local, when) ==
        json::value(value_str(when, "2025-04-30T13:00:00Z")));
}

TEST_CASE("chemical refusals: unknown beamtime; long text; bad shapes", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "chemical refusals");
  const auto a = create_attributo(api, bt, "a", "chemical", string_type());
  const auto total = count_rows(api.db(), "Chemical");
  require_400(api.post("/api/chemicals", chemical_body(987654321, "c")));
  CHECK(count_rows(api.db(), "Chemical") == total);

  for (const char* field : {"name", "responsible_person"}) {
    INFO(field);
    auto body = chemical_body(bt, "c");
    body[field] = std::string(256, 'x');
    const auto d = require_422(api.post("/api/chemicals", body));
    CHECK(d[0].at("type") == "string_too_long");
    CHECK(d[0].at("loc") == json::array{"body", field});
  }
  const auto wrong_type =
      require_422(api.post("/api/chemicals", chemical_body(bt, "c", {}, {}, "powder")));
  CHECK(wrong_type[0].at("loc") == json::array{"body", "chemical_type"});
  auto missing = chemical_body(bt, "c");
  missing.erase("file_ids");
  const auto dm = require_422(api.post("/api/chemicals", missing));
  CHECK(dm[0].at("loc") == json::array{"body", "file_ids"});
  auto no_id = chemical_body(bt, "c", {json::object{{"attributo_value_str", "x"}}});
  const auto dv = require_422(api.post("/api/chemicals", no_id));
  CHECK(dv[0].at("loc") == json::array{"body", "attributi", 0, "attributo_id"});

  // The same attributo twice: refused (not a server error), nothing written.
  auto twice =
      api.post("/api/chemicals", chemical_body(bt, "c", {value_str(a, "x"), value_str(a, "y")}));
  CHECK(twice.status >= 400);
  CHECK(twice.status < 500);
  CHECK(count_chemicals(api, bt) == 0);
  CHECK(count_rows(api.db(), "Chemical") == total);
}

// ---- GET /api/chemicals/{bt} ---------------------------------------------------------------

TEST_CASE("a chemical with values and a file reads back exactly (T19)", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T19");
  const auto a1 = create_attributo(api, bt, "cell", "chemical", string_type());
  const auto a2 = create_attributo(api, bt, "shape", "chemical", string_type());
  const auto a3 = create_attributo(api, bt, "colour", "chemical", string_type());
  create_attributo(api, bt, "run only", "run", string_type());
  const auto f = insert_file(api.db(), "lyso.txt", "crystal photo", "abc");
  auto created =
      api.post("/api/chemicals",
               chemical_body(
                   bt, "lyso",
                   {value_str(a3, "green"), value_str(a1, "4/mmm"), value_str(a2, "needle")}, {f}));
  REQUIRE(created.status == 200);
  const auto c = created.json().at("id").as_int64();
  CHECK(created.body == "{\"id\":" + std::to_string(c) + "}");

  const std::string expected =
      "{\"chemicals\":[{\"id\":" + std::to_string(c) + ",\"beamtime_id\":" + std::to_string(bt) +
      ",\"name\":\"lyso\",\"responsible_person\":\"me\",\"chemical_type\":\"crystal\","
      "\"attributi\":[" +
      str_value_json(a1, "4/mmm") + "," + str_value_json(a2, "needle") + "," +
      str_value_json(a3, "green") + "],\"files\":[" + file_json(f, "crystal photo", "lyso.txt", 3) +
      "]}],\"attributi\":[" +
      attributo_json(a1, "cell", "chemical", "attributo_type_string", "{\"type\":\"string\"}") +
      "," +
      attributo_json(a2, "shape", "chemical", "attributo_type_string", "{\"type\":\"string\"}") +
      "," +
      attributo_json(a3, "colour", "chemical", "attributo_type_string", "{\"type\":\"string\"}") +
      "]}";
  CHECK(chemicals_body(api, bt) == expected);
  CHECK(api.get("/api/chemicals/987654321").body == "{\"chemicals\":[],\"attributi\":[]}");
  require_422(api.get("/api/chemicals/abc"));
}

TEST_CASE("files uploaded through /api/files attach to chemicals", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "uploaded files");
  const auto f = upload_file(api, "notes.txt", "hello world", "my notes");
  const auto c = create_chemical(api, bt, "with upload", {}, {f});
  const auto files = get_chemical(api, bt, c).at("files").as_array();
  REQUIRE(files.size() == 1);
  auto file = files[0].as_object();
  CHECK(file.at("id").as_int64() == f);
  CHECK(file.at("description") == "my notes");
  CHECK(file.at("type_") == "text/plain");
  CHECK(file.at("file_name") == "notes.txt");
  CHECK(file.at("size_in_bytes").as_int64() == 11);
  CHECK_FALSE(file.contains("original_path"));
  // Deleting the chemical keeps the file.
  api.del_ok("/api/chemicals", json::object{{"id", c}});
  auto download = api.get("/api/files/" + std::to_string(f));
  CHECK(download.status == 200);
  CHECK(download.body == "hello world");
}

TEST_CASE("chemicals are listed in id order with files in id order", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "chemical order");
  const auto f1 = insert_file(api.db(), "one.txt");
  const auto f2 = insert_file(api.db(), "two.txt");
  const auto z = create_chemical(api, bt, "zzz", {}, {f2, f1, 987654321});
  const auto a = create_chemical(api, bt, "aaa");
  const auto list = list_chemicals(api, bt);
  REQUIRE(list.size() == 2);
  CHECK(list[0].at("id").as_int64() == z);
  CHECK(list[1].at("id").as_int64() == a);
  const auto files = list[0].at("files").as_array();
  REQUIRE(files.size() == 2);  // the unknown file id is ignored
  CHECK(files[0].at("id").as_int64() == f1);
  CHECK(files[1].at("id").as_int64() == f2);
  CHECK(list[1].at("files") == json::array{});
  CHECK(list[1].at("attributi") == json::array{});
}

// ---- PATCH /api/chemicals ---------------------------------------------------------------------

TEST_CASE("PATCH replaces scalars and files and merges values (T20)", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T20");
  const auto other_bt = create_beamtime(api, "T20 other");
  const auto a1 = create_attributo(api, bt, "a1", "chemical", string_type());
  const auto a2 = create_attributo(api, bt, "a2", "chemical", string_type());
  const auto a3 = create_attributo(api, bt, "a3", "chemical", string_type());
  const auto old_file = insert_file(api.db(), "old.txt");
  const auto new_file = insert_file(api.db(), "new.txt");
  const auto c = create_chemical(
      api, bt, "before", {value_str(a1, "one"), value_str(a2, "two"), value_str(a3, "three")},
      {old_file});

  // beamtime_id is ignored: a chemical never moves.
  auto r =
      api.patch("/api/chemicals", patch_chemical_body(c, other_bt, "after", {value_str(a2, "TWO")},
                                                      {new_file, 987654321}, "solution"));
  REQUIRE(r.status == 200);
  CHECK(r.body == "{\"id\":" + std::to_string(c) + "}");
  const auto list = list_chemicals(api, bt);
  REQUIRE(list.size() == 1);
  CHECK(list_chemicals(api, other_bt).empty());
  const auto chem = list[0].as_object();
  CHECK(chem.at("name") == "after");
  CHECK(chem.at("chemical_type") == "solution");
  CHECK(chem.at("beamtime_id").as_int64() == bt);
  CHECK(chem.at("attributi") ==
        json::array{value_str(a1, "one"), value_str(a2, "TWO"), value_str(a3, "three")});
  const auto files = chem.at("files").as_array();
  REQUIRE(files.size() == 1);
  CHECK(files[0].at("id").as_int64() == new_file);
  // The old file is only unlinked.
  CHECK(count_rows(api.db(), "File", "id = " + std::to_string(old_file)) == 1);

  // A value sent without any value field leaves an empty value.
  api.patch_ok("/api/chemicals", patch_chemical_body(c, bt, "after", {value_empty(a3)}, {}));
  const auto again = get_chemical(api, bt, c);
  CHECK(again.at("attributi") ==
        json::array{value_str(a1, "one"), value_str(a2, "TWO"), value_empty(a3)});
  CHECK(again.at("files") == json::array{});
}

TEST_CASE("PATCH refusals change nothing", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "patch chemical refusals");
  const auto a = create_attributo(api, bt, "a", "chemical", integer_type());
  const auto r = create_attributo(api, bt, "r", "run", integer_type());
  const auto c = create_chemical(api, bt, "c", {value_int(a, 1)});
  const auto before = chemicals_body(api, bt);

  require_404(api.patch("/api/chemicals", patch_chemical_body(987654321, bt, "x", {}, {})));
  const auto wrong_table = require_400(
      api.patch("/api/chemicals", patch_chemical_body(c, bt, "x", {value_int(r, 2)}, {})));
  CHECK(wrong_table.find("not found in list of chemical attributi") != std::string::npos);
  const auto wrong_kind = require_400(
      api.patch("/api/chemicals", patch_chemical_body(c, bt, "x", {value_str(a, "2")}, {})));
  CHECK(
      wrong_kind.starts_with("error validating attributi: attributo " + std::to_string(a) + ": "));
  auto twice = api.patch("/api/chemicals",
                         patch_chemical_body(c, bt, "x", {value_int(a, 2), value_int(a, 3)}, {}));
  CHECK(twice.status >= 400);
  CHECK(twice.status < 500);
  auto too_long = patch_chemical_body(c, bt, std::string(256, 'n'), {}, {});
  CHECK(require_422(api.patch("/api/chemicals", too_long))[0].at("type") == "string_too_long");
  auto no_id = chemical_body(bt, "x");
  CHECK(require_422(api.patch("/api/chemicals", no_id))[0].at("loc") == json::array{"body", "id"});
  CHECK(chemicals_body(api, bt) == before);
}

// ---- DELETE /api/chemicals -----------------------------------------------------------------

TEST_CASE("deleting a chemical leaves the others (T21)", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T21");
  const auto x = create_chemical(api, bt, "x");
  const auto y = create_chemical(api, bt, "y");
  auto r = api.del("/api/chemicals", json::object{{"id", x}});
  REQUIRE(r.status == 200);
  CHECK(r.body == "{\"id\":" + std::to_string(x) + "}");
  const auto list = list_chemicals(api, bt);
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("id").as_int64() == y);
  auto again = api.del("/api/chemicals", json::object{{"id", x}});
  REQUIRE(again.status == 200);
  CHECK(again.body == "{\"id\":" + std::to_string(x) + "}");
  CHECK(list_chemicals(api, bt).size() == 1);
  require_422(api.del("/api/chemicals", json::object{{"id", "abc"}}));
  require_422(api.del("/api/chemicals", json::object{}));
  CHECK(list_chemicals(api, bt).size() == 1);
}

TEST_CASE("deleting a chemical removes everything that points at it", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "chemical cascade");
  const auto chem_attr = create_attributo(api, bt, "cell", "chemical", string_type());
  const auto sample = create_attributo(api, bt, "sample", "run", chemical_id_type());
  const auto note = create_attributo(api, bt, "note", "run", string_type());
  const auto f = insert_file(api.db(), "photo.txt");
  const auto c = create_chemical(api, bt, "doomed", {value_str(chem_attr, "x")}, {f});
  const auto keep = create_chemical(api, bt, "kept", {value_str(chem_attr, "y")}, {f});
  const auto cs = std::to_string(c);

  const auto et = insert_experiment_type(api.db(), bt, "et");
  const auto run = insert_run(api.db(), bt, 1, et);
  insert_run_value(api.db(), run, sample, "chemical_value", cs);
  insert_run_value(api.db(), run, note, "string_value", "'stays'");
  const auto ds = insert_returning_id(
      api.db(), "DataSet",
      "INSERT INTO \"DataSet\" (experiment_type_id) VALUES (" + std::to_string(et) + ")");
  exec_sql(api.db(),
           "INSERT INTO \"DataSetHasAttributoValue\" (data_set_id, attributo_id, chemical_value) "
           "VALUES (" +
               std::to_string(ds) + ", " + std::to_string(sample) + ", " + cs + ")");
  const auto sched = insert_returning_id(
      api.db(), "BeamtimeSchedule",
      "INSERT INTO \"BeamtimeSchedule\" (beamtime_id, users, td_support, comment, shift, date) "
      "VALUES (" +
          std::to_string(bt) + ", 'u', 't', 'c', '10:00-11:00', '2025-04-30')");
  exec_sql(api.db(),
           "INSERT INTO \"BeamtimeScheduleHasChemical\" (beamtime_schedule_id, chemical_id) "
           "VALUES (" +
               std::to_string(sched) + ", " + cs + ")");

  api.del_ok("/api/chemicals", json::object{{"id", c}});
  CHECK(count_rows(api.db(), "Chemical", "id = " + cs) == 0);
  CHECK(count_rows(api.db(), "ChemicalHasAttributoValue", "chemical_id = " + cs) == 0);
  CHECK(count_rows(api.db(), "ChemicalHasFile", "chemical_id = " + cs) == 0);
  CHECK(count_rows(api.db(), "BeamtimeScheduleHasChemical", "chemical_id = " + cs) == 0);
  CHECK(count_rows(api.db(), "RunHasAttributoValue", "chemical_value = " + cs) == 0);
  CHECK(count_rows(api.db(), "DataSetHasAttributoValue", "chemical_value = " + cs) == 0);
  // What does not point at the chemical stays.
  CHECK(count_rows(api.db(), "RunHasAttributoValue", "run_id = " + std::to_string(run)) == 1);
  CHECK(count_rows(api.db(), "DataSet", "id = " + std::to_string(ds)) == 1);
  CHECK(count_rows(api.db(), "BeamtimeSchedule", "id = " + std::to_string(sched)) == 1);
  CHECK(count_rows(api.db(), "File", "id = " + std::to_string(f)) == 1);
  const auto list = list_chemicals(api, bt);
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("id").as_int64() == keep);
  CHECK(list[0].at("files").as_array().size() == 1);
}

// ---- GET /api/all-chemicals -----------------------------------------------------------------

TEST_CASE("all chemicals: by name; then newest beamtime first (T23)", "[chemicals]") {
  ServerOnFreshDb fresh;
  Api api(fresh);
  CHECK(api.get("/api/all-chemicals").body ==
        "{\"chemicals\":[],\"beamtimes\":[],\"attributi_names\":[]}");
  const auto bt1 = create_beamtime(api, "one");
  const auto bt2 = create_beamtime(api, "two");
  const auto attr1 = create_attributo(api, bt1, "cell", "chemical", string_type());
  create_attributo(api, bt1, "run attributo", "run", string_type());
  const auto attr2 = create_attributo(api, bt2, "shape", "chemical", string_type());
  const auto b1 = create_chemical(api, bt1, "b", {value_str(attr1, "x")});
  const auto a1 = create_chemical(api, bt1, "a");
  const auto a2 = create_chemical(api, bt2, "a", {value_str(attr2, "y")});
  const auto upper = create_chemical(api, bt2, "B");

  const auto all = api.get_ok("/api/all-chemicals").as_object();
  const auto chemicals = all.at("chemicals").as_array();
  REQUIRE(chemicals.size() == 4);
  // Binary order: "B" < "a" < "b"; equal names: higher beamtime id first.
  CHECK(chemicals[0].at("id").as_int64() == upper);
  CHECK(chemicals[1].at("id").as_int64() == a2);
  CHECK(chemicals[2].at("id").as_int64() == a1);
  CHECK(chemicals[3].at("id").as_int64() == b1);
  CHECK(chemicals[1].at("attributi") == json::array{value_str(attr2, "y")});
  CHECK(chemicals[3].at("beamtime_id").as_int64() == bt1);

  const auto beamtimes = all.at("beamtimes").as_array();
  REQUIRE(beamtimes.size() == 2);
  CHECK(beamtimes[0].at("id").as_int64() == bt1);
  CHECK(beamtimes[1].at("id").as_int64() == bt2);
  for (const auto& b : beamtimes)
    CHECK(b.at("chemical_names") == json::array{});
  CHECK(all.at("attributi_names") == json::array{json::object{{"id", attr1}, {"name", "cell"}},
                                                 json::object{{"id", attr2}, {"name", "shape"}}});
}

// ---- POST /api/copy-chemical -----------------------------------------------------------------

TEST_CASE("copying a chemical to another beamtime (T22)", "[chemicals]") {
  Api api(shared_server());
  const auto bt1 = create_beamtime(api, "T22 source");
  const auto bt2 = create_beamtime(api, "T22 target");
  const auto s = create_attributo(api, bt1, "space group", "chemical", string_type());
  const auto n = create_attributo(api, bt1, "count", "chemical", integer_type());
  const auto d = create_attributo(api, bt1, "size", "chemical",
                                  {{"type", "number"}, {"suffix", "um"}, {"minimum", 0}});
  const auto f = insert_file(api.db(), "c.txt");
  const auto src = create_chemical(
      api, bt1, "lyso", {value_str(s, "P43212"), value_int(n, 3), value_float(d, 12.5)}, {f});

  auto r = api.post(
      "/api/copy-chemical",
      json::object{{"chemical_id", src}, {"target_beamtime_id", bt2}, {"create_attributi", true}});
  REQUIRE(r.status == 200);
  const auto copy = r.json().at("new_chemical_id").as_int64();
  CHECK(copy > 0);
  CHECK(copy != src);
  CHECK(r.body == "{\"new_chemical_id\":" + std::to_string(copy) + "}");

  const auto target = list_chemicals(api, bt2);
  REQUIRE(target.size() == 1);
  CHECK(target[0].at("id").as_int64() == copy);
  CHECK(target[0].at("name") == "lyso");
  CHECK(target[0].at("responsible_person") == "me");
  CHECK(target[0].at("chemical_type") == "crystal");
  const auto attributi = list_attributi(api, bt2);
  REQUIRE(attributi.size() == 3);
  std::map<std::string, json::object> by_name;
  for (const auto& a : attributi)
    by_name[std::string(a.at("name").as_string())] = a.as_object();
  CHECK(by_name.at("space group").at("attributo_type_string") == string_type());
  CHECK(by_name.at("count").at("attributo_type_integer") == integer_type());
  CHECK(by_name.at("size").at("attributo_type_number") ==
        json::value{{"type", "number"}, {"minimum", 0.0}, {"suffix", "um"}});
  CHECK(by_name.at("size").at("associated_table") == "chemical");
  const auto values = values_by_attributo(target[0].as_object());
  CHECK(values.at(by_name.at("space group").at("id").as_int64()).at("attributo_value_str") ==
        "P43212");
  CHECK(values.at(by_name.at("count").at("id").as_int64()).at("attributo_value_int") == 3);
  CHECK(values.at(by_name.at("size").at("id").as_int64()).at("attributo_value_float") == 12.5);
  const auto files = target[0].at("files").as_array();
  REQUIRE(files.size() == 1);
  CHECK(files[0].at("id").as_int64() == f);  // shared, not duplicated
  // The source is untouched.
  CHECK(list_chemicals(api, bt1).size() == 1);
  CHECK(list_attributi(api, bt1).size() == 3);
}

TEST_CASE("copying without creating attributi keeps only same-named values", "[chemicals]") {
  Api api(shared_server());
  const auto bt1 = create_beamtime(api, "copy source");
  const auto bare = create_beamtime(api, "copy bare");
  const auto partial = create_beamtime(api, "copy partial");
  const auto s = create_attributo(api, bt1, "space group", "chemical", string_type());
  const auto n = create_attributo(api, bt1, "count", "chemical", integer_type());
  const auto src = create_chemical(api, bt1, "lyso", {value_str(s, "P1"), value_int(n, 3)});
  const auto target_s = create_attributo(api, partial, "space group", "chemical", string_type());

  const auto copy1 = api.post_ok("/api/copy-chemical", json::object{{"chemical_id", src},
                                                                    {"target_beamtime_id", bare},
                                                                    {"create_attributi", false}})
                         .at("new_chemical_id")
                         .as_int64();
  CHECK(get_chemical(api, bare, copy1).at("attributi") == json::array{});
  CHECK(list_attributi(api, bare).empty());

  const auto copy2 = api.post_ok("/api/copy-chemical", json::object{{"chemical_id", src},
                                                                    {"target_beamtime_id", partial},
                                                                    {"create_attributi", false}})
                         .at("new_chemical_id")
                         .as_int64();
  CHECK(get_chemical(api, partial, copy2).at("attributi") ==
        json::array{value_str(target_s, "P1")});
  CHECK(list_attributi(api, partial).size() == 1);
}

TEST_CASE("copy-chemical refusals write nothing (decisions 1 and 2)", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "copy refusals");
  const auto src = create_chemical(api, bt, "c");
  const auto chemicals = count_rows(api.db(), "Chemical");
  const auto attributi = count_rows(api.db(), "Attributo");
  require_404(api.post("/api/copy-chemical", json::object{{"chemical_id", 987654321},
                                                          {"target_beamtime_id", bt},
                                                          {"create_attributi", true}}));
  require_400(api.post("/api/copy-chemical", json::object{{"chemical_id", src},
                                                          {"target_beamtime_id", 987654321},
                                                          {"create_attributi", true}}));
  const auto d = require_422(api.post(
      "/api/copy-chemical", json::object{{"chemical_id", src}, {"target_beamtime_id", bt}}));
  CHECK(d[0].at("loc") == json::array{"body", "create_attributi"});
  CHECK(count_rows(api.db(), "Chemical") == chemicals);
  CHECK(count_rows(api.db(), "Attributo") == attributi);
}

TEST_CASE("chemicals: ids beyond 32 bits are unknown ids; not server errors", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "big ids chemicals");
  const auto a = create_attributo(api, bt, "a", "chemical", integer_type());
  const auto big = std::to_string(kBeyond32Bits);
  const auto c = create_chemical(api, bt, "c", {}, {kBeyond32Bits});  // unknown file: ignored
  CHECK(get_chemical(api, bt, c).at("files") == json::array{});
  const auto total = count_rows(api.db(), "Chemical");
  CHECK(api.get("/api/chemicals/" + big).body == "{\"chemicals\":[],\"attributi\":[]}");
  require_400(api.post("/api/chemicals", chemical_body(kBeyond32Bits, "x")));
  const auto d = require_400(
      api.post("/api/chemicals", chemical_body(bt, "x", {value_int(kBeyond32Bits, 1)})));
  CHECK(d.find("not found in list of chemical attributi") != std::string::npos);
  require_404(api.patch("/api/chemicals", patch_chemical_body(kBeyond32Bits, bt, "x", {}, {})));
  require_400(api.patch("/api/chemicals",
                        patch_chemical_body(c, bt, "x", {value_int(kBeyond32Bits, 1)}, {})));
  auto del = api.del("/api/chemicals", json::object{{"id", kBeyond32Bits}});
  CHECK(del.status == 200);
  CHECK(del.body == "{\"id\":" + big + "}");
  require_404(api.post("/api/copy-chemical", json::object{{"chemical_id", kBeyond32Bits},
                                                          {"target_beamtime_id", bt},
                                                          {"create_attributi", true}}));
  require_400(api.post("/api/copy-chemical", json::object{{"chemical_id", c},
                                                          {"target_beamtime_id", kBeyond32Bits},
                                                          {"create_attributi", true}}));
  CHECK(count_rows(api.db(), "Chemical") == total);
  CHECK(get_chemical(api, bt, c).at("name") == "c");
  CHECK(get_chemical(api, bt, c).at("attributi") == json::array{});
  (void)a;
}

TEST_CASE("integer values round-trip exactly beyond 32 bits on every engine", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "big values");
  const auto a = create_attributo(api, bt, "big", "chemical", integer_type());
  const auto b = create_attributo(api, bt, "small", "chemical", integer_type());
  const auto c = create_chemical(api, bt, "c",
                                 {value_int(a, 9007199254740993LL), value_int(b, -3000000000LL)});
  CHECK(chemical_value(api, bt, c, a) == json::value(value_int(a, 9007199254740993LL)));
  CHECK(chemical_value(api, bt, c, b) == json::value(value_int(b, -3000000000LL)));
  CHECK(chemicals_body(api, bt).find("\"attributo_value_int\":9007199254740993}") !=
        std::string::npos);
  // Conversions to integers may produce such values, too.
  const auto d = create_attributo(api, bt, "decimal", "chemical", number_type());
  const auto c2 = create_chemical(api, bt, "c2", {value_float(d, 1e10)});
  api.patch_ok("/api/attributi",
               update_attributo_body(d, "decimal", "chemical", integer_type(), false));
  CHECK(chemical_value(api, bt, c2, d) == json::value(value_int(d, 10000000000LL)));
}

TEST_CASE("decimal values are printed like Python floats", "[chemicals]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "float output");
  const std::vector<std::pair<double, std::string>> cases = {{0.1 + 0.2, "0.30000000000000004"},
                                                             {1e16, "1e+16"},
                                                             {1e-05, "1e-05"},
                                                             {0.0001, "0.0001"},
                                                             {1500.0, "1500.0"},
                                                             {-2.5, "-2.5"},
                                                             {123456789.123, "123456789.123"},
                                                             {1e15, "1000000000000000.0"}};
  int n = 0;
  for (const auto& [v, text] : cases) {
    INFO(text);
    const auto a = create_attributo(api, bt, "d" + std::to_string(n++), "chemical", number_type());
    create_chemical(api, bt, "c" + text, {value_float(a, v)});
    CHECK(chemicals_body(api, bt).find("{\"attributo_id\":" + std::to_string(a) +
                                       ",\"attributo_value_float\":" + text + "}") !=
          std::string::npos);
  }
}
