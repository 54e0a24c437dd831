#include "domain/attributo_type.hpp"

#include <fmt/format.h>

#include "domain/units.hpp"
#include "json/pyjson.hpp"

namespace amarcord::domain {
namespace {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};

std::string bound_text(const std::optional<double>& v) {
  return v ? json::python_float(*v) : std::string("oo");
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items)
    out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

const char* wire_name(AssociatedTable t) {
  return t == AssociatedTable::run ? "run" : "chemical";
}
const char* db_name(AssociatedTable t) {
  return t == AssociatedTable::run ? "RUN" : "CHEMICAL";
}

std::optional<AssociatedTable> associated_table_from_db(std::string_view s) {
  if (s == "RUN" || s == "run") return AssociatedTable::run;
  if (s == "CHEMICAL" || s == "chemical") return AssociatedTable::chemical;
  return std::nullopt;
}

const char* wire_name(ListItemType t) {
  switch (t) {
    case ListItemType::string:
      return "string";
    case ListItemType::boolean:
      return "bool";
    case ListItemType::number:
      return "number";
  }
  return "string";
}

bool NumberRange::contains(double v) const {
  if (lower && (lower_inclusive ? v < *lower : v <= *lower)) return false;
  if (upper && (upper_inclusive ? v > *upper : v >= *upper)) return false;
  return true;
}

std::string NumberRange::to_string() const {
  return std::string(lower_inclusive ? "[" : "(") + bound_text(lower) + "," + bound_text(upper) +
         (upper_inclusive ? "]" : ")");
}

const char* kind_name(const AttributoType& t) {
  return std::visit(
      overloaded{[](const IntegerType&) { return "int"; },
                 [](const ChemicalIdType&) { return "chemical"; },
                 [](const DateTimeType&) { return "datetime"; },
                 [](const NumberType&) { return "decimal"; },
                 [](const StringType&) { return "string"; },
                 [](const ChoiceType&) { return "string"; },
                 [](const BooleanType&) { return "bool"; }, [](const ListType&) { return "list"; }},
      t);
}

std::string human_readable(const AttributoType& t) {
  return std::visit(
      overloaded{
          [](const IntegerType&) -> std::string { return "integer"; },
          [](const ChemicalIdType&) -> std::string { return "chemical ID"; },
          [](const DateTimeType&) -> std::string { return "date-time"; },
          [](const StringType&) -> std::string { return "string"; },
          [](const BooleanType&) -> std::string { return "yes/no"; },
          [](const ChoiceType& c) -> std::string { return "one of " + join(c.values, ", "); },
          [](const ListType& l) -> std::string {
            return std::string("list of ") + wire_name(l.item_type);
          },
          [](const NumberType& n) -> std::string {
            std::string tol;
            if (n.tolerance) {
              tol = fmt::format(" ({}tolerance {})", n.tolerance_is_absolute ? "absolute " : "",
                                json::python_float(*n.tolerance));
            }
            if (n.suffix && n.range) return *n.suffix + " ∈ " + n.range->to_string() + tol;
            if (n.suffix) return *n.suffix;
            if (n.range) return "number ∈ " + n.range->to_string() + tol;
            return "number";
          }},
      t);
}

bool semantically_equal(const AttributoType& a, const AttributoType& b) {
  const auto* na = std::get_if<NumberType>(&a);
  const auto* nb = std::get_if<NumberType>(&b);
  if (na == nullptr || nb == nullptr) {
    // Everything but decimals compares structurally.
    if (const auto* la = std::get_if<ListType>(&a)) {
      const auto* lb = std::get_if<ListType>(&b);
      return lb != nullptr && *la == *lb;
    }
    return a == b;
  }
  if (na->range != nb->range) return false;
  if (na->standard_unit && nb->standard_unit) {
    return na->suffix && nb->suffix && units::same_unit(*na->suffix, *nb->suffix);
  }
  return na->suffix == nb->suffix;
}

}  // namespace amarcord::domain
