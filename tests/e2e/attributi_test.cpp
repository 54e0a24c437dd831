// /api/attributi end to end (api-core.md §3, §5.2 and behaviours T6-T14),
// on the engine named by AMARCORD_TEST_ENGINE.
#include <catch2/catch.hpp>

#include "e2e/core_helpers.hpp"

using namespace amarcord::test;
namespace json = boost::json;

namespace {

std::string attributi_body(Api& api, long long bt) {
  return api.get("/api/attributi/" + std::to_string(bt)).body;
}

std::string chemicals_body(Api& api, long long bt) {
  return api.get("/api/chemicals/" + std::to_string(bt)).body;
}

long long count_attributi(Api& api, long long bt) {
  return count_rows(api.db(), "Attributo", "beamtime_id = " + std::to_string(bt));
}

json::object patch_body(const json::object& attributo, bool ignore_units) {
  return {{"attributo", attributo}, {"conversion_flags", {{"ignore_units", ignore_units}}}};
}

// PATCH that keeps name, group, table and description but changes the type.
HttpResult change_type(Api& api, long long bt, long long id, const json::object& new_type,
                       bool ignore_units = false) {
  auto a = get_attributo(api, bt, id);
  for (const char* k : {"attributo_type_integer", "attributo_type_number", "attributo_type_string",
                        "attributo_type_array", "attributo_type_boolean"}) {
    a.erase(k);
  }
  a[type_key(new_type)] = new_type;
  return api.patch("/api/attributi", patch_body(a, ignore_units));
}

json::object schema_entry(const std::string& name, const json::value& type,
                          const json::value& description = "desc") {
  return {{"attributo_name", name}, {"attributo_type", type}, {"description", description}};
}

json::object schema_body(long long bt, const json::array& entries) {
  return {{"attributi_schema", entries}, {"beamtime_id", bt}};
}

}  // namespace

// ---- POST /api/attributi and GET /api/attributi/{beamtimeId} -------------------------------

TEST_CASE("a string chemical attributo is created and listed exactly (T6)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T6");
  const auto other = create_beamtime(api, "T6 other");
  auto created =
      api.post("/api/attributi", attributo_body(bt, "cell description", "chemical", string_type()));
  REQUIRE(created.status == 200);
  const auto id = created.json().at("id").as_int64();
  CHECK(id > 0);
  CHECK(created.body == "{\"id\":" + std::to_string(id) + "}");

  auto got = api.get("/api/attributi/" + std::to_string(bt));
  REQUIRE(got.status == 200);
  CHECK(got.body == "{\"attributi\":[" +
                        attributo_json(id, "cell description", "chemical", "attributo_type_string",
                                       "{\"type\":\"string\"}") +
                        "]}");
  CHECK(api.get("/api/attributi/" + std::to_string(other)).body == "{\"attributi\":[]}");
  CHECK(api.get("/api/attributi/987654321").body == "{\"attributi\":[]}");
}

TEST_CASE("every attributo type comes back in canonical form (T7)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T7");
  struct Case {
    json::object input;
    std::string canonical;
  };
  const std::vector<Case> cases = {
      {{{"type", "integer"}}, "{\"type\":\"integer\"}"},
      {{{"type", "integer"}, {"format", nullptr}}, "{\"type\":\"integer\"}"},
      {{{"type", "integer"}, {"format", "date-time"}},
       "{\"type\":\"integer\",\"format\":\"date-time\"}"},
      {{{"type", "integer"}, {"format", "chemical-id"}},
       "{\"type\":\"integer\",\"format\":\"chemical-id\"}"},
      {{{"type", "number"},
        {"minimum", 1},
        {"exclusiveMaximum", 3},
        {"suffix", "mm"},
        {"format", "standard-unit"},
        {"tolerance", 0.1}},
       "{\"type\":\"number\",\"minimum\":1.0,\"exclusiveMaximum\":3.0,\"suffix\":\"mm\","
       "\"format\":\"standard-unit\",\"tolerance\":0.1}"},
      {{{"type", "number"}}, "{\"type\":\"number\"}"},
      {{{"type", "number"},
        {"maximum", 10},
        {"exclusiveMinimum", 0},
        {"suffix", "K"},
        {"tolerance", 13},
        {"toleranceIsAbsolute", true}},
       "{\"type\":\"number\",\"maximum\":10.0,\"exclusiveMinimum\":0.0,\"suffix\":\"K\","
       "\"tolerance\":13.0,\"toleranceIsAbsolute\":true}"},
      {{{"type", "number"},
        {"minimum", -0.5},
        {"tolerance", 0.00001},
        {"toleranceIsAbsolute", false},
        {"suffix", nullptr},
        {"format", nullptr}},
       "{\"type\":\"number\",\"minimum\":-0.5,\"tolerance\":1e-05}"},
      {{{"type", "string"}}, "{\"type\":\"string\"}"},
      {{{"type", "string"}, {"enum", nullptr}}, "{\"type\":\"string\"}"},
      {{{"type", "string"}, {"enum", {"b", "a", "b"}}},
       "{\"type\":\"string\",\"enum\":[\"b\",\"a\",\"b\"]}"},
      {{{"type", "string"}, {"enum", json::array{}}}, "{\"type\":\"string\",\"enum\":[]}"},
      {{{"type", "boolean"}}, "{\"type\":\"boolean\"}"},
      {{{"type", "array"}, {"item_type", "number"}, {"minItems", 1}, {"maxItems", 3}},
       "{\"type\":\"array\",\"item_type\":\"number\",\"minItems\":1,\"maxItems\":3}"},
      {{{"type", "array"}, {"item_type", "string"}},
       "{\"type\":\"array\",\"item_type\":\"string\"}"},
      {{{"type", "array"}, {"item_type", "bool"}, {"minItems", nullptr}},
       "{\"type\":\"array\",\"item_type\":\"bool\"}"},
  };
  std::string expected;
  int n = 0;
  for (const auto& c : cases) {
    const std::string name = "attributo " + std::to_string(n++);
    // Alternate the tables: the list holds both, in id order.
    const std::string table = n % 2 == 0 ? "chemical" : "run";
    const auto id = create_attributo(api, bt, name, table, c.input);
    if (!expected.empty()) expected += ",";
    expected += attributo_json(id, name, table, type_key(c.input), c.canonical);
  }
  CHECK(api.get("/api/attributi/" + std::to_string(bt)).body ==
        "{\"attributi\":[" + expected + "]}");
}

