#include <catch2/catch.hpp>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include <boost/json.hpp>

#include "json/fields.hpp"
#include "json/number_parser.hpp"

namespace {

namespace bj = boost::json;
using amarcord::json::append_loc;
using amarcord::json::coerce_bool;
using amarcord::json::coerce_float;
using amarcord::json::coerce_int;
using amarcord::json::coerce_string;
using amarcord::json::FieldErrors;
using amarcord::json::Loc;
using amarcord::json::ObjectReader;
using amarcord::json::parse_json_exact;
using amarcord::json::parse_path_int;
using amarcord::json::parse_request_body;
using amarcord::json::ValidationError;

const Loc kLoc{"body", "field"};

// The `detail` list recorded so far (empty when there is none).
bj::array detail_of(const FieldErrors& errors) {
  try {
    errors.raise_if_any();
  } catch (const ValidationError& e) {
    CHECK(std::string(e.what()) == "request validation failed");
    return e.detail();
  }
  return {};
}

std::string type_at(const bj::array& detail, std::size_t i) {
  REQUIRE(i < detail.size());
  return std::string(detail.at(i).as_object().at("type").as_string());
}

// The `type` of the only error recorded, after checking its shape.
std::string single_error(const FieldErrors& errors, const bj::value& input, const Loc& loc = kLoc) {
  const bj::array detail = detail_of(errors);
  REQUIRE(detail.size() == 1);
  const bj::object& item = detail.at(0).as_object();
  CHECK(item.at("loc") == bj::value(loc));
  CHECK(item.at("input") == input);
  CHECK_FALSE(item.at("msg").as_string().empty());
  return std::string(item.at("type").as_string());
}

// The detail list of the ValidationError parse_request_body throws.
bj::array body_error(std::string_view body, std::string_view content_type) {
  try {
    parse_request_body(body, content_type);
  } catch (const ValidationError& e) {
    return e.detail();
  }
  FAIL("expected a ValidationError for body \"" << std::string(body) << "\"");
  return {};
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i)
    out += s;
  return out;
}

}  // namespace

TEST_CASE("coerce_int accepts integers and lax forms", "[fields]") {
  FieldErrors errors;
  CHECK(coerce_int(bj::value(42), kLoc, errors) == 42);
  CHECK(coerce_int(bj::value(-7), kLoc, errors) == -7);
  CHECK(coerce_int(bj::value(std::numeric_limits<std::int64_t>::min()), kLoc, errors) ==
        std::numeric_limits<std::int64_t>::min());
  CHECK(coerce_int(bj::value(1.0), kLoc, errors) == 1);
  CHECK(coerce_int(bj::value(-3.0), kLoc, errors) == -3);
  CHECK(coerce_int(bj::value(-9223372036854775808.0), kLoc, errors) ==
        std::numeric_limits<std::int64_t>::min());
  CHECK(coerce_int(bj::value("7"), kLoc, errors) == 7);
  CHECK(coerce_int(bj::value(" 7 "), kLoc, errors) == 7);
  CHECK(coerce_int(bj::value("+7"), kLoc, errors) == 7);
  CHECK(coerce_int(bj::value("-12"), kLoc, errors) == -12);
  CHECK(coerce_int(bj::value("9223372036854775807"), kLoc, errors) ==
        std::numeric_limits<std::int64_t>::max());
  CHECK(coerce_int(bj::value(true), kLoc, errors) == 1);
  CHECK(coerce_int(bj::value(false), kLoc, errors) == 0);
  CHECK(errors.empty());
  CHECK(detail_of(errors).empty());
}

TEST_CASE("coerce_int errors", "[fields]") {
  struct Case {
    bj::value input;
    const char* type;
  };
  const Case cases[] = {
      {bj::value(1.5), "int_from_float"},
      {bj::value(-0.25), "int_from_float"},
      {bj::value("abc"), "int_parsing"},
      {bj::value(""), "int_parsing"},
      {bj::value("1.5"), "int_parsing"},
      {bj::value("7 7"), "int_parsing"},
      {bj::value("0x10"), "int_parsing"},
      {bj::value("99999999999999999999"), "int_parsing_size"},
      {bj::value(nullptr), "int_type"},
      {bj::value(bj::array{1}), "int_type"},
      {bj::value(bj::object{{"a", 1}}), "int_type"},
      {bj::value(1e30), "int_parsing_size"},
      {bj::value(-1e30), "int_parsing_size"},
      {bj::value(9223372036854775808.0), "int_parsing_size"},
      {bj::value(std::numeric_limits<std::uint64_t>::max()), "int_parsing_size"},
  };
  for (const auto& c : cases) {
    INFO("input " << bj::serialize(c.input));
    FieldErrors errors;
    CHECK_FALSE(coerce_int(c.input, kLoc, errors).has_value());
    CHECK(single_error(errors, c.input) == c.type);
  }
}

