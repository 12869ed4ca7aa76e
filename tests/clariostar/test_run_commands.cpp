#include <catch2/catch.hpp>

#include "assay/drivers/clariostar/commands.hpp"
#include "fixtures.hpp"

using namespace assay::drivers;
using namespace assay::drivers::clariostar;
using assay_test::clariostar_fixture;
using assay_test::read_bytes;

namespace {

// The vendor software's 96-well definition used in the H-series captures.
RunPlate vendor_abs_plate() { return RunPlate{}; }

// The vendor's fluorescence captures used a third plate definition (clariostar.md §5.1).
RunPlate vendor_fl_plate() {
  RunPlate p;
  p.length_mm = 127.80;
  p.width_mm = 85.50;
  p.a1_x_mm = 14.30;
  p.a1_y_mm = 11.20;
  p.last_x_mm = 113.50;
  p.last_y_mm = 74.30;
  return p;
}

std::vector<WellPosition> all_wells(int rows = 8, int columns = 12) {
  std::vector<WellPosition> wells;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < columns; ++c) wells.push_back({r, c});
  return wells;
}

std::vector<WellPosition> column_1() {
  std::vector<WellPosition> wells;
  for (int r = 0; r < 8; ++r) wells.push_back({r, 0});
  return wells;
}

Bytes frame_of(const std::string& fixture) { return read_bytes(clariostar_fixture(fixture)); }

}  // namespace

TEST_CASE("absorbance spectrum RUN frames match the vendor software's captures H01-H05 byte for byte") {
  struct Case {
    const char* file;
    SpectrumRange range;
    std::vector<WellPosition> wells;
    WellScan scan;
  };
  const std::vector<Case> cases = {
      {"H01", {300, 700, 1}, all_wells(), WellScan::point},
      {"H02", {400, 600, 1}, all_wells(), WellScan::point},
      {"H03", {300, 700, 5}, all_wells(), WellScan::point},
      {"H04", {300, 700, 1}, column_1(), WellScan::point},
      {"H05", {300, 700, 1}, all_wells(), WellScan::orbital},
  };
  for (const Case& c : cases) {
    INFO("capture " << c.file);
    AbsorbanceRun run;
    run.plate = vendor_abs_plate();
    run.wells = c.wells;
    run.spectrum = c.range;
    run.scan.mode = c.scan;
    run.scan.scan_diameter_mm = 3;
    run.scan.well_diameter_mm = 6.58;
    run.scan.settle_s = 0.1;
    run.flashes = 5;
    auto payload = absorbance_run(run);
    REQUIRE(payload.is_ok());
    CHECK(to_hex(encode_frame(*payload), 400) ==
          to_hex(frame_of(std::string("extracted/abs_run_oem/") + c.file + ".frame.bin"), 400));
  }
}

TEST_CASE("the discrete absorbance RUN the real device accepted is rebuilt exactly") {
  // 600 nm, point, 96 wells, 10 flashes, settle byte 0x01, PyLabRobot's Corning 96 geometry.
  auto trace = assay_test::read_json(
      clariostar_fixture("trace_extracts/abs_endpoint_96w_600nm_point_10flashes_2026-03-09_1833.json"));
  AbsorbanceRun run;
  run.plate.a1_x_mm = 14.30;
  run.plate.a1_y_mm = 11.28;
  run.plate.last_x_mm = 113.46;
  run.plate.last_y_mm = 74.20;
  run.wells = all_wells();
  run.wavelengths_nm = {600};
  run.scan.settle_s = 0.02;
  run.flashes = 10;
  auto payload = absorbance_run(run);
  REQUIRE(payload.is_ok());
  CHECK(to_hex(encode_frame(*payload), 400) == trace["run_command"]["hex"].get<std::string>());
}

TEST_CASE("multi-wavelength discrete RUN adds two bytes per wavelength") {
  AbsorbanceRun run;
  run.wells = all_wells();
  run.wavelengths_nm = {450, 600, 660};
  auto payload = absorbance_run(run);
  REQUIRE(payload.is_ok());
  CHECK(payload->size() == 136 + 4);
  CHECK(to_hex(Bytes(payload->begin() + 101, payload->begin() + 108)) == "031194177019c8");
}

