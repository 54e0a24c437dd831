// Attributo values: the value columns of one value row (schema.md §6.4),
// their validation against a type (api-core.md §3.6), the data-set matching
// rule (§3.10) and the conversion of stored values when a type changes
// (§3.8).
#pragma once

#include <boost/container/flat_map.hpp>
#include <boost/json/array.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "domain/attributo_type.hpp"
#include "domain/time.hpp"

namespace amarcord::domain {

// One value row. Normally at most one member is set; a row with none set is
// "present but empty". SQL NULL and JSON null in list_value both read as
// "no list".
struct AttributoValue {
  std::optional<std::int64_t> integer;
  std::optional<double> number;
  std::optional<std::string> string;
  std::optional<bool> boolean;
  std::optional<Instant> datetime;
  std::optional<boost::json::array> list;
  std::optional<std::int64_t> chemical;

  bool empty() const {
    return !integer && !number && !string && !boolean && !datetime && !list && !chemical;
  }
  bool operator==(const AttributoValue&) const = default;
};

// Values of one entity (run, chemical, data set) by attributo id, in id
// order. A sorted vector, not a tree: a beamtime's run table holds hundreds
// of thousands of values, and rows arrive in id order.
using ValueMap = boost::container::flat_map<std::int64_t, AttributoValue>;

// Why a value does not fit its type; what() is the original's message body
// after "attributo <id>: ".
class ValueError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Checks a value (as written by a client) against the attributo's type.
// Tighter than the original where it was accidental (api-core.md §3.6
// [QUIRK]s): decimals take integers as numbers, date-times refuse booleans,
// list items and lengths are checked. Returns the value to store (an
// integer for a decimal attributo becomes a number). Throws ValueError.
AttributoValue validate_value(const AttributoType& type, AttributoValue value);

// api-core.md §3.10: does `candidate` (an existing data set or a run) match
// the data set values `wanted` for every attributo in `wanted`?
bool values_match(const std::map<std::int64_t, AttributoType>& types, const ValueMap& wanted,
                  const ValueMap& candidate);

struct ConversionFlags {
  bool ignore_units = false;
};

// Converts a stored value from the old type to the new one (api-core.md
// §3.8); an empty value stays empty. Throws ValueError naming the problem.
AttributoValue convert_value(const AttributoValue& value, const AttributoType& from,
                             const AttributoType& to, ConversionFlags flags);

// Text of a value as used in messages ("abc", 1.5, 3).
std::string value_to_text(const AttributoValue& v);

}  // namespace amarcord::domain