TEST_CASE("coerce_float", "[fields]") {
  FieldErrors ok;
  CHECK(coerce_float(bj::value(1.5), kLoc, ok) == 1.5);
  CHECK(coerce_float(bj::value("1.5"), kLoc, ok) == 1.5);
  CHECK(coerce_float(bj::value(" -2.5e3 "), kLoc, ok) == -2500.0);
  CHECK(coerce_float(bj::value("0.1"), kLoc, ok) == 0.1);
  CHECK(coerce_float(bj::value(3), kLoc, ok) == 3.0);
  CHECK(coerce_float(bj::value(std::numeric_limits<std::uint64_t>::max()), kLoc, ok) ==
        18446744073709551615.0);
  CHECK(coerce_float(bj::value(true), kLoc, ok) == 1.0);
  CHECK(coerce_float(bj::value(false), kLoc, ok) == 0.0);
  CHECK(ok.empty());

  struct Case {
    bj::value input;
    const char* type;
  };
  const Case cases[] = {
      {bj::value("nan"), "finite_number"},   {bj::value("NaN"), "finite_number"},
      {bj::value("inf"), "finite_number"},   {bj::value("-Infinity"), "finite_number"},
      {bj::value("x"), "float_parsing"},     {bj::value(""), "float_parsing"},
      {bj::value("1.5.2"), "float_parsing"}, {bj::value(bj::array{1.5}), "float_type"},
      {bj::value(nullptr), "float_type"},    {bj::value(bj::object{}), "float_type"},
  };
  for (const auto& c : cases) {
    INFO("input " << bj::serialize(c.input));
    FieldErrors errors;
    CHECK_FALSE(coerce_float(c.input, kLoc, errors).has_value());
    CHECK(single_error(errors, c.input) == c.type);
  }
}

// Regression: "inf" as a string is
// refused with finite_number, but an overflowing JSON number such as 1e400
// (which parses to inf) is accepted, and serialising it later throws.
TEST_CASE("coerce_float refuses non-finite JSON numbers", "[fields]") {
  const bj::value body = parse_request_body(R"({"x": 1e400})", "application/json");
  const bj::value& x = body.as_object().at("x");
  REQUIRE(x.is_double());
  REQUIRE(std::isinf(x.get_double()));
  FieldErrors errors;
  CHECK_FALSE(coerce_float(x, kLoc, errors).has_value());
  const bj::array detail = detail_of(errors);
  REQUIRE(detail.size() == 1);
  CHECK(type_at(detail, 0) == "finite_number");
}

TEST_CASE("coerce_bool", "[fields]") {
  for (const bj::value& v : {bj::value(true), bj::value(1), bj::value(1.0), bj::value("yes"),
                             bj::value("on"), bj::value("t"), bj::value("1"), bj::value("true"),
                             bj::value("TRUE"), bj::value("y"), bj::value(" Yes ")}) {
    INFO("input " << bj::serialize(v));
    FieldErrors errors;
    CHECK(coerce_bool(v, kLoc, errors) == std::optional<bool>(true));
    CHECK(errors.empty());
  }
  for (const bj::value& v :
       {bj::value(false), bj::value(0), bj::value(0.0), bj::value("no"), bj::value("off"),
        bj::value("0"), bj::value("f"), bj::value("false"), bj::value("n"), bj::value("OFF")}) {
    INFO("input " << bj::serialize(v));
    FieldErrors errors;
    CHECK(coerce_bool(v, kLoc, errors) == std::optional<bool>(false));
    CHECK(errors.empty());
  }
  struct Case {
    bj::value input;
    const char* type;
  };
  const Case cases[] = {
      {bj::value(2), "bool_parsing"},
      {bj::value(-1), "bool_parsing"},
      {bj::value(0.5), "bool_parsing"},
      {bj::value(std::numeric_limits<std::uint64_t>::max()), "bool_parsing"},
      {bj::value("maybe"), "bool_parsing"},
      {bj::value(""), "bool_parsing"},
      {bj::value(bj::array{}), "bool_type"},
      {bj::value(nullptr), "bool_type"},
      {bj::value(bj::object{}), "bool_type"},
  };
  for (const auto& c : cases) {
    INFO("input " << bj::serialize(c.input));
    FieldErrors errors;
    CHECK_FALSE(coerce_bool(c.input, kLoc, errors).has_value());
    CHECK(single_error(errors, c.input) == c.type);
  }
}

