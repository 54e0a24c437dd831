#include "domain/attributo_value.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "domain/units.hpp"
#include "json/pyjson.hpp"
#include "util/text.hpp"

namespace amarcord::domain {
namespace {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

using util::trim;

using util::to_lower;

// "True"/"False", as Python's str(bool).
const char* py_bool(bool b) {
  return b ? "True" : "False";
}

std::string utc_seconds_text(Instant t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss<std::chrono::seconds> hms{
      std::chrono::floor<std::chrono::seconds>(t - day)};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

// Python int(): optional sign, digits with single underscores between them.
std::optional<std::int64_t> parse_python_int(std::string_view text) {
  std::string s = trim(text);
  std::string digits;
  std::size_t i = 0;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) digits.push_back(s[i++]);
  bool last_digit = false;
  for (; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      digits.push_back(s[i]);
      last_digit = true;
    } else if (s[i] == '_' && last_digit && i + 1 < s.size() &&
               std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      last_digit = false;
    } else {
      return std::nullopt;
    }
  }
  if (digits.empty() || digits == "+" || digits == "-") return std::nullopt;
  if (digits[0] == '+') digits.erase(0, 1);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc{} || p != digits.data() + digits.size()) return std::nullopt;
  return v;
}

// A finite float from text (exponents allowed; inf and nan refused).
std::optional<double> parse_float(std::string_view text) {
  std::string s = trim(text);
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<bool> parse_bool_word(std::string_view text) {
  const std::string s = to_lower(trim(text));
  if (s == "true" || s == "1" || s == "yes") return true;
  if (s == "false" || s == "0" || s == "no") return false;
  return std::nullopt;
}

[[noreturn]] void fail(const std::string& msg) {
  throw ValueError(msg);
}

std::string type_text(const AttributoType& t) {
  return kind_name(t);
}

void check_range(const NumberType& n, double v) {
  if (n.range && !n.range->contains(v)) {
    fail(fmt::format("out of range; range is {}, value is {}", n.range->to_string(),
                     json::python_float(v)));
  }
}

// Rejects every member of `v` except the allowed one(s).
void only(const AttributoValue& v, const AttributoType& type, bool allow_int, bool allow_number,
          bool allow_string, bool allow_bool, bool allow_datetime, bool allow_chemical,
          bool allow_list) {
  const std::string t = type_text(type);
  if (v.integer && !allow_int) fail(fmt::format("has int value {}, but is type {}", *v.integer, t));
  if (v.number && !allow_number) {
    fail(fmt::format("has float value {}, but is type {}", json::python_float(*v.number), t));
  }
  if (v.string && !allow_string) {
    fail(fmt::format("has string value {}, but is type {}", quoted(*v.string), t));
  }
  if (v.boolean && !allow_bool) {
    fail(fmt::format("has bool value {}, but is type {}", py_bool(*v.boolean), t));
  }
  if (v.datetime && !allow_datetime) {
    fail(fmt::format("has datetime value {}, but is type {}", format_db_datetime(*v.datetime), t));
  }
  if (v.chemical && !allow_chemical) {
    fail(fmt::format("has chemical value {}, but is type {}", *v.chemical, t));
  }
  if (v.list && !allow_list) fail(fmt::format("has list value, but is type {}", t));
}

void check_list(const ListType& l, const boost::json::array& items) {
  const auto n = static_cast<std::int64_t>(items.size());
  if (l.min_items && n < *l.min_items) {
    fail(fmt::format("list has {} items, but needs at least {}", n, *l.min_items));
  }
  if (l.max_items && n > *l.max_items) {
    fail(fmt::format("list has {} items, but allows at most {}", n, *l.max_items));
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    const bool ok = l.item_type == ListItemType::string    ? item.is_string()
                    : l.item_type == ListItemType::boolean ? item.is_bool()
                                                           : item.is_number();
    if (!ok) {
      fail(fmt::format("list item {} is not a {}", i, wire_name(l.item_type)));
    }
  }
}

// Number lists are stored as floats, so output and matching see one form.
boost::json::array normalise_list(const ListType& l, boost::json::array items) {
  if (l.item_type == ListItemType::number) {
    for (auto& item : items) {
      if (item.is_int64()) item = static_cast<double>(item.get_int64());
      if (item.is_uint64()) item = static_cast<double>(item.get_uint64());
    }
  }
  return items;
}

bool close(double a, double b, double rel, double abs_tol) {
  return std::fabs(a - b) <= std::max(rel * std::max(std::fabs(a), std::fabs(b)), abs_tol);
}

// The first value by the original's matching order: integer, float, string,
// bool, datetime, chemical, list (absent = null).
bool generic_equal(const AttributoValue& a, const AttributoValue& b) {
  auto first = [](const AttributoValue& v) -> int {
    if (v.integer) return 0;
    if (v.number) return 1;
    if (v.string) return 2;
    if (v.boolean) return 3;
    if (v.datetime) return 4;
    if (v.chemical) return 5;
    if (v.list) return 6;
    return 7;
  };
  const int ka = first(a), kb = first(b);
  if (ka != kb) return false;
  switch (ka) {
    case 0:
      return *a.integer == *b.integer;
    case 1:
      return *a.number == *b.number;
    case 2:
      return *a.string == *b.string;
    case 3:
      return *a.boolean == *b.boolean;
    case 4:
      return *a.datetime == *b.datetime;
    case 5:
      return *a.chemical == *b.chemical;
    case 6:
      return *a.list == *b.list;
    default:
      return true;
  }
}

std::optional<double> as_number(const AttributoValue& v) {
  if (v.number) return v.number;
  if (v.integer) return static_cast<double>(*v.integer);
  return std::nullopt;
}

// Python str() of a list element.
std::string element_text(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return py_bool(v.get_bool());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_double()) return json::python_float(v.get_double());
  return json::serialize(v);
}