TEST_CASE("the stored type holds every member of the schema object (§3.3.4)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "stored schema");
  const auto id = create_attributo(api, bt, "n", "run",
                                   {{"type", "number"},
                                    {"minimum", 1},
                                    {"exclusiveMaximum", 3},
                                    {"suffix", "mm"},
                                    {"format", "standard-unit"},
                                    {"tolerance", 0.1}});
  const auto stored =
      json::parse(query_string(api.db(), "SELECT json_schema FROM \"Attributo\" WHERE id = " +
                                             std::to_string(id)))
          .as_object();
  CHECK(stored.size() == 9);
  CHECK(stored.at("type") == "number");
  CHECK(stored.at("minimum").to_number<double>() == 1.0);
  CHECK(stored.at("maximum").is_null());
  CHECK(stored.at("exclusiveMinimum").is_null());
  CHECK(stored.at("exclusiveMaximum").to_number<double>() == 3.0);
  CHECK(stored.at("format") == "standard-unit");
  CHECK(stored.at("suffix") == "mm");
  CHECK(stored.at("tolerance").to_number<double>() == 0.1);
  CHECK(stored.at("toleranceIsAbsolute") == false);

  const auto s = create_attributo(api, bt, "s", "run", string_type());
  const auto stored_s = json::parse(query_string(
      api.db(), "SELECT json_schema FROM \"Attributo\" WHERE id = " + std::to_string(s)));
  CHECK(stored_s == json::value{{"type", "string"}, {"enum", nullptr}});
  const auto a = create_attributo(api, bt, "a", "run", array_type("string", 1, 3));
  const auto stored_a = json::parse(query_string(
      api.db(), "SELECT json_schema FROM \"Attributo\" WHERE id = " + std::to_string(a)));
  CHECK(stored_a ==
        json::value{{"type", "array"}, {"item_type", "string"}, {"minItems", 1}, {"maxItems", 3}});
}

TEST_CASE("with several type keys the first of number; boolean; integer; array; string wins",
          "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "precedence");
  const std::vector<std::pair<std::string, json::object>> all = {
      {"attributo_type_number", number_type()},
      {"attributo_type_boolean", boolean_type()},
      {"attributo_type_integer", integer_type()},
      {"attributo_type_array", array_type("string")},
      {"attributo_type_string", string_type()}};
  for (std::size_t skip = 0; skip < all.size(); ++skip) {
    json::object body{{"beamtime_id", bt},
                      {"name", "p" + std::to_string(skip)},
                      {"description", ""},
                      {"group", "manual"},
                      {"associated_table", "run"}};
    // The keys are sent in reverse order of precedence, the winner last.
    for (std::size_t i = all.size(); i-- > skip;)
      body[all[i].first] = all[i].second;
    // A null key never counts.
    for (std::size_t i = 0; i < skip; ++i)
      body[all[i].first] = nullptr;
    const auto id = api.post_ok("/api/attributi", body).at("id").as_int64();
    const auto got = get_attributo(api, bt, id);
    INFO("winner " << all[skip].first);
    CHECK(got.contains(all[skip].first));
    CHECK(got.at(all[skip].first) == all[skip].second);
    CHECK(got.size() == 6);  // id, name, description, group, table and one type
  }
}

TEST_CASE("creating an attributo without a valid type is 422 and creates nothing", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "bad types");

  auto none = attributo_body(bt, "none", "run", string_type());
  none.erase("attributo_type_string");
  require_422(api.post("/api/attributi", none));

  auto all_null = none;
  all_null["attributo_type_integer"] = nullptr;
  all_null["attributo_type_string"] = nullptr;
  require_422(api.post("/api/attributi", all_null));

  const std::vector<std::pair<std::string, json::object>> bad = {
      {"attributo_type_integer", {{"type", "integer"}, {"format", "foo"}}},
      {"attributo_type_number", {{"type", "number"}, {"format", "foo"}}},
      {"attributo_type_array", {{"type", "array"}, {"item_type", "int"}}},
      {"attributo_type_array", {{"type", "array"}}},
      {"attributo_type_string", {{"type", "number"}}},
      {"attributo_type_boolean", {{"type", "bool"}}},
      {"attributo_type_number", {{"type", "number"}, {"minimum", "low"}}},
  };
  for (const auto& [key, type] : bad) {
    INFO(key << " " << json::serialize(type));
    auto body = none;
    body[key] = type;
    const auto d = require_422(api.post("/api/attributi", body));
    CHECK(d[0].at("loc").as_array().at(0) == "body");
  }

  auto format_foo = attributo_body(bt, "f", "run", {{"type", "integer"}, {"format", "foo"}});
  const auto d = require_422(api.post("/api/attributi", format_foo));
  CHECK(d[0].at("type") == "literal_error");
  CHECK(d[0].at("loc") == json::array{"body", "attributo_type_integer", "format"});

  auto table = attributo_body(bt, "t", "experiment", string_type());
  require_422(api.post("/api/attributi", table));
  auto missing_name = attributo_body(bt, "m", "run", string_type());
  missing_name.erase("name");
  const auto dn = require_422(api.post("/api/attributi", missing_name));
  CHECK(dn[0].at("type") == "missing");
  CHECK(dn[0].at("loc") == json::array{"body", "name"});

  CHECK(count_attributi(api, bt) == 0);
}

TEST_CASE("attributo names are unique per beamtime and table (decision 5)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "unique names");
  const auto other = create_beamtime(api, "unique names 2");
  create_attributo(api, bt, "x", "run", string_type());
  require_400(api.post("/api/attributi", attributo_body(bt, "x", "run", integer_type())));
  CHECK(count_attributi(api, bt) == 1);
  // Same name in the other table, or in another beamtime: fine.
  create_attributo(api, bt, "x", "chemical", string_type());
  create_attributo(api, other, "x", "run", string_type());
  CHECK(count_attributi(api, bt) == 2);
  require_400(api.post("/api/attributi", attributo_body(bt, "x", "chemical", boolean_type())));
  CHECK(count_attributi(api, bt) == 2);
}

TEST_CASE("attributo text limits and unknown beamtimes (decisions 2 and 11)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "limits");
  const std::string long_text(256, 'n');
  for (const char* field : {"name", "description", "group"}) {
    INFO(field);
    auto body = attributo_body(bt, "ok", "run", string_type());
    body[field] = long_text;
    const auto d = require_422(api.post("/api/attributi", body));
    CHECK(d[0].at("type") == "string_too_long");
    CHECK(d[0].at("loc") == json::array{"body", field});
  }
  CHECK(count_attributi(api, bt) == 0);
  // Exactly 255 characters (some of them multi-byte) fit.
  std::string name;
  for (int i = 0; i < 85; ++i)
    name += "a\xC3\xA9\xF0\x9F\xA7\xAA";
  const auto id = create_attributo(api, bt, name, "run", string_type());
  CHECK(get_attributo(api, bt, id).at("name").as_string() == name);

  const auto before = count_rows(api.db(), "Attributo");
  require_400(api.post("/api/attributi", attributo_body(987654321, "x", "run", string_type())));
  CHECK(count_rows(api.db(), "Attributo") == before);
  // "schema" is not a beamtime id.
  const auto d = require_422(api.get("/api/attributi/schema"));
  CHECK(d[0].at("loc") == json::array{"path", "beamtimeId"});
}

// ---- POST /api/attributi/schema ----------------------------------------------

