// The attributo type system (api-core.md §3): user-defined typed columns of
// runs and chemicals. One model of the types, their wire and stored JSON
// forms, the human-readable names and the semantic equality used when DAQ
// bridges push schemas.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace amarcord::domain {

enum class AssociatedTable { run, chemical };
const char* wire_name(AssociatedTable t);                                     // "run", "chemical"
const char* db_name(AssociatedTable t);                                       // "RUN", "CHEMICAL"
std::optional<AssociatedTable> associated_table_from_db(std::string_view s);  // also lower case

// A numeric range; absent bounds keep the "inclusive" flag the original
// derives from the absence of the exclusive key (api-core.md §3.3.3).
struct NumberRange {
  std::optional<double> lower;
  bool lower_inclusive = true;
  std::optional<double> upper;
  bool upper_inclusive = true;

  bool contains(double v) const;
  // "[1.0,oo]", "(0.0,10.0]" as the original prints it.
  std::string to_string() const;
  bool operator==(const NumberRange&) const = default;
};

struct IntegerType {
  bool operator==(const IntegerType&) const = default;
};
struct ChemicalIdType {
  bool operator==(const ChemicalIdType&) const = default;
};
struct DateTimeType {
  bool operator==(const DateTimeType&) const = default;
};
struct NumberType {
  std::optional<NumberRange> range;
  std::optional<std::string> suffix;
  bool standard_unit = false;
  std::optional<double> tolerance;
  bool tolerance_is_absolute = false;
  bool operator==(const NumberType&) const = default;
};
struct StringType {
  bool operator==(const StringType&) const = default;
};
struct ChoiceType {
  std::vector<std::string> values;
  bool operator==(const ChoiceType&) const = default;
};
struct BooleanType {
  bool operator==(const BooleanType&) const = default;
};
enum class ListItemType { string, boolean, number };
const char* wire_name(ListItemType t);  // "string", "bool", "number"
struct ListType {
  ListItemType item_type = ListItemType::string;
  std::optional<std::int64_t> min_items;
  std::optional<std::int64_t> max_items;
  bool operator==(const ListType&) const = default;
};

using AttributoType = std::variant<IntegerType, ChemicalIdType, DateTimeType, NumberType,
                                   StringType, ChoiceType, BooleanType, ListType>;

// Short names used in validation messages: "int", "chemical", "datetime",
// "decimal", "string", "bool", "list".
const char* kind_name(const AttributoType& t);

// Spreadsheet "Type" column (api-core.md §3.11), e.g. "mm ∈ (3.0,4.0]".
std::string human_readable(const AttributoType& t);

// Equality used by POST /api/attributi/schema to skip existing attributi
// (api-core.md §3.9): standard units compare as quantities.
bool semantically_equal(const AttributoType& a, const AttributoType& b);

struct Attributo {
  std::int64_t id = 0;
  std::int64_t beamtime_id = 0;
  std::string name;
  std::string description;
  std::string group;
  AssociatedTable associated_table = AssociatedTable::run;
  AttributoType type;
};

}  // namespace amarcord::domain