TEST_CASE("coerce_string", "[fields]") {
  SECTION("strings pass unchanged") {
    FieldErrors errors;
    CHECK(coerce_string(bj::value("M\xc3\xbcnchen"), kLoc, errors) == "M\xc3\xbcnchen");
    CHECK(coerce_string(bj::value(""), kLoc, errors) == "");
    CHECK(coerce_string(bj::value(" padded "), kLoc, errors) == " padded ");
    CHECK(coerce_string(bj::value(repeat("x", 10000)), kLoc, errors, 0) == repeat("x", 10000));
    CHECK(errors.empty());
  }
  SECTION("non-strings") {
    for (const bj::value& v : {bj::value(5), bj::value(1.5), bj::value(true), bj::value(nullptr),
                               bj::value(bj::array{}), bj::value(bj::object{})}) {
      INFO("input " << bj::serialize(v));
      FieldErrors errors;
      CHECK_FALSE(coerce_string(v, kLoc, errors).has_value());
      CHECK(single_error(errors, v) == "string_type");
    }
  }
  SECTION("NUL characters") {
    const bj::value v(bj::string(std::string_view("a\0b", 3)));
    FieldErrors errors;
    CHECK_FALSE(coerce_string(v, kLoc, errors).has_value());
    CHECK(single_error(errors, v) == "value_error");
    const bj::array detail = detail_of(errors);
    const bj::object& item = detail.at(0).as_object();
    REQUIRE(item.contains("ctx"));
    CHECK_FALSE(item.at("ctx").as_object().at("error").as_string().empty());
  }
  SECTION("max_chars counts code points") {
    FieldErrors errors;
    const std::string e255 = repeat("\xc3\xa9", 255);  // 510 bytes
    CHECK(coerce_string(bj::value(e255), kLoc, errors, 255) == e255);
    const std::string emoji255 = repeat("\xf0\x9f\x98\x80", 255);  // 1020 bytes
    CHECK(coerce_string(bj::value(emoji255), kLoc, errors, 255) == emoji255);
    CHECK(coerce_string(bj::value(repeat("a", 255)), kLoc, errors, 255).has_value());
    CHECK(errors.empty());

    const bj::value too_long(repeat("\xc3\xa9", 256));
    CHECK_FALSE(coerce_string(too_long, kLoc, errors, 255).has_value());
    CHECK(single_error(errors, too_long) == "string_too_long");
    const bj::array detail = detail_of(errors);
    const bj::object& item = detail.at(0).as_object();
    REQUIRE(item.contains("ctx"));
    CHECK(item.at("ctx").as_object().at("max_length").to_number<std::int64_t>() == 255);
    CHECK(item.at("msg").as_string() == "String should have at most 255 characters");
  }
}

TEST_CASE("error messages are pydantic's", "[fields]") {
  FieldErrors errors;
  coerce_int(bj::value("abc"), kLoc, errors);
  coerce_int(bj::value(1.5), kLoc, errors);
  coerce_int(bj::value(nullptr), kLoc, errors);
  const bj::array detail = detail_of(errors);
  REQUIRE(detail.size() == 3);
  CHECK(detail.at(0).at("msg") ==
        "Input should be a valid integer, unable to parse string as an integer");
  CHECK(detail.at(1).at("msg") ==
        "Input should be a valid integer, got a number with a fractional part");
  CHECK(detail.at(2).at("msg") == "Input should be a valid integer");
  CHECK_FALSE(detail.at(0).as_object().contains("ctx"));
}