TEST_CASE("schema ingestion creates automatic run attributi once (T8)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T8");
  const auto body =
      schema_body(bt, {schema_entry("first_attributo", integer_type(), "first description"),
                       schema_entry("second_attributo", string_type(), "second description")});
  auto r = api.post("/api/attributi/schema", body);
  REQUIRE(r.status == 200);
  CHECK(r.body == "{\"created_attributi\":2}");
  const auto list = list_attributi(api, bt);
  REQUIRE(list.size() == 2);
  const auto first = list[0].at("id").as_int64();
  const auto second = list[1].at("id").as_int64();
  CHECK(attributi_body(api, bt) ==
        "{\"attributi\":[" +
            attributo_json(first, "first_attributo", "run", "attributo_type_integer",
                           "{\"type\":\"integer\"}", "automatic", "first description") +
            "," +
            attributo_json(second, "second_attributo", "run", "attributo_type_string",
                           "{\"type\":\"string\"}", "automatic", "second description") +
            "]}");

  // Again: nothing new, but the count of entries is answered.
  auto again = api.post("/api/attributi/schema", body);
  REQUIRE(again.status == 200);
  CHECK(again.body == "{\"created_attributi\":2}");
  CHECK(count_attributi(api, bt) == 2);

  // A name that exists with another type: refused, nothing created.
  const auto before = attributi_body(api, bt);
  require_400(api.post("/api/attributi/schema",
                       schema_body(bt, {schema_entry("third_attributo", boolean_type()),
                                        schema_entry("first_attributo", string_type())})));
  CHECK(count_attributi(api, bt) == 2);
  CHECK(attributi_body(api, bt) == before);
}

TEST_CASE("schema ingestion: null descriptions; duplicates; equivalent types", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "schema details");
  // Later duplicates override earlier ones; a null description becomes "".
  auto r = api.post_ok("/api/attributi/schema",
                       schema_body(bt, {schema_entry("dup", integer_type(), nullptr),
                                        schema_entry("dup", string_type(), nullptr)}));
  CHECK(r == json::value{{"created_attributi", 2}});
  auto list = list_attributi(api, bt);
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("name") == "dup");
  CHECK(list[0].at("description") == "");
  CHECK(list[0].at("attributo_type_string") == json::value{{"type", "string"}});

  // An existing chemical attributo of the same name and type is skipped.
  create_attributo(api, bt, "chem", "chemical", boolean_type());
  api.post_ok("/api/attributi/schema", schema_body(bt, {schema_entry("chem", boolean_type())}));
  CHECK(count_attributi(api, bt) == 2);

  // Standard units compare as quantities: "mm/s" equals "mm / s", not "mm/ms".
  const json::object speed{{"type", "number"}, {"suffix", "mm/s"}, {"format", "standard-unit"}};
  api.post_ok("/api/attributi/schema", schema_body(bt, {schema_entry("speed", speed)}));
  auto same = speed;
  same["suffix"] = "mm / s";
  same["tolerance"] = 0.5;  // ignored by the comparison
  api.post_ok("/api/attributi/schema", schema_body(bt, {schema_entry("speed", same)}));
  CHECK(count_attributi(api, bt) == 3);
  auto other = speed;
  other["suffix"] = "mm/ms";
  require_400(api.post("/api/attributi/schema", schema_body(bt, {schema_entry("speed", other)})));
  // Plain decimals compare suffix text and range.
  const json::object plain{{"type", "number"}, {"suffix", "pixel"}, {"minimum", 0}};
  api.post_ok("/api/attributi/schema", schema_body(bt, {schema_entry("plain", plain)}));
  auto wider = plain;
  wider["minimum"] = -1;
  require_400(api.post("/api/attributi/schema", schema_body(bt, {schema_entry("plain", wider)})));
  // Integer, date-time and chemical id are different types.
  api.post_ok("/api/attributi/schema", schema_body(bt, {schema_entry("when", datetime_type())}));
  require_400(
      api.post("/api/attributi/schema", schema_body(bt, {schema_entry("when", integer_type())})));
  CHECK(count_attributi(api, bt) == 5);
}

TEST_CASE("schema ingestion: the type union is discriminated by \"type\"", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "schema union");
  const auto contains_attributo_type = [](const json::value& loc) {
    for (const auto& p : loc.as_array()) {
      if (p == "attributo_type") return true;
    }
    return false;
  };
  auto no_tag =
      require_422(api.post("/api/attributi/schema",
                           schema_body(bt, {schema_entry("a", json::object{{"suffix", "mm"}})})));
  CHECK(no_tag[0].at("type") == "union_tag_not_found");
  CHECK(contains_attributo_type(no_tag[0].at("loc")));

  auto bad_tag =
      require_422(api.post("/api/attributi/schema",
                           schema_body(bt, {schema_entry("a", integer_type()),
                                            schema_entry("b", json::object{{"type", "foo"}})})));
  CHECK(bad_tag[0].at("type") == "union_tag_invalid");
  CHECK(bad_tag[0].at("loc") == json::array{"body", "attributi_schema", 1, "attributo_type"});

  auto nested = require_422(
      api.post("/api/attributi/schema",
               schema_body(bt, {schema_entry("a", {{"type", "integer"}, {"format", "foo"}})})));
  CHECK(contains_attributo_type(nested[0].at("loc")));
  CHECK(nested[0].at("loc").as_array().back() == "format");

  auto missing = require_422(api.post("/api/attributi/schema", json::object{{"beamtime_id", bt}}));
  CHECK(missing[0].at("loc") == json::array{"body", "attributi_schema"});
  CHECK(count_attributi(api, bt) == 0);

  const auto total = count_rows(api.db(), "Attributo");
  require_400(api.post("/api/attributi/schema",
                       schema_body(987654321, {schema_entry("a", integer_type())})));
  CHECK(count_rows(api.db(), "Attributo") == total);
}

// ---- PATCH /api/attributi -------------------------------------------------------------------

TEST_CASE("PATCH replaces the attributo and converts string values to integers (T9)",
          "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T9");
  const auto a = create_attributo(api, bt, "str", "chemical", string_type());
  const auto c = create_chemical(api, bt, "lyso", {value_str(a, "1")});
  auto r =
      api.patch("/api/attributi", update_attributo_body(a, "newname", "chemical", integer_type(),
                                                        true, "newgroup", "new description"));
  REQUIRE(r.status == 200);
  CHECK(r.body == "{\"id\":" + std::to_string(a) + "}");
  CHECK(attributi_body(api, bt) ==
        "{\"attributi\":[" +
            attributo_json(a, "newname", "chemical", "attributo_type_integer",
                           "{\"type\":\"integer\"}", "newgroup", "new description") +
            "]}");
  CHECK(chemical_value(api, bt, c, a) ==
        json::value{{"attributo_id", a}, {"attributo_value_int", 1}});
}

TEST_CASE("a failing conversion changes nothing (T10)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T10");
  const auto a = create_attributo(api, bt, "str", "chemical", string_type());
  const auto ok = create_chemical(api, bt, "fine", {value_str(a, "12")});
  const auto c = create_chemical(api, bt, "broken chemical", {value_str(a, "abc")});
  const auto attributi_before = attributi_body(api, bt);
  const auto chemicals_before = chemicals_body(api, bt);
  const auto detail = require_400(api.patch(
      "/api/attributi", update_attributo_body(a, "renamed", "chemical", integer_type(), true)));
  CHECK(detail.find("abc") != std::string::npos);
  const bool names_chemical = detail.find("broken chemical") != std::string::npos ||
                              detail.find(std::to_string(c)) != std::string::npos;
  CHECK(names_chemical);
  CHECK(attributi_body(api, bt) == attributi_before);
  CHECK(chemicals_body(api, bt) == chemicals_before);
  CHECK(chemical_value(api, bt, c, a) ==
        json::value{{"attributo_id", a}, {"attributo_value_str", "abc"}});
  CHECK(chemical_value(api, bt, ok, a) ==
        json::value{{"attributo_id", a}, {"attributo_value_str", "12"}});
}

