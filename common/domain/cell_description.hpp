// CrystFEL unit-cell descriptions as chemicals carry them in their
// "cell description" attributo, e.g. "tetragonal P c (79.2 79.2 38.0) (90 90 90)":
// lattice type, centering, unique axis ("?" = none), then the cell lengths
// in Angstrom and the angles in degrees.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace amarcord::domain {

struct CellDescription {
  std::string lattice_type;  // triclinic ... cubic
  char centering = 'P';      // P A B C I F R H
  char unique_axis = '?';    // a b c ? *
  double a = 0, b = 0, c = 0, alpha = 0, beta = 0, gamma = 0;
};

// The original's grammar: tokens separated by whitespace, the two triples in
// parentheses, numbers written as digits with an optional decimal fraction.
// Leading and trailing whitespace is ignored. nullopt when it does not parse.
std::optional<CellDescription> parse_cell_description(std::string_view text);

// The normalised form the original stores: numbers in Python's float repr,
// single spaces, e.g. "tetragonal P c (79.2 79.2 38.0) (90.0 90.0 90.0)".
std::string to_string(const CellDescription& cell);

}  // namespace amarcord::domain
