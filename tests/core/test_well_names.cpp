#include <catch2/catch.hpp>

#include <string>

#include "assay/drivers/plate_geometry.hpp"

using assay::drivers::parse_well;
using assay::drivers::PlateGeometry;
using assay::drivers::WellPosition;

TEST_CASE("well names parse on 96- and 1536-well plates and round-trip") {
  const PlateGeometry p96;
  const PlateGeometry p1536{32, 48};
  CHECK(parse_well("A1", p96) == WellPosition{0, 0});
  CHECK(parse_well("a01", p96) == WellPosition{0, 0});
  CHECK(parse_well("H12", p96) == WellPosition{7, 11});
  CHECK(parse_well("AF48", p1536) == WellPosition{31, 47});
  for (int row = 0; row < 32; ++row)
    for (int column = 0; column < 48; column += 7) {
      const WellPosition at{row, column};
      CHECK(parse_well(assay::drivers::well_name(at), p1536) == at);
    }
}

TEST_CASE("text that is not a well on the plate is refused, however long") {
  const PlateGeometry p96;
  CHECK_FALSE(parse_well("I1", p96));
  CHECK_FALSE(parse_well("A13", p96));
  CHECK_FALSE(parse_well("A0", p96));
  CHECK_FALSE(parse_well("A", p96));
  CHECK_FALSE(parse_well("1", p96));
  CHECK_FALSE(parse_well("A1x", p96));
  CHECK_FALSE(parse_well("A0001", p96));
  CHECK_FALSE(parse_well("AAA1", PlateGeometry{32, 48}));
  // Once overflowed the row arithmetic (found by fuzz_job_spec).
  CHECK_FALSE(parse_well(std::string(90, 'x') + "C3", p96));
}