TEST_CASE("decimal standard units convert unless ignore_units (T11)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T11");
  const json::object mhz{{"type", "number"}, {"suffix", "MHz"}, {"format", "standard-unit"}};
  json::object khz{{"type", "number"}, {"suffix", "kHz"}, {"format", "standard-unit"}};
  const auto et_id = insert_experiment_type(api.db(), bt, "et");

  for (const bool ignore : {false, true}) {
    INFO("ignore_units " << ignore);
    const std::string suffix = ignore ? "ignored" : "converted";
    const auto chem_attr = create_attributo(api, bt, "c " + suffix, "chemical", mhz);
    const auto run_attr = create_attributo(api, bt, "r " + suffix, "run", mhz);
    const auto chem = create_chemical(api, bt, "chem " + suffix, {value_float(chem_attr, 1.5)});
    const auto run = insert_run(api.db(), bt, ignore ? 2 : 1, et_id);
    insert_run_value(api.db(), run, run_attr, "float_value", "1.5");

    api.patch_ok("/api/attributi",
                 update_attributo_body(chem_attr, "c " + suffix, "chemical", khz, ignore));
    api.patch_ok("/api/attributi",
                 update_attributo_body(run_attr, "r " + suffix, "run", khz, ignore));
    const double expected = ignore ? 1.5 : 1500.0;
    CHECK(chemical_value(api, bt, chem, chem_attr) ==
          json::value{{"attributo_id", chem_attr}, {"attributo_value_float", expected}});
    CHECK(
        query_double(api.db(), "SELECT float_value FROM \"RunHasAttributoValue\" WHERE run_id = " +
                                   std::to_string(run) +
                                   " AND attributo_id = " + std::to_string(run_attr)) == expected);
    CHECK(get_attributo(api, bt, chem_attr).at("attributo_type_number") == khz);
  }
}

TEST_CASE("refused conversions: incompatible units and new ranges", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "unit refusals");
  const json::object mhz{{"type", "number"}, {"suffix", "MHz"}, {"format", "standard-unit"}};
  const auto a = create_attributo(api, bt, "freq", "chemical", mhz);
  const auto c = create_chemical(api, bt, "tuned", {value_float(a, 1.5)});

  const auto check_refused = [&](const json::object& new_type, bool ignore_units,
                                 const std::string& value_text) {
    INFO(json::serialize(new_type) << " ignore_units " << ignore_units);
    const auto attributi_before = attributi_body(api, bt);
    const auto chemicals_before = chemicals_body(api, bt);
    const auto detail = require_400(change_type(api, bt, a, new_type, ignore_units));
    CHECK(detail.find(value_text) != std::string::npos);
    const bool names_chemical = detail.find("tuned") != std::string::npos ||
                                detail.find(std::to_string(c)) != std::string::npos;
    CHECK(names_chemical);
    CHECK(attributi_body(api, bt) == attributi_before);
    CHECK(chemicals_body(api, bt) == chemicals_before);
  };
  // MHz and degF have different dimensions.
  check_refused({{"type", "number"}, {"suffix", "degF"}, {"format", "standard-unit"}}, false,
                "1.5");
  // 1.5 MHz = 1500 kHz is above the new maximum.
  check_refused(
      {{"type", "number"}, {"suffix", "kHz"}, {"format", "standard-unit"}, {"maximum", 1000}},
      false, "1");
  // With ignore_units the number is kept, and must fit the range itself.
  check_refused({{"type", "number"},
                 {"suffix", "kHz"},
                 {"format", "standard-unit"},
                 {"exclusiveMinimum", 1.5}},
                true, "1.5");
  check_refused({{"type", "number"}, {"maximum", 1}}, false, "1.5");
  CHECK(chemical_value(api, bt, c, a) ==
        json::value{{"attributo_id", a}, {"attributo_value_float", 1.5}});
}