TEST_CASE("FieldErrors::add and append_loc", "[fields]") {
  FieldErrors errors;
  CHECK(errors.empty());
  CHECK_NOTHROW(errors.raise_if_any());
  const Loc loc = append_loc(Loc{"body"}, 3);
  CHECK(loc == Loc{"body", 3});
  errors.add("custom", loc, "message", bj::value("in"), bj::object{{"k", "v"}});
  CHECK_FALSE(errors.empty());
  const bj::array detail = detail_of(errors);
  REQUIRE(detail.size() == 1);
  CHECK(detail.at(0) == bj::value(bj::object{{"type", "custom"},
                                             {"loc", bj::array{"body", 3}},
                                             {"msg", "message"},
                                             {"input", "in"},
                                             {"ctx", bj::object{{"k", "v"}}}}));
}

TEST_CASE("ObjectReader on a non-object", "[fields]") {
  const bj::value v = bj::array{1, 2};
  FieldErrors errors;
  ObjectReader r(v, Loc{"body"}, errors);
  CHECK_FALSE(r.is_object());
  CHECK(r.find("a") == nullptr);
  CHECK_FALSE(r.required_int("a").has_value());
  CHECK_FALSE(r.required_string("b").has_value());
  const auto opt = r.optional_int("c");
  CHECK(opt.valid);
  CHECK_FALSE(opt.value.has_value());
  // Only the one error for the whole value, not one per missing field.
  CHECK(single_error(errors, v, Loc{"body"}) == "model_attributes_type");
}

TEST_CASE("ObjectReader reports a missing key with the whole object as input", "[fields]") {
  const bj::value v = bj::object{{"other", 1}};
  FieldErrors errors;
  ObjectReader r(v, Loc{"body"}, errors);
  CHECK(r.is_object());
  CHECK_FALSE(r.required_string("key").has_value());
  CHECK(single_error(errors, v, Loc{"body", "key"}) == "missing");
  CHECK(detail_of(errors).at(0).at("msg") == "Field required");
}

TEST_CASE("ObjectReader collects every problem of a body in order", "[fields]") {
  const bj::value v = parse_request_body(
      R"({"a": "x", "c": 1.5, "d": 5, "e": "yes", "f": null, "g": [1], "i": 1e30})",
      "application/json");
  FieldErrors errors;
  ObjectReader r(v, Loc{"body"}, errors);
  CHECK_FALSE(r.required_int("a").has_value());     // int_parsing
  CHECK_FALSE(r.required_string("b").has_value());  // missing
  CHECK_FALSE(r.required_int("c").has_value());     // int_from_float
  CHECK(r.required_float("d") == 5.0);              // fine
  CHECK(r.required_bool("e") == std::optional<bool>(true));
  CHECK_FALSE(r.required_float("f").has_value());  // float_type (null is not absent)
  CHECK_FALSE(r.required_bool("g").has_value());   // bool_type
  CHECK(r.required_value("h") == nullptr);         // missing
  CHECK_FALSE(r.required_int("i").has_value());    // int_parsing_size
  const bj::array detail = detail_of(errors);
  REQUIRE(detail.size() == 7);
  const char* types[] = {"int_parsing", "missing", "int_from_float",  "float_type",
                         "bool_type",   "missing", "int_parsing_size"};
  const char* keys[] = {"a", "b", "c", "f", "g", "h", "i"};
  for (std::size_t i = 0; i < detail.size(); ++i) {
    INFO(i);
    CHECK(type_at(detail, i) == types[i]);
    CHECK(detail.at(i).at("loc") == bj::value(Loc{"body", keys[i]}));
  }
  CHECK(detail.at(1).at("input") == v);  // missing: the whole object
  CHECK(detail.at(0).at("input") == "x");
}

