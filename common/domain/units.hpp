// Physical units, as the original does them with the Python library pint
// (api-core.md §3.9), implemented with UDUNITS-2.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace amarcord::domain::units {

// The answer of POST /api/unit: exactly one of the two is set.
struct UnitCheck {
  std::optional<std::string> normalized;  // e.g. "1 millimeter", "2.5 millimeter/second"
  std::optional<std::string> error;       // "Unit empty" or "Invalid unit"
};

// Parses a unit expression (optionally with a leading magnitude, "2.5 mm")
// and prints it in pint's "pretty" style: magnitude in general number format
// (1.0 prints as 1), a space, full unit names, products joined with "·",
// division with "/", powers as superscripts ("1 meter²"). "" gives
// "Unit empty"; a bare number, an unknown unit or a syntax error gives
// "Invalid unit".
UnitCheck check_unit(std::string_view input);

// True when `unit` is a unit expression check_unit accepts.
bool is_valid_unit(std::string_view unit);

// Converts `value` from one unit to another, handling offsets (degC <-> K,
// degF). nullopt when either unit is invalid or the dimensions differ.
std::optional<double> convert(double value, std::string_view from, std::string_view to);

// True when both parse and denote the same quantity: "mm/s" equals
// "mm / s" and "millimeter/second", but not "mm/ms".
bool same_unit(std::string_view a, std::string_view b);

}  // namespace amarcord::domain::units