TEST_CASE("value conversions between all attributo types (§3.8)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "conversions");
  // The old value as the field it is sent in; the expected value after the
  // PATCH (fields only), or null for a refusal; for refusals the text the
  // detail must contain.
  struct Conversion {
    std::string name;
    json::object old_type;
    json::object old_value;
    json::object new_type;
    json::value expected;
    std::string refusal_text = {};
  };
  const auto num_list = [](std::initializer_list<double> v) {
    json::array a;
    for (double d : v)
      a.emplace_back(d);
    return a;
  };
  const json::value refused = nullptr;
  const std::vector<Conversion> conversions = {
      // integer → …
      {"int to decimal",
       integer_type(),
       {{"attributo_value_int", 5}},
       number_type(),
       {{"attributo_value_float", 5.0}}},
      {"int to string",
       integer_type(),
       {{"attributo_value_int", -1}},
       string_type(),
       {{"attributo_value_str", "-1"}}},
      {"int to string, big",
       integer_type(),
       {{"attributo_value_int", 1000000}},
       string_type(),
       {{"attributo_value_str", "1000000"}}},
      {"int 0 to bool",
       integer_type(),
       {{"attributo_value_int", 0}},
       boolean_type(),
       {{"attributo_value_bool", false}}},
      {"int 7 to bool",
       integer_type(),
       {{"attributo_value_int", 7}},
       boolean_type(),
       {{"attributo_value_bool", true}}},
      {"int to number list",
       integer_type(),
       {{"attributo_value_int", 3}},
       array_type("number"),
       {{"attributo_value_list_float", num_list({3.0})}}},
      {"int to string list",
       integer_type(),
       {{"attributo_value_int", 3}},
       array_type("string"),
       refused,
       "3"},
      {"int to list of at least 2",
       integer_type(),
       {{"attributo_value_int", 3}},
       array_type("number", 2),
       refused,
       "3"},
      {"int to decimal outside the range",
       integer_type(),
       {{"attributo_value_int", 5}},
       {{"type", "number"}, {"maximum", 4}},
       refused,
       "5"},
      {"int to date-time",
       integer_type(),
       {{"attributo_value_int", 5}},
       datetime_type(),
       refused,
       "5"},
      // decimal → …
      {"decimal to int",
       number_type(),
       {{"attributo_value_float", 1.5}},
       integer_type(),
       {{"attributo_value_int", 1}}},
      {"negative decimal to int",
       number_type(),
       {{"attributo_value_float", -1.5}},
       integer_type(),
       {{"attributo_value_int", -1}}},
      {"decimal to string",
       number_type(),
       {{"attributo_value_float", 1.5}},
       string_type(),
       {{"attributo_value_str", "1.5"}}},
      {"big decimal to string",
       number_type(),
       {{"attributo_value_float", 1000000.0}},
       string_type(),
       {{"attributo_value_str", "1000000.0"}}},
      {"small decimal to string",
       number_type(),
       {{"attributo_value_float", 0.00001}},
       string_type(),
       {{"attributo_value_str", "1e-05"}}},
      {"decimal 0 to bool",
       number_type(),
       {{"attributo_value_float", 0.0}},
       boolean_type(),
       {{"attributo_value_bool", false}}},
      {"decimal 2.5 to bool",
       number_type(),
       {{"attributo_value_float", 2.5}},
       boolean_type(),
       {{"attributo_value_bool", true}}},
      {"decimal to number list",
       number_type(),
       {{"attributo_value_float", 1.5}},
       array_type("number"),
       {{"attributo_value_list_float", num_list({1.5})}}},
      {"decimal to choice",
       number_type(),
       {{"attributo_value_float", 1.5}},
       choice_type({"a"}),
       refused,
       "1.5"},
      // string → …
      {"string to int",
       string_type(),
       {{"attributo_value_str", " 42 "}},
       integer_type(),
       {{"attributo_value_int", 42}}},
      {"bad string to int",
       string_type(),
       {{"attributo_value_str", "abc"}},
       integer_type(),
       refused,
       "abc"},
      {"string to decimal",
       string_type(),
       {{"attributo_value_str", "2.5"}},
       number_type(),
       {{"attributo_value_float", 2.5}}},
      {"exponent string to decimal",
       string_type(),
       {{"attributo_value_str", "1e3"}},
       number_type(),
       {{"attributo_value_float", 1000.0}}},
      {"inf to decimal",
       string_type(),
       {{"attributo_value_str", "inf"}},
       number_type(),
       refused,
       "inf"},
      {"string to decimal outside the range",
       string_type(),
       {{"attributo_value_str", "12"}},
       {{"type", "number"}, {"maximum", 10}},
       refused,
       "12"},
      {"yes to bool",
       string_type(),
       {{"attributo_value_str", " Yes "}},
       boolean_type(),
       {{"attributo_value_bool", true}}},
      {"0 to bool",
       string_type(),
       {{"attributo_value_str", "0"}},
       boolean_type(),
       {{"attributo_value_bool", false}}},
      {"FALSE to bool",
       string_type(),
       {{"attributo_value_str", "FALSE"}},
       boolean_type(),
       {{"attributo_value_bool", false}}},
      {"maybe to bool",
       string_type(),
       {{"attributo_value_str", "maybe"}},
       boolean_type(),
       refused,
       "maybe"},
      {"string to choice",
       string_type(),
       {{"attributo_value_str", "a"}},
       choice_type({"a", "b"}),
       {{"attributo_value_str", "a"}}},
      {"string not in choice",
       string_type(),
       {{"attributo_value_str", "c"}},
       choice_type({"a", "b"}),
       refused,
       "c"},
      {"string to date-time",
       string_type(),
       {{"attributo_value_str", "2025-04-30T13:00:00Z"}},
       datetime_type(),
       {{"attributo_value_datetime", 1746018000000LL},
        {"attributo_value_datetime_local", 1746018000000LL}}},
      {"bad string to date-time",
       string_type(),
       {{"attributo_value_str", "yesterday"}},
       datetime_type(),
       refused,
       "yesterday"},
      {"string to string list",
       string_type(),
       {{"attributo_value_str", "x"}},
       array_type("string"),
       {{"attributo_value_list_str", {"x"}}}},
      {"string to list of at least 2",
       string_type(),
       {{"attributo_value_str", "x"}},
       array_type("string", 2),
       refused,
       "x"},
      {"string to number list",
       string_type(),
       {{"attributo_value_str", "x"}},
       array_type("number"),
       refused,
       "x"},
      // boolean → …
      {"true to int",
       boolean_type(),
       {{"attributo_value_bool", true}},
       integer_type(),
       {{"attributo_value_int", 1}}},
      {"false to int",
       boolean_type(),
       {{"attributo_value_bool", false}},
       integer_type(),
       {{"attributo_value_int", 0}}},
      {"true to decimal",
       boolean_type(),
       {{"attributo_value_bool", true}},
       number_type(),
       {{"attributo_value_float", 1.0}}},
      {"false to decimal",
       boolean_type(),
       {{"attributo_value_bool", false}},
       number_type(),
       {{"attributo_value_float", 0.0}}},
      {"true to string",
       boolean_type(),
       {{"attributo_value_bool", true}},
       string_type(),
       {{"attributo_value_str", "True"}}},
      {"false to string",
       boolean_type(),
       {{"attributo_value_bool", false}},
       string_type(),
       {{"attributo_value_str", "False"}}},
      {"bool to date-time",
       boolean_type(),
       {{"attributo_value_bool", true}},
       datetime_type(),
       refused},
      // date-time → …
      {"date-time to string",
       datetime_type(),
       {{"attributo_value_datetime", 1746018000123LL}},
       string_type(),
       {{"attributo_value_str", "2025-04-30T13:00:00Z"}}},
      {"date-time to int",
       datetime_type(),
       {{"attributo_value_datetime", 1746018000000LL}},
       integer_type(),
       refused},
      // list → list
      {"string list to number list",
       array_type("string"),
       {{"attributo_value_list_str", {"1", "2.5"}}},
       array_type("number"),
       {{"attributo_value_list_float", num_list({1.0, 2.5})}}},
      {"list longer than maxItems",
       array_type("string"),
       {{"attributo_value_list_str", {"a", "b", "c"}}},
       array_type("string", {}, 2),
       refused},
      {"list shorter than minItems",
       array_type("string"),
       {{"attributo_value_list_str", {"a"}}},
       array_type("string", 2),
       refused},
      {"unparsable element",
       array_type("string"),
       {{"attributo_value_list_str", {"1", "x"}}},
       array_type("number"),
       refused,
       "x"},
      {"number list to string list",
       array_type("number"),
       {{"attributo_value_list_float", num_list({1.5, 2.0})}},
       array_type("string"),
       {{"attributo_value_list_str", {"1.5", "2.0"}}}},
      {"bool list to string list",
       array_type("bool"),
       {{"attributo_value_list_bool", {true, false}}},
       array_type("string"),
       {{"attributo_value_list_str", {"True", "False"}}}},
      {"string list of yes/no words to bool list",
       array_type("string"),
       {{"attributo_value_list_str", {"yes", " No ", "TRUE", "0"}}},
       array_type("bool"),
       {{"attributo_value_list_bool", {true, false, true, false}}}},
      {"string list with a non-boolean word to bool list",
       array_type("string"),
       {{"attributo_value_list_str", {"yes", "maybe"}}},
       array_type("bool"),
       refused,
       "maybe"},
      {"number list to bool list",
       array_type("number"),
       {{"attributo_value_list_float", num_list({1.0})}},
       array_type("bool"),
       refused},
      {"list to string",
       array_type("string"),
       {{"attributo_value_list_str", {"a"}}},
       string_type(),
       refused},
      // choice → …
      {"choice to choice",
       choice_type({"a", "b"}),
       {{"attributo_value_str", "a"}},
       choice_type({"c", "a"}),
       {{"attributo_value_str", "a"}}},
      {"choice no longer offered",
       choice_type({"a", "b"}),
       {{"attributo_value_str", "b"}},
       choice_type({"a"}),
       refused,
       "b"},
      {"choice to string",
       choice_type({"a", "b"}),
       {{"attributo_value_str", "b"}},
       string_type(),
       {{"attributo_value_str", "b"}}},
      {"choice to int",
       choice_type({"1"}),
       {{"attributo_value_str", "1"}},
       integer_type(),
       refused,
       "1"},
  };

  int n = 0;
  for (const auto& conv : conversions) {
    INFO(conv.name);
    const std::string suffix = std::to_string(n++);
    const auto a = create_attributo(api, bt, "attributo " + suffix, "chemical", conv.old_type);
    auto v = conv.old_value;
    v["attributo_id"] = a;
    const std::string chemical_name = "chemical " + suffix;
    const auto c = create_chemical(api, bt, chemical_name, {v});
    const auto attributi_before = attributi_body(api, bt);
    const auto chemicals_before = chemicals_body(api, bt);
    auto r = change_type(api, bt, a, conv.new_type);
    if (conv.expected.is_null()) {
      const auto detail = require_400(r);
      if (!conv.refusal_text.empty()) CHECK(detail.find(conv.refusal_text) != std::string::npos);
      const bool names_chemical = detail.find(chemical_name) != std::string::npos ||
                                  detail.find(std::to_string(c)) != std::string::npos;
      CHECK(names_chemical);
      CHECK(attributi_body(api, bt) == attributi_before);
      CHECK(chemicals_body(api, bt) == chemicals_before);
    } else {
      INFO(r.body);
      REQUIRE(r.status == 200);
      auto expected = conv.expected.as_object();
      json::object want{{"attributo_id", a}};
      for (const auto& kv : expected)
        want[kv.key()] = kv.value();
      CHECK(chemical_value(api, bt, c, a) == json::value(want));
      CHECK(get_attributo(api, bt, a).at(type_key(conv.new_type)) == conv.new_type);
    }
  }
}