TEST_CASE("ObjectReader optional fields", "[fields]") {
  const bj::value v = bj::object{{"n", 3},     {"null", nullptr}, {"bad", "x"},   {"f", "2.5"},
                                 {"b", "off"}, {"s", "text"},     {"long", "abc"}};
  FieldErrors errors;
  ObjectReader r(v, Loc{"body"}, errors);

  const auto absent = r.optional_int("absent");
  CHECK(absent.valid);
  CHECK_FALSE(absent.value.has_value());
  const auto null = r.optional_string("null");
  CHECK(null.valid);
  CHECK_FALSE(null.value.has_value());
  const auto n = r.optional_int("n");
  CHECK(n.valid);
  CHECK(n.value == 3);
  const auto f = r.optional_float("f");
  CHECK(f.valid);
  CHECK(f.value == 2.5);
  const auto b = r.optional_bool("b");
  CHECK(b.valid);
  CHECK(b.value == std::optional<bool>(false));
  const auto s = r.optional_string("s");
  CHECK(s.valid);
  CHECK(s.value == "text");
  CHECK(errors.empty());

  const auto bad = r.optional_int("bad");
  CHECK_FALSE(bad.valid);
  CHECK_FALSE(bad.value.has_value());
  const auto too_long = r.optional_string("long", 2);
  CHECK_FALSE(too_long.valid);
  const bj::array detail = detail_of(errors);
  REQUIRE(detail.size() == 2);
  CHECK(type_at(detail, 0) == "int_parsing");
  CHECK(detail.at(0).at("loc") == bj::value(Loc{"body", "bad"}));
  CHECK(type_at(detail, 1) == "string_too_long");
}

TEST_CASE("ObjectReader on a nested model", "[fields]") {
  const bj::value v = bj::object{{"inner", bj::object{{"x", "nope"}}}};
  FieldErrors errors;
  ObjectReader outer(v, Loc{"body"}, errors);
  const bj::value* inner_value = outer.required_value("inner");
  REQUIRE(inner_value != nullptr);
  ObjectReader inner(*inner_value, outer.loc_of("inner"), errors);
  CHECK_FALSE(inner.required_int("x").has_value());
  CHECK_FALSE(inner.required_int("y").has_value());
  const bj::array detail = detail_of(errors);
  REQUIRE(detail.size() == 2);
  CHECK(detail.at(0).at("loc") == bj::value(Loc{"body", "inner", "x"}));
  CHECK(detail.at(1).at("loc") == bj::value(Loc{"body", "inner", "y"}));
  CHECK(detail.at(1).at("input") == *inner_value);
}

TEST_CASE("parse_request_body: empty body", "[fields]") {
  for (const char* ct : {"application/json", "", "text/plain"}) {
    INFO(ct);
    const bj::array detail = body_error("", ct);
    REQUIRE(detail.size() == 1);
    CHECK(type_at(detail, 0) == "missing");
    CHECK(detail.at(0).at("loc") == bj::value(Loc{"body"}));
    CHECK(detail.at(0).at("input").is_null());
  }
}

TEST_CASE("parse_request_body: content types", "[fields]") {
  for (const char* ct :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "text/json", "application/jsonx", "json"}) {
    INFO(ct);
    const bj::array detail = body_error(R"({"a": 1})", ct);
    REQUIRE(detail.size() == 1);
    CHECK(type_at(detail, 0) == "model_attributes_type");
    CHECK(detail.at(0).at("loc") == bj::value(Loc{"body"}));
    CHECK(detail.at(0).at("input") == R"({"a": 1})");
  }
  for (const char* ct :
       {"application/json", "application/json; charset=utf-8", "application/vnd.api+json", "",
        "APPLICATION/JSON", " application/json ; charset=utf-8"}) {
    INFO(ct);
    const bj::value v = parse_request_body(R"( {"a": [1, 2.5, "x"]} )", ct);
    CHECK(v == bj::value(bj::object{{"a", bj::array{1, 2.5, "x"}}}));
  }
}

TEST_CASE("parse_request_body: invalid JSON", "[fields]") {
  auto check_invalid = [](std::string_view body, std::int64_t expected_offset) {
    INFO("body: " << std::string(body));
    const bj::array detail = body_error(body, "application/json");
    REQUIRE(detail.size() == 1);
    CHECK(type_at(detail, 0) == "json_invalid");
    const bj::object& item = detail.at(0).as_object();
    const bj::array& loc = item.at("loc").as_array();
    REQUIRE(loc.size() == 2);
    CHECK(loc.at(0) == "body");
    REQUIRE(loc.at(1).is_int64());
    if (expected_offset >= 0) CHECK(loc.at(1).as_int64() == expected_offset);
    CHECK(item.at("msg") == "JSON decode error");
    CHECK(item.at("input") == bj::object{});
    REQUIRE(item.contains("ctx"));
    CHECK_FALSE(item.at("ctx").at("error").as_string().empty());
  };
  // Offsets are Python's JSONDecodeError.pos (a character offset).
  check_invalid(R"({"a": })", 6);
  check_invalid("{\"\xc3\xa4\xc3\xa4\": }", 7);  // two 2-byte characters before the error
  check_invalid("{} x", 3);
  check_invalid("[1, 2", -1);
  check_invalid("{'a': 1}", -1);
  check_invalid("nul", -1);
  check_invalid(repeat("[", 100) + repeat("]", 100), -1);  // nesting too deep
  check_invalid(repeat("[", 100000), -1);                  // and no crash
  check_invalid("{\"a\": \"\xff\"}", -1);                  // invalid UTF-8
  check_invalid("{\"a\": \"\xc3\"}", -1);                  // truncated UTF-8
  check_invalid("{\"a\": \"\xed\xa0\x80\"}", -1);          // encoded surrogate
}