AttributoValue from_list(boost::json::array items) {
  AttributoValue out;
  out.list = std::move(items);
  return out;
}

AttributoValue scalar_to_list(const boost::json::value& item, ListItemType item_kind,
                              const ListType& to) {
  if (to.item_type != item_kind) {
    fail(fmt::format("cannot convert to a list of {}: convert to the element type first",
                     wire_name(to.item_type)));
  }
  if (to.min_items && *to.min_items > 1) {
    fail(
        fmt::format("cannot convert a single value to a list of at least {} items", *to.min_items));
  }
  return from_list(boost::json::array{item});
}

AttributoValue number_to_number(double v, const NumberType& from, const NumberType& to,
                                ConversionFlags flags) {
  double result = v;
  if (!flags.ignore_units && from.standard_unit && to.standard_unit && from.suffix && to.suffix) {
    const auto converted = units::convert(v, *from.suffix, *to.suffix);
    if (!converted) {
      fail(fmt::format("cannot convert {} {} to {}", json::python_float(v), *from.suffix,
                       *to.suffix));
    }
    result = *converted;
  }
  check_range(to, result);
  AttributoValue out;
  out.number = result;
  return out;
}

[[noreturn]] void no_converter(const AttributoType& from, const AttributoType& to,
                               const AttributoValue& v) {
  fail(fmt::format("cannot convert {} value {} to {}", kind_name(from), value_to_text(v),
                   human_readable(to)));
}

}  // namespace

std::string value_to_text(const AttributoValue& v) {
  if (v.boolean) return py_bool(*v.boolean);
  if (v.string) return quoted(*v.string);
  if (v.integer) return std::to_string(*v.integer);
  if (v.number) return json::python_float(*v.number);
  if (v.datetime) return format_db_datetime(*v.datetime);
  if (v.list) return json::serialize(*v.list);
  if (v.chemical) return "chemical " + std::to_string(*v.chemical);
  return "(no value)";
}

AttributoValue validate_value(const AttributoType& type, AttributoValue v) {
  std::visit(
      overloaded{
          [&](const IntegerType&) {
            only(v, type, true, false, false, false, false, false, false);
          },
          [&](const ChemicalIdType&) {
            only(v, type, false, false, false, false, false, true, false);
          },
          [&](const DateTimeType&) {
            only(v, type, false, false, false, false, true, false, false);
          },
          [&](const StringType&) { only(v, type, false, false, true, false, false, false, false); },
          [&](const ChoiceType& c) {
            only(v, type, false, false, true, false, false, false, false);
            if (v.string &&
                std::find(c.values.begin(), c.values.end(), *v.string) == c.values.end()) {
              std::string choices;
              for (const auto& s : c.values)
                choices += (choices.empty() ? "" : ", ") + s;
              fail(fmt::format("has string value {} which is not in the available choices: {}",
                               quoted(*v.string), choices));
            }
          },
          [&](const BooleanType&) {
            only(v, type, false, false, false, true, false, false, false);
          },
          [&](const NumberType& n) {
            only(v, type, true, true, false, false, false, false, false);
            if (v.integer && v.number) fail("has both an int and a float value");
            if (v.integer) {
              v.number = static_cast<double>(*v.integer);
              v.integer.reset();
            }
            if (v.number) check_range(n, *v.number);
          },
          [&](const ListType& l) {
            only(v, type, false, false, false, false, false, false, true);
            if (v.list) {
              check_list(l, *v.list);
              v.list = normalise_list(l, std::move(*v.list));
            }
          }},
      type);
  return v;
}