TEST_CASE("an empty choice value survives a choice-to-choice conversion", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "empty choice");
  const auto a = create_attributo(api, bt, "choice", "chemical", choice_type({"a", "b"}));
  const auto c = create_chemical(api, bt, "c", {value_str(a, "a")});
  // "" cannot be written through the API; put it into the row directly.
  exec_sql(api.db(),
           "UPDATE \"ChemicalHasAttributoValue\" SET string_value = '' WHERE "
           "chemical_id = " +
               std::to_string(c) + " AND attributo_id = " + std::to_string(a));
  api.patch_ok("/api/attributi",
               update_attributo_body(a, "choice", "chemical", choice_type({"c"}), false));
  CHECK(chemical_value(api, bt, c, a) ==
        json::value{{"attributo_id", a}, {"attributo_value_str", ""}});
}

TEST_CASE("conversions reach run and data-set values; and refusals name the run", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "run conversions");
  const auto a = create_attributo(api, bt, "run string", "run", string_type());
  const auto et = create_experiment_type(api, bt, "et", {{a, "crystal"}});
  const auto run = insert_run(api.db(), bt, 17, et);
  insert_run_value(api.db(), run, a, "string_value", "'8'");
  const auto ds = api.post_ok("/api/data-sets", json::object{{"experiment_type_id", et},
                                                             {"attributi", {value_str(a, "9")}}})
                      .at("id")
                      .as_int64();
  api.patch_ok("/api/attributi",
               update_attributo_body(a, "run string", "run", integer_type(), false));
  CHECK(query_long(api.db(), "SELECT integer_value FROM \"RunHasAttributoValue\" WHERE run_id = " +
                                 std::to_string(run)) == 8);
  CHECK(query_string(api.db(), "SELECT string_value FROM \"RunHasAttributoValue\" WHERE run_id = " +
                                   std::to_string(run)) == "NULL");
  const auto sets = api.get_ok("/api/data-sets/" + std::to_string(bt)).at("data_sets").as_array();
  REQUIRE(sets.size() == 1);
  CHECK(sets[0].at("id").as_int64() == ds);
  CHECK(sets[0].at("attributi") ==
        json::array{json::object{{"attributo_id", a}, {"attributo_value_int", 9}}});

  // A run value that does not convert: refused, the detail names the run.
  const auto b = create_attributo(api, bt, "other string", "run", string_type());
  const auto run2 = insert_run(api.db(), bt, 4711, et);
  insert_run_value(api.db(), run2, b, "string_value", "'not a number'");
  const auto before = attributi_body(api, bt);
  const auto detail = require_400(api.patch(
      "/api/attributi", update_attributo_body(b, "other string", "run", integer_type(), false)));
  CHECK(detail.find("not a number") != std::string::npos);
  const bool names_run = detail.find("4711") != std::string::npos ||
                         detail.find(std::to_string(run2)) != std::string::npos;
  CHECK(names_run);
  CHECK(attributi_body(api, bt) == before);
  CHECK(query_string(api.db(), "SELECT string_value FROM \"RunHasAttributoValue\" WHERE run_id = " +
                                   std::to_string(run2)) == "not a number");
}

TEST_CASE("a refusal caused by a data-set value rolls back the run values", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "cross-table rollback");
  const auto a = create_attributo(api, bt, "s", "run", string_type());
  const auto et = create_experiment_type(api, bt, "et", {{a, "crystal"}});
  const auto run = insert_run(api.db(), bt, 1, et);
  insert_run_value(api.db(), run, a, "string_value", "'5'");
  api.post_ok("/api/data-sets",
              json::object{{"experiment_type_id", et}, {"attributi", {value_str(a, "five")}}});
  const auto sets_before = api.get("/api/data-sets/" + std::to_string(bt)).body;
  const auto before = attributi_body(api, bt);
  const auto detail = require_400(
      api.patch("/api/attributi", update_attributo_body(a, "s", "run", integer_type(), false)));
  CHECK(detail.find("five") != std::string::npos);
  CHECK(attributi_body(api, bt) == before);
  CHECK(api.get("/api/data-sets/" + std::to_string(bt)).body == sets_before);
  CHECK(query_string(api.db(), "SELECT string_value FROM \"RunHasAttributoValue\" WHERE run_id = " +
                                   std::to_string(run)) == "5");
  CHECK(query_string(api.db(),
                     "SELECT integer_value FROM \"RunHasAttributoValue\" WHERE "
                     "run_id = " +
                         std::to_string(run)) == "NULL");
}

TEST_CASE("PATCH of an attributo with an all-null value row succeeds", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "null rows");
  const auto a = create_attributo(api, bt, "maybe", "chemical", string_type());
  const auto c = create_chemical(api, bt, "c", {value_empty(a)});
  CHECK(chemical_value(api, bt, c, a) == json::value{{"attributo_id", a}});
  // A pure rename, then a type change.
  api.patch_ok("/api/attributi",
               update_attributo_body(a, "renamed", "chemical", string_type(), false));
  api.patch_ok("/api/attributi",
               update_attributo_body(a, "renamed", "chemical", integer_type(), false));
  CHECK(get_attributo(api, bt, a).at("name") == "renamed");
  CHECK(get_attributo(api, bt, a).at("attributo_type_integer") == integer_type());
  CHECK(chemical_value(api, bt, c, a) == json::value{{"attributo_id", a}});
}