TEST_CASE("parse_request_body: nesting up to the limit is fine", "[fields]") {
  const bj::value v = parse_request_body(repeat("[", 60) + repeat("]", 60), "application/json");
  CHECK(v.is_array());
}

TEST_CASE("parse_path_int", "[fields]") {
  CHECK(parse_path_int("beamtimeId", "42") == 42);
  CHECK(parse_path_int("beamtimeId", "-3") == -3);
  try {
    parse_path_int("beamtimeId", "abc");
    FAIL("no ValidationError");
  } catch (const ValidationError& e) {
    REQUIRE(e.detail().size() == 1);
    const bj::object& item = e.detail().at(0).as_object();
    CHECK(item.at("type") == "int_parsing");
    CHECK(item.at("loc") == bj::value(Loc{"path", "beamtimeId"}));
    CHECK(item.at("input") == "abc");
  }
  CHECK_THROWS_AS(parse_path_int("id", ""), ValidationError);
  CHECK_THROWS_AS(parse_path_int("id", "1.5"), ValidationError);
  CHECK_THROWS_AS(parse_path_int("id", "99999999999999999999"), ValidationError);
}

TEST_CASE("parse_json_exact: structure, strings and integers", "[fields][number_parser]") {
  const auto r = parse_json_exact(
      R"( {"s": "a\u00e9\n\"", "t": true, "f": false, "n": null, "arr": [0, -0.0, {}], "o": {"k": []}} )");
  REQUIRE(r.ok);
  CHECK(r.error.empty());
  const bj::object& o = r.value.as_object();
  CHECK(o.at("s") == "a\xc3\xa9\n\"");
  CHECK(o.at("t") == true);
  CHECK(o.at("f") == false);
  CHECK(o.at("n").is_null());
  CHECK(o.at("arr").as_array().at(0).is_int64());
  REQUIRE(o.at("arr").as_array().at(1).is_double());
  CHECK(std::signbit(o.at("arr").as_array().at(1).as_double()));
  CHECK(o.at("o") == bj::object{{"k", bj::array{}}});
  // Key order is kept.
  std::string keys;
  for (const auto& kv : o)
    keys += std::string(kv.key()) + ",";
  CHECK(keys == "s,t,f,n,arr,o,");

  auto one = [](const char* text) {
    const auto res = parse_json_exact(text);
    INFO(text << ": " << res.error);
    REQUIRE(res.ok);
    return res.value;
  };
  CHECK(one("9223372036854775807") == bj::value(std::numeric_limits<std::int64_t>::max()));
  CHECK(one("9223372036854775807").is_int64());
  CHECK(one("-9223372036854775808") == bj::value(std::numeric_limits<std::int64_t>::min()));
  CHECK(one("-9223372036854775808").is_int64());
  CHECK(one("9223372036854775808").is_uint64());
  CHECK(one("9223372036854775808").as_uint64() == 9223372036854775808ull);
  CHECK(one("18446744073709551615").is_uint64());
  CHECK(one("18446744073709551615").as_uint64() == std::numeric_limits<std::uint64_t>::max());
  REQUIRE(one("18446744073709551616").is_double());
  CHECK(one("18446744073709551616").as_double() == 18446744073709551616.0);
  REQUIRE(one("-9223372036854775809").is_double());
  CHECK(one("-9223372036854775809").as_double() == -9223372036854775808.0);
  REQUIRE(one("1e-400").is_double());
  CHECK(one("1e-400").as_double() == 0.0);
  CHECK(one("4.9406564584124654e-324").as_double() == std::numeric_limits<double>::denorm_min());
  CHECK(one("2.2250738585072011e-308").as_double() == 2.2250738585072011e-308);
  CHECK(one("0.1").as_double() == 0.1);
  CHECK(one("1E5").as_double() == 100000.0);
  CHECK(one("[0.30000000000000004]").as_array().at(0).as_double() == 0.1 + 0.2);
}