TEST_CASE("fluorescence RUN frames match the vendor captures when given the vendor's band edges") {
  // FA01: top, point, Ex 485/15 Em 528/20 (sent by the vendor as 4923/4777, 5377/5183), gain
  // 1000, focal 8.5 mm, 10 flashes. FA03: the same for A1 only. FG01: orbital 3 mm, 7 flashes.
  FluorescenceChromatic vendor;
  vendor.gain = 1000;
  vendor.ex_high = 4923;
  vendor.ex_low = 4777;
  vendor.dichroic = 5052;
  vendor.em_high = 5377;
  vendor.em_low = 5183;
  struct Case {
    const char* file;
    std::vector<WellPosition> wells;
    WellScan scan;
    int flashes;
    bool bottom;
  };
  for (const Case& c : std::vector<Case>{{"FA01", all_wells(), WellScan::point, 10, false},
                                         {"FA02", all_wells(), WellScan::point, 10, true},
                                         {"FA03", {{0, 0}}, WellScan::point, 10, false},
                                         {"FG01", all_wells(), WellScan::orbital, 7, false}}) {
    INFO("capture " << c.file);
    FluorescenceRun run;
    run.plate = vendor_fl_plate();
    run.wells = c.wells;
    run.scan.mode = c.scan;
    run.scan.scan_diameter_mm = 3;
    run.scan.well_diameter_mm = 6.35;
    run.scan.settle_s = 0.1;
    run.bottom_optic = c.bottom;
    run.focal_height_mm = 8.5;
    run.chromatics = {vendor};
    run.flashes = c.flashes;
    auto payload = fluorescence_run(run);
    REQUIRE(payload.is_ok());
    CHECK(to_hex(encode_frame(*payload), 400) ==
          to_hex(frame_of(std::string("extracted/fl_run_oem/") + c.file + ".frame.bin"), 400));
  }
}

TEST_CASE("the fluorescence RUN the real device accepted in a live session is rebuilt exactly") {
  // Ex 620/20, Em 680/30, spiral 3 mm in a 6.86 mm well, gain 1000, focal 8.5 mm, 20 flashes.
  auto trace = assay_test::read_json(
      clariostar_fixture("trace_extracts/fl_spiral3mm_96w_ex620_em680_focal8.5_2026-03-11_1816.json"));
  FluorescenceRun run;
  run.plate.a1_x_mm = 14.30;
  run.plate.a1_y_mm = 11.28;
  run.plate.last_x_mm = 113.46;
  run.plate.last_y_mm = 74.20;
  run.wells = all_wells();
  run.scan.mode = WellScan::spiral;
  run.scan.scan_diameter_mm = 3;
  run.scan.well_diameter_mm = 6.86;
  run.scan.settle_s = 0.1;
  auto chromatic = FluorescenceChromatic::monochromator(620, 20.0, 680, 30.0, 1000);
  REQUIRE(chromatic.is_ok());
  run.chromatics = {*chromatic};
  run.focal_height_mm = 8.5;
  run.flashes = 20;
  auto payload = fluorescence_run(run);
  REQUIRE(payload.is_ok());
  CHECK(to_hex(encode_frame(*payload), 400) == trace["run_command"]["hex"].get<std::string>());
}

TEST_CASE("RUN builders refuse what the device cannot do and name the field") {
  AbsorbanceRun run;
  run.wells = all_wells();
  run.wavelengths_nm = {1100};
  auto bad_nm = absorbance_run(run);
  REQUIRE_FALSE(bad_nm.is_ok());
  CHECK_THAT(bad_nm.status().message(), Catch::Contains("1100 nm"));
  run.wavelengths_nm = {600};
  run.scan.mode = WellScan::orbital;
  run.flashes = 50;
  CHECK_THAT(absorbance_run(run).status().message(), Catch::Contains("flashes"));
  RunPlate p1536;
  p1536.rows = 32;
  p1536.columns = 48;
  CHECK(well_mask(p1536, {{0, 0}}).status().code() == StatusCode::invalid_argument);
  CHECK(FluorescenceChromatic::monochromator(485, 15, 490, 20, 1000).status().code() ==
        StatusCode::invalid_argument);
}

TEST_CASE("the well mask is most significant bit first, rows one after another") {
  auto mask = well_mask(RunPlate{}, column_1());
  REQUIRE(mask.is_ok());
  // Column 1 of a 96-well plate: 80 08 00 repeated four times (OEM capture H04).
  CHECK(to_hex(Bytes(mask->begin(), mask->begin() + 12)) == "800800800800800800800800");
  CHECK(to_hex(Bytes(mask->begin() + 12, mask->end())) == std::string(72, '0'));
}