TEST_CASE("an attributo with no values can change to any type", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "no values");
  const auto a = create_attributo(api, bt, "free", "run", datetime_type());
  api.patch_ok("/api/attributi",
               update_attributo_body(a, "free", "run", choice_type({"x"}), false));
  CHECK(get_attributo(api, bt, a).at("attributo_type_string") == choice_type({"x"}));
  api.patch_ok("/api/attributi",
               update_attributo_body(a, "free", "run", array_type("bool", 1, 2), false));
  CHECK(get_attributo(api, bt, a).at("attributo_type_array") == array_type("bool", 1, 2));
}

TEST_CASE("renaming an attributo rewrites geometry placeholders (T12)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T12");
  const auto a = create_attributo(api, bt, "run_string", "run", string_type());
  const auto g = insert_geometry(api.db(), bt, "geom T12",
                                 "clen = {{run_string}}\ncoffset = {{run_string}}\n", {a});
  api.patch_ok("/api/attributi",
               update_attributo_body(a, "run_stringnew", "run", string_type(), false));
  const auto content =
      query_string(api.db(), "SELECT content FROM \"Geometry\" WHERE id = " + std::to_string(g));
  CHECK(content == "clen = {{run_stringnew}}\ncoffset = {{run_stringnew}}\n");
  CHECK(content.find("{{run_string}}") == std::string::npos);
}

TEST_CASE("PATCH refusals: unknown id; name clash; bad shape", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "patch refusals");
  const auto a = create_attributo(api, bt, "a", "run", string_type());
  create_attributo(api, bt, "b", "run", string_type());
  create_attributo(api, bt, "c", "chemical", string_type());
  const auto before = attributi_body(api, bt);

  require_404(api.patch("/api/attributi",
                        update_attributo_body(987654321, "x", "run", string_type(), false)));
  // Renaming onto an existing name of the same table.
  require_400(
      api.patch("/api/attributi", update_attributo_body(a, "b", "run", string_type(), false)));
  CHECK(attributi_body(api, bt) == before);

  auto no_type = update_attributo_body(a, "a2", "run", string_type(), false);
  no_type["attributo"].as_object().erase("attributo_type_string");
  require_422(api.patch("/api/attributi", no_type));
  auto no_flags = update_attributo_body(a, "a2", "run", string_type(), false);
  no_flags.erase("conversion_flags");
  const auto d = require_422(api.patch("/api/attributi", no_flags));
  CHECK(d[0].at("loc") == json::array{"body", "conversion_flags"});
  auto too_long = update_attributo_body(a, std::string(256, 'x'), "run", string_type(), false);
  const auto dl = require_422(api.patch("/api/attributi", too_long));
  CHECK(dl[0].at("type") == "string_too_long");
  CHECK(attributi_body(api, bt) == before);

  // Moving to the other table onto an existing name there is a clash, too.
  auto move = update_attributo_body(a, "c", "chemical", string_type(), false);
  require_400(api.patch("/api/attributi", move));
  CHECK(attributi_body(api, bt) == before);

  // Renaming onto the name of an attributo of the other table is fine.
  api.patch_ok("/api/attributi", update_attributo_body(a, "c", "run", string_type(), false));
  CHECK(get_attributo(api, bt, a).at("name") == "c");
}

// ---- DELETE /api/attributi -----------------------------------------------------------------

TEST_CASE("an attributo used by a geometry cannot be deleted (T13)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T13");
  const auto a = create_attributo(api, bt, "det_dist", "run", number_type());
  insert_geometry(api.db(), bt, "my geometry", "clen = {{det_dist}}\n", {a});
  const auto detail = require_400(api.del("/api/attributi", json::object{{"id", a}}));
  CHECK(detail.find("my geometry") != std::string::npos);
  CHECK(list_attributi(api, bt).size() == 1);
}

TEST_CASE("deleting an attributo removes its values (T14)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "T14");
  const auto a = create_attributo(api, bt, "doomed", "chemical", string_type());
  const auto keep = create_attributo(api, bt, "kept", "chemical", string_type());
  const auto c = create_chemical(api, bt, "c", {value_str(a, "x"), value_str(keep, "y")});
  auto r = api.del("/api/attributi", json::object{{"id", a}});
  REQUIRE(r.status == 200);
  CHECK(r.body == "{\"id\":" + std::to_string(a) + "}");
  const auto list = list_attributi(api, bt);
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("id").as_int64() == keep);
  CHECK(get_chemical(api, bt, c).at("attributi") ==
        json::array{json::object{{"attributo_id", keep}, {"attributo_value_str", "y"}}});
  CHECK(count_rows(api.db(), "ChemicalHasAttributoValue", "attributo_id = " + std::to_string(a)) ==
        0);

  auto unknown = api.del("/api/attributi", json::object{{"id", 987654321}});
  REQUIRE(unknown.status == 200);
  CHECK(unknown.body == "{\"id\":987654321}");
  require_422(api.del("/api/attributi", json::object{}));
  CHECK(list_attributi(api, bt).size() == 1);
}

TEST_CASE("deleting a run attributo removes it from experiment types and runs", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "delete run attributo");
  const auto a = create_attributo(api, bt, "doomed", "run", string_type());
  const auto keep = create_attributo(api, bt, "kept", "run", string_type());
  const auto et = create_experiment_type(api, bt, "et", {{a, "crystal"}, {keep, "solution"}});
  const auto run = insert_run(api.db(), bt, 1, et);
  insert_run_value(api.db(), run, a, "string_value", "'x'");
  insert_run_value(api.db(), run, keep, "string_value", "'y'");
  api.del_ok("/api/attributi", json::object{{"id", a}});
  const auto types = api.get_ok("/api/experiment-types/" + std::to_string(bt));
  CHECK(types.at("experiment_types").at(0).at("attributi") ==
        json::array{json::object{{"id", keep}, {"role", "solution"}}});
  CHECK(count_rows(api.db(), "RunHasAttributoValue", "run_id = " + std::to_string(run)) == 1);
}

TEST_CASE("attributo bodies are read leniently (§1.2)", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "lax attributi");
  auto body = attributo_body(bt, "lax", "run", {{"type", "number"}, {"minimum", "1.5"}});
  body["beamtime_id"] = std::to_string(bt);
  body["unknown_extra_key"] = json::array{1, 2};
  const auto id = api.post_ok("/api/attributi", body).at("id").as_int64();
  CHECK(get_attributo(api, bt, id).at("attributo_type_number") ==
        json::value{{"type", "number"}, {"minimum", 1.5}});
  auto bad = attributo_body(bt, "bad", "run", string_type());
  bad["name"] = 5;
  CHECK(require_422(api.post("/api/attributi", bad))[0].at("type") == "string_type");
  CHECK(count_attributi(api, bt) == 1);
}

