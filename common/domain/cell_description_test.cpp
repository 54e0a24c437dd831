#include "domain/cell_description.hpp"

#include <catch2/catch.hpp>

using amarcord::domain::parse_cell_description;

TEST_CASE("cell descriptions parse and normalise", "[cell]") {
  const auto cell = parse_cell_description("tetragonal P c (79.2 79.2 38.0) (90 90 90)");
  REQUIRE(cell);
  CHECK(cell->lattice_type == "tetragonal");
  CHECK(cell->centering == 'P');
  CHECK(cell->unique_axis == 'c');
  CHECK(cell->c == 38.0);
  CHECK(to_string(*cell) == "tetragonal P c (79.2 79.2 38.0) (90.0 90.0 90.0)");

  const auto spaced = parse_cell_description("  monoclinic\tC  ?  (10.   .5 3)\n(90 100.25 90) ");
  REQUIRE(spaced);
  CHECK(to_string(*spaced) == "monoclinic C ? (10.0 0.5 3.0) (90.0 100.25 90.0)");
}

TEST_CASE("malformed cell descriptions are refused", "[cell]") {
  for (const char* bad :
       {"", "tetragonal", "tetragonal P c (79 79 38) (90 90)", "square P c (1 1 1) (90 90 90)",
        "tetragonal Q c (1 1 1) (90 90 90)", "tetragonal P d (1 1 1) (90 90 90)",
        "tetragonal P c (1 1 1)(90 90 90)", "tetragonal P c (1 -1 1) (90 90 90)",
        "tetragonal P c (1 1e3 1) (90 90 90)", "tetragonal P c (1 . 1) (90 90 90)",
        "Tetragonal P c (1 1 1) (90 90 90)", "tetragonal P c (1 1 1) (90 90 90) x",
        "tetragonalP c (1 1 1) (90 90 90)"}) {
    INFO(bad);
    CHECK_FALSE(parse_cell_description(bad));
  }
}