bool values_match(const std::map<std::int64_t, AttributoType>& types, const ValueMap& wanted,
                  const ValueMap& candidate) {
  static const AttributoValue kNone;
  for (const auto& [id, d] : wanted) {
    const auto it = candidate.find(id);
    const AttributoValue& r = it == candidate.end() ? kNone : it->second;
    if (d.boolean && !r.boolean) {
      if (*d.boolean) return false;
      continue;  // false matches a missing boolean
    }
    const auto type = types.find(id);
    const auto* number = type == types.end() ? nullptr : std::get_if<NumberType>(&type->second);
    if (number != nullptr) {
      const auto dn = as_number(d), rn = as_number(r);
      if (!dn && !rn) continue;
      if (!dn || !rn) return false;
      const double t = number->tolerance.value_or(0.0);
      const bool ok = t == 0.0                        ? close(*rn, *dn, 1e-9, 0.0)
                      : number->tolerance_is_absolute ? close(*rn, *dn, 1e-9, t)
                                                      : close(*rn, *dn, t, 0.0);
      if (!ok) return false;
      continue;
    }
    if (!generic_equal(d, r)) return false;
  }
  return true;
}

AttributoValue convert_value(const AttributoValue& v, const AttributoType& from,
                             const AttributoType& to, ConversionFlags flags) {
  if (v.empty()) return {};
  return std::visit(
      overloaded{
          [&](const IntegerType&) -> AttributoValue {
            if (!v.integer) no_converter(from, to, v);
            const std::int64_t i = *v.integer;
            return std::visit(
                overloaded{[&](const IntegerType&) { return v; },
                           [&](const NumberType& n) {
                             check_range(n, static_cast<double>(i));
                             AttributoValue out;
                             out.number = static_cast<double>(i);
                             return out;
                           },
                           [&](const StringType&) {
                             AttributoValue out;
                             out.string = std::to_string(i);
                             return out;
                           },
                           [&](const BooleanType&) {
                             AttributoValue out;
                             out.boolean = i != 0;
                             return out;
                           },
                           [&](const ListType& l) {
                             return scalar_to_list(static_cast<double>(i), ListItemType::number, l);
                           },
                           [&](const auto&) -> AttributoValue { no_converter(from, to, v); }},
                to);
          },
          [&](const NumberType& a) -> AttributoValue {
            const auto d = as_number(v);
            if (!d) no_converter(from, to, v);
            return std::visit(
                overloaded{
                    [&](const IntegerType&) {
                      AttributoValue out;
                      out.integer = static_cast<std::int64_t>(std::trunc(*d));
                      return out;
                    },
                    [&](const NumberType& b) { return number_to_number(*d, a, b, flags); },
                    [&](const StringType&) {
                      AttributoValue out;
                      out.string = json::python_float(*d);
                      return out;
                    },
                    [&](const BooleanType&) {
                      AttributoValue out;
                      out.boolean = *d != 0.0;
                      return out;
                    },
                    [&](const ListType& l) { return scalar_to_list(*d, ListItemType::number, l); },
                    [&](const auto&) -> AttributoValue { no_converter(from, to, v); }},
                to);
          },
          [&](const StringType&) -> AttributoValue {
            if (!v.string) no_converter(from, to, v);
            const std::string& s = *v.string;
            return std::visit(
                overloaded{[&](const IntegerType&) {
                             const auto i = parse_python_int(s);
                             if (!i)
                               fail(fmt::format("cannot convert {} to an integer", quoted(s)));
                             AttributoValue out;
                             out.integer = *i;
                             return out;
                           },
                           [&](const NumberType& b) {
                             const auto d = parse_float(s);
                             if (!d) fail(fmt::format("cannot convert {} to a number", quoted(s)));
                             return number_to_number(*d, NumberType{}, b, flags);
                           },
                           [&](const StringType&) { return v; },
                           [&](const ChoiceType& c) {
                             if (std::find(c.values.begin(), c.values.end(), s) == c.values.end()) {
                               fail(fmt::format("{} is not one of the choices", quoted(s)));
                             }
                             return v;
                           },
                           [&](const BooleanType&) {
                             const auto b = parse_bool_word(s);
                             if (!b) fail(fmt::format("cannot convert {} to yes/no", quoted(s)));
                             AttributoValue out;
                             out.boolean = *b;
                             return out;
                           },
                           [&](const DateTimeType&) {
                             // YYYY-MM-DDTHH:MM:SSZ, a UTC instant.
                             const std::string t = trim(s);
                             std::optional<Instant> when;
                             if (t.size() == 20 && t[10] == 'T' && t[19] == 'Z') {
                               when = parse_db_datetime(std::string_view(t).substr(0, 19));
                             }
                             if (!when || !instant_in_range(*when)) {
                               fail(
                                   fmt::format("cannot convert {} to a date-time (expected "
                                               "YYYY-MM-DDTHH:MM:SSZ)",
                                               quoted(s)));
                             }
                             AttributoValue out;
                             out.datetime = *when;
                             return out;
                           },
                           [&](const ListType& l) {
                             return scalar_to_list(boost::json::string(s), ListItemType::string, l);
                           },
                           [&](const auto&) -> AttributoValue { no_converter(from, to, v); }},
                to);
          },
          [&](const ChoiceType&) -> AttributoValue {
            if (!v.string) no_converter(from, to, v);
            return std::visit(
                overloaded{[&](const StringType&) { return v; },
                           [&](const ChoiceType& c) {
                             if (!v.string->empty() && std::find(c.values.begin(), c.values.end(),
                                                                 *v.string) == c.values.end()) {
                               fail(fmt::format("{} is not one of the new choices",
                                                quoted(*v.string)));
                             }
                             return v;
                           },
                           [&](const auto&) -> AttributoValue { no_converter(from, to, v); }},
                to);
          },
          [&](const BooleanType&) -> AttributoValue {
            if (!v.boolean) no_converter(from, to, v);
            const bool b = *v.boolean;
            return std::visit(
                overloaded{[&](const IntegerType&) {
                             AttributoValue out;
                             out.integer = b ? 1 : 0;
                             return out;
                           },
                           [&](const NumberType& n) {
                             check_range(n, b ? 1.0 : 0.0);
                             AttributoValue out;
                             out.number = b ? 1.0 : 0.0;
                             return out;
                           },
                           [&](const StringType&) {
                             AttributoValue out;
                             out.string = py_bool(b);
                             return out;
                           },
                           [&](const BooleanType&) { return v; },
                           [&](const auto&) -> AttributoValue { no_converter(from, to, v); }},
                to);
          },
          [&](const DateTimeType&) -> AttributoValue {
            if (!v.datetime) no_converter(from, to, v);
            return std::visit(
                overloaded{[&](const StringType&) {
                             AttributoValue out;
                             out.string = utc_seconds_text(*v.datetime);
                             return out;
                           },
                           [&](const DateTimeType&) { return v; },
                           [&](const auto&) -> AttributoValue { no_converter(from, to, v); }},
                to);
          },
          [&](const ChemicalIdType&) -> AttributoValue {
            if (!v.chemical || !std::holds_alternative<ChemicalIdType>(to))
              no_converter(from, to, v);
            return v;
          },
          [&](const ListType&) -> AttributoValue {
            const auto* l = std::get_if<ListType>(&to);
            if (!v.list || l == nullptr) no_converter(from, to, v);
            const auto& items = *v.list;
            const auto n = static_cast<std::int64_t>(items.size());
            if (l->max_items && n > *l->max_items) {
              fail(
                  fmt::format("list has {} items, more than the new maximum {}", n, *l->max_items));
            }
            if (l->min_items && n < *l->min_items) {
              fail(fmt::format("list has {} items, fewer than the new minimum {}", n,
                               *l->min_items));
            }
            boost::json::array out;
            for (std::size_t i = 0; i < items.size(); ++i) {
              const auto& item = items[i];
              switch (l->item_type) {
                case ListItemType::string:
                  out.emplace_back(element_text(item));
                  break;
                case ListItemType::number:
                  if (item.is_number()) {
                    out.emplace_back(item.to_number<double>());
                  } else if (item.is_string()) {
                    const auto d = parse_float(item.get_string());
                    if (!d)
                      fail(fmt::format("list item {} ({}) is not a number", i, element_text(item)));
                    out.emplace_back(*d);
                  } else {
                    fail(fmt::format("list item {} ({}) cannot become a number", i,
                                     element_text(item)));
                  }
                  break;
                case ListItemType::boolean:
                  if (item.is_bool()) {
                    out.emplace_back(item.get_bool());
                  } else if (item.is_string()) {
                    const auto b = parse_bool_word(item.get_string());
                    if (!b)
                      fail(fmt::format("list item {} ({}) is not yes/no", i, element_text(item)));
                    out.emplace_back(*b);
                  } else {
                    fail(fmt::format("list item {} ({}) cannot become yes/no", i,
                                     element_text(item)));
                  }
                  break;
              }
            }
            return from_list(std::move(out));
          }},
      from);
}

}  // namespace amarcord::domain