TEST_CASE("attributi: ids beyond 32 bits are unknown ids; not server errors", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "big ids attributi");
  const auto big = std::to_string(kBeyond32Bits);
  const auto total = count_rows(api.db(), "Attributo");
  CHECK(api.get("/api/attributi/" + big).body == "{\"attributi\":[]}");
  require_400(api.post("/api/attributi", attributo_body(kBeyond32Bits, "x", "run", string_type())));
  require_400(api.post("/api/attributi/schema",
                       schema_body(kBeyond32Bits, {schema_entry("x", integer_type())})));
  require_404(api.patch("/api/attributi",
                        update_attributo_body(kBeyond32Bits, "x", "run", string_type(), false)));
  auto del = api.del("/api/attributi", json::object{{"id", kBeyond32Bits}});
  CHECK(del.status == 200);
  CHECK(del.body == "{\"id\":" + big + "}");
  CHECK(count_rows(api.db(), "Attributo") == total);
  CHECK(count_attributi(api, bt) == 0);
}

TEST_CASE("attributo names compare exactly: case and trailing spaces count", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "exact names");
  create_attributo(api, bt, "x", "run", integer_type());
  create_attributo(api, bt, "x ", "run", integer_type());
  create_attributo(api, bt, "X", "run", integer_type());
  create_attributo(api, bt, "\xC3\x9F", "run", integer_type());  // "ß" is not "ss"
  create_attributo(api, bt, "ss", "run", integer_type());
  CHECK(count_attributi(api, bt) == 5);
  // Schema ingestion looks names up exactly as well.
  api.post_ok("/api/attributi/schema", schema_body(bt, {schema_entry("x  ", string_type())}));
  CHECK(count_attributi(api, bt) == 6);
  const auto list = list_attributi(api, bt);
  CHECK(list.back().at("name") == "x  ");
  CHECK(list.back().at("attributo_type_string") == string_type());
}

TEST_CASE("renaming replaces only the literal placeholder", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "literal rename");
  const auto a = create_attributo(api, bt, "a.b", "run", string_type());
  const auto g = insert_geometry(api.db(), bt, "g", "{{a.b}} {{axb}} {{a.b}}", {a});
  api.patch_ok("/api/attributi", update_attributo_body(a, "$1\\0&", "run", string_type(), false));
  CHECK(query_string(api.db(), "SELECT content FROM \"Geometry\" WHERE id = " +
                                   std::to_string(g)) == "{{$1\\0&}} {{axb}} {{$1\\0&}}");
}

TEST_CASE("concurrent creations of one name: one wins; the others get 400", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "name race");
  for (int round = 0; round < 5; ++round) {
    const auto name = "raced " + std::to_string(round);
    const auto mark = server_log_mark(shared_server());
    const auto results = concurrently(shared_server(), 8, [&](HttpClient& c, int) {
      return c.post("/api/attributi", attributo_body(bt, name, "run", string_type()));
    });
    int created = 0;
    INFO(server_log_problems(shared_server(), mark));
    for (const auto& r : results) {
      INFO(r.status << " " << r.body);
      CHECK((r.status == 200 || r.status == 400));
      created += r.status == 200 ? 1 : 0;
    }
    CHECK(created == 1);
  }
  CHECK(count_attributi(api, bt) == 5);
}

TEST_CASE("rows written by the Python original are read as such", "[attributi]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "python rows");
  const auto insert_attributo = [&](const std::string& name, const std::string& table,
                                    const std::string& schema) {
    return insert_returning_id(
        api.db(), "Attributo",
        "INSERT INTO \"Attributo\" (beamtime_id, name, description, \"group\", associated_table, "
        "json_schema) VALUES (" +
            std::to_string(bt) + ", " + sql_quote(name) + ", 'd', 'manual', " + sql_quote(table) +
            ", " + sql_quote(schema) + ")");
  };
  // Python's json.dumps style with spaces; hand-made rows with missing members.
  const auto i = insert_attributo("i", "CHEMICAL", "{\"type\": \"integer\", \"format\": null}");
  const auto n = insert_attributo(
      "n", "RUN",
      "{\"type\": \"number\", \"minimum\": 0.0, \"maximum\": null, \"exclusiveMinimum\": null, "
      "\"exclusiveMaximum\": null, \"suffix\": \"mm\", \"format\": \"standard-unit\", "
      "\"tolerance\": 0.1, \"toleranceIsAbsolute\": false}");
  const auto s = insert_attributo("s", "CHEMICAL", "{\"type\": \"string\"}");
  const auto l =
      insert_attributo("l", "CHEMICAL", "{\"type\": \"array\", \"item_type\": \"number\"}");
  const auto d = insert_attributo("d", "CHEMICAL", "{\"type\": \"number\", \"maximum\": 5}");
  CHECK(attributi_body(api, bt) ==
        "{\"attributi\":[" +
            attributo_json(i, "i", "chemical", "attributo_type_integer", "{\"type\":\"integer\"}",
                           "manual", "d") +
            "," +
            attributo_json(n, "n", "run", "attributo_type_number",
                           "{\"type\":\"number\",\"minimum\":0.0,\"suffix\":\"mm\",\"format\":"
                           "\"standard-unit\",\"tolerance\":0.1}",
                           "manual", "d") +
            "," +
            attributo_json(s, "s", "chemical", "attributo_type_string", "{\"type\":\"string\"}",
                           "manual", "d") +
            "," +
            attributo_json(l, "l", "chemical", "attributo_type_array",
                           "{\"type\":\"array\",\"item_type\":\"number\"}", "manual", "d") +
            "," +
            attributo_json(d, "d", "chemical", "attributo_type_number",
                           "{\"type\":\"number\",\"maximum\":5.0}", "manual", "d") +
            "]}");

  // Value rows as the original writes them: JSON null in list_value.
  const auto c = insert_returning_id(
      api.db(), "Chemical",
      "INSERT INTO \"Chemical\" (beamtime_id, name, responsible_person, modified, type) VALUES (" +
          std::to_string(bt) + ", 'old', 'me', '2025-01-01 00:00:00.000000', 'SOLUTION')");
  const auto value_row = [&](long long attributo, const std::string& column,
                             const std::string& literal) {
    exec_sql(api.db(), "INSERT INTO \"ChemicalHasAttributoValue\" (chemical_id, attributo_id, " +
                           column + (column == "list_value" ? "" : ", list_value") + ") VALUES (" +
                           std::to_string(c) + ", " + std::to_string(attributo) + ", " + literal +
                           (column == "list_value" ? "" : ", 'null'") + ")");
  };
  value_row(i, "integer_value", "7");
  value_row(s, "list_value", "'null'");  // present but empty
  value_row(l, "list_value", "'[1, 2.5]'");
  value_row(d, "float_value", "2.5");
  const auto chem = get_chemical(api, bt, c);
  CHECK(chem.at("chemical_type") == "solution");
  CHECK(chem.at("attributi") ==
        json::array{value_int(i, 7), value_empty(s),
                    json::object{{"attributo_id", l}, {"attributo_value_list_float", {1.0, 2.5}}},
                    value_float(d, 2.5)});
  // Such rows convert like any other.
  api.patch_ok("/api/attributi", update_attributo_body(s, "s", "chemical", integer_type(), false));
  api.patch_ok("/api/attributi", update_attributo_body(i, "i", "chemical", string_type(), false));
  CHECK(get_chemical(api, bt, c).at("attributi") ==
        json::array{value_str(i, "7"), value_empty(s),
                    json::object{{"attributo_id", l}, {"attributo_value_list_float", {1.0, 2.5}}},
                    value_float(d, 2.5)});
}
