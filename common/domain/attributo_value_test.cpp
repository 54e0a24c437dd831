// The data-set matching rule of api-core.md §3.10, pinned on the examples the
// spec gives and on its edge cases (absent values, booleans, other types).
#include <catch2/catch.hpp>

#include <map>

#include "domain/attributo_value.hpp"

namespace {

using namespace amarcord::domain;

AttributoValue number(double d) {
  AttributoValue v;
  v.number = d;
  return v;
}
AttributoValue boolean(bool b) {
  AttributoValue v;
  v.boolean = b;
  return v;
}
AttributoValue text(std::string s) {
  AttributoValue v;
  v.string = std::move(s);
  return v;
}

NumberType with_tolerance(double t, bool absolute) {
  NumberType n;
  n.tolerance = t;
  n.tolerance_is_absolute = absolute;
  return n;
}

// Does a run with `candidate` for attributo 1 match a data set asking for `wanted`?
bool match_one(const AttributoType& type, const std::optional<AttributoValue>& wanted,
               const std::optional<AttributoValue>& candidate) {
  const std::map<std::int64_t, AttributoType> types{{1, type}};
  ValueMap w, c;
  if (wanted) w.emplace(1, *wanted);
  if (candidate) c.emplace(1, *candidate);
  return values_match(types, w, c);
}

}  // namespace

TEST_CASE("matching: the spec's pinned decimal examples (§3.10)", "[match]") {
  CHECK(match_one(with_tolerance(0.1, false), number(200), number(220)));
  CHECK_FALSE(match_one(with_tolerance(0.1, false), number(200), number(225)));
  CHECK(match_one(with_tolerance(13, true), number(200), number(210)));
  CHECK_FALSE(match_one(with_tolerance(13, true), number(200), number(214)));
  CHECK_FALSE(match_one(NumberType{}, number(200), number(201)));
  // Without a tolerance, math.isclose's relative 1e-9.
  CHECK(match_one(NumberType{}, number(1e9), number(1e9 + 0.5)));
  CHECK_FALSE(match_one(NumberType{}, number(1e9), number(1e9 + 5)));
}

TEST_CASE("matching: absent decimals", "[match]") {
  // A data set row can hold an empty value for an attributo.
  CHECK(match_one(NumberType{}, AttributoValue{}, AttributoValue{}));
  CHECK(match_one(NumberType{}, AttributoValue{}, std::nullopt));
  CHECK_FALSE(match_one(NumberType{}, number(1), std::nullopt));
  CHECK_FALSE(match_one(NumberType{}, AttributoValue{}, number(1)));
}

TEST_CASE("matching: a missing boolean counts as false", "[match]") {
  CHECK(match_one(BooleanType{}, boolean(false), std::nullopt));
  CHECK_FALSE(match_one(BooleanType{}, boolean(true), std::nullopt));
  CHECK(match_one(BooleanType{}, boolean(true), boolean(true)));
  CHECK_FALSE(match_one(BooleanType{}, boolean(false), boolean(true)));
}

TEST_CASE("matching: other types compare their value; extra attributi are ignored", "[match]") {
  CHECK(match_one(StringType{}, text("lyso"), text("lyso")));
  CHECK_FALSE(match_one(StringType{}, text("lyso"), text("Lyso")));
  CHECK_FALSE(match_one(StringType{}, text("lyso"), std::nullopt));
  CHECK(match_one(StringType{}, AttributoValue{}, std::nullopt));

  const std::map<std::int64_t, AttributoType> types{{1, StringType{}}, {2, IntegerType{}}};
  ValueMap wanted, run;
  wanted.emplace(1, text("a"));
  run.emplace(1, text("a"));
  AttributoValue i;
  i.integer = 5;
  run.emplace(2, i);
  CHECK(values_match(types, wanted, run));        // attributo 2 is not asked for
  CHECK(values_match(types, ValueMap{}, run));    // an empty data set matches everything
  CHECK_FALSE(values_match(types, run, wanted));  // attributo 2 missing in the candidate
}