TEST_CASE("parse_json_exact: errors and depth limit", "[fields][number_parser]") {
  const auto bad = parse_json_exact(R"({"a": })");
  CHECK_FALSE(bad.ok);
  CHECK_FALSE(bad.error.empty());
  CHECK(bad.error_offset == 6);
  const auto extra = parse_json_exact("[1] [2]");
  CHECK_FALSE(extra.ok);
  CHECK(extra.error_offset == 4);
  CHECK_FALSE(parse_json_exact("").ok);
  CHECK_FALSE(parse_json_exact("   ").ok);
  CHECK(parse_json_exact("[[1]]", 2).ok);
  CHECK_FALSE(parse_json_exact("[[1]]", 1).ok);
  CHECK_FALSE(parse_json_exact("[1, 2] // comment").ok);  // no comments
  CHECK_FALSE(parse_json_exact("[1, 2,]").ok);            // no trailing commas
}

namespace {

// Parses `text` with parse_json_exact and returns the number as a double.
bool parsed_number(const std::string& text, double& out) {
  const auto r = parse_json_exact(text);
  if (!r.ok) return false;
  switch (r.value.kind()) {
    case bj::kind::double_:
      out = r.value.get_double();
      return true;
    case bj::kind::int64:
      out = static_cast<double>(r.value.get_int64());
      return true;
    case bj::kind::uint64:
      out = static_cast<double>(r.value.get_uint64());
      return true;
    default:
      return false;
  }
}

}  // namespace

TEST_CASE("parse_json_exact: random doubles parse bit-identically", "[fields][number_parser]") {
  std::mt19937_64 rng(20250430);
  std::uniform_real_distribution<double> mantissa(1.0, 10.0);
  std::uniform_int_distribution<int> exponent(-30, 30);
  constexpr int kCount = 200000;
  int checked = 0;
  int failures = 0;
  std::string first_failure;
  for (int i = 0; i < kCount; ++i) {
    double d = 0;
    if (i % 2 == 0) {
      // Any finite bit pattern, subnormals included.
      do {
        d = std::bit_cast<double>(rng());
      } while (!std::isfinite(d));
    } else {
      // Values of everyday magnitude.
      d = mantissa(rng) * std::pow(10.0, exponent(rng)) * ((rng() & 1) ? -1 : 1);
    }
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, d);
    REQUIRE(res.ec == std::errc{});
    const std::string text(buf, res.ptr);
    double back = 0;
    const bool ok = parsed_number(text, back);
    ++checked;
    if (!ok || std::bit_cast<std::uint64_t>(back) != std::bit_cast<std::uint64_t>(d)) {
      if (failures++ == 0) first_failure = text;
    }
  }
  INFO("first failure: " << first_failure);
  CHECK(checked == kCount);
  CHECK(failures == 0);
}

TEST_CASE("parse_json_exact: long decimal literals round like from_chars",
          "[fields][number_parser]") {
  // Not only shortest representations: 17-30 significant digits must be
  // rounded correctly as well.
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> digit(0, 9);
  std::uniform_int_distribution<int> ndigits(17, 30);
  std::uniform_int_distribution<int> exp(-320, 300);
  int failures = 0;
  std::string first_failure;
  for (int i = 0; i < 20000; ++i) {
    std::string text = (rng() & 1) ? "-" : "";
    text += static_cast<char>('1' + digit(rng) % 9);
    text += '.';
    const int n = ndigits(rng);
    for (int k = 1; k < n; ++k)
      text += static_cast<char>('0' + digit(rng));
    text += 'e' + std::to_string(exp(rng));
    double expected = 0;
    const auto fc = std::from_chars(text.data(), text.data() + text.size(), expected);
    if (fc.ec != std::errc{}) continue;  // out of range: covered elsewhere
    double back = 0;
    if (!parsed_number(text, back) ||
        std::bit_cast<std::uint64_t>(back) != std::bit_cast<std::uint64_t>(expected)) {
      if (failures++ == 0) first_failure = text;
    }
  }
  INFO("first failure: " << first_failure);
  CHECK(failures == 0);
}
