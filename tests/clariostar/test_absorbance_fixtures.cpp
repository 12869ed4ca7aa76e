#include <catch2/catch.hpp>

#include <cmath>

#include "assay/drivers/clariostar/replies.hpp"
#include "fixtures.hpp"

using namespace assay::drivers;
using namespace assay::drivers::clariostar;
using assay_test::clariostar_fixture;
using assay_test::read_bytes;
using assay_test::read_json;

namespace {

// "places=N" in the fork's tests means round(a - b, N) == 0, i.e. |a - b| < 0.5 x 10^-N.
double places_tolerance(const std::string& note) {
  if (note.find("places=3") != std::string::npos) return 0.0005;
  if (note.find("places=2") != std::string::npos) return 0.005;
  return 0.0005;
}

std::vector<Bytes> spectrum_pages(const std::string& stem, int pages) {
  std::vector<Bytes> out;
  for (int i = 1; i <= pages; ++i) {
    out.push_back(read_bytes(clariostar_fixture("original/test_data/" + stem + "_page" + std::to_string(i) + ".bin")));
  }
  return out;
}

int well_index_96(const std::string& well) {  // "A01" -> 0, "B01" -> 12
  int row = well[0] - 'A';
  int column = std::stoi(well.substr(1)) - 1;
  return row * 12 + column;
}

}  // namespace

TEST_CASE("discrete absorbance replies reproduce the expected ODs of every real and derived fixture") {
  auto expected = read_json(clariostar_fixture("expected/abs_discrete_expected_od.json"));
  REQUIRE(expected.size() == 4);
  for (const auto& [name, entry] : expected.items()) {
    INFO("fixture " << name);
    Bytes payload = read_bytes(clariostar_fixture(entry["payload_file"].get<std::string>()));
    const auto& wavelengths = entry["wavelengths_nm"];
    const auto& wells = entry["wells_in_order"];
    std::vector<Bytes> pages{payload};
    auto table = decode_absorbance(pages, static_cast<int>(wavelengths.size()));
    REQUIRE(table.is_ok());
    REQUIRE(table->wells == static_cast<int>(wells.size()));
    const double tolerance = places_tolerance(entry["tolerance_note"].get<std::string>());
    for (std::size_t k = 0; k < wavelengths.size(); ++k) {
      const auto& by_well = entry["expected_od"][std::to_string(wavelengths[k].get<int>())];
      for (std::size_t w = 0; w < wells.size(); ++w) {
        double want = by_well[wells[w].get<std::string>()].get<double>();
        INFO(wells[w] << " at " << wavelengths[k] << " nm");
        CHECK(std::abs(table->od(static_cast<int>(k), static_cast<int>(w)) - want) < tolerance);
      }
    }
  }
}

TEST_CASE("A05 single-well reply decodes to the reference's hand-computed OD 0.07705") {
  std::vector<Bytes> pages{read_bytes(clariostar_fixture("extracted/abs_response/A05_final_data.payload.bin"))};
  auto header = decode_absorbance_header(pages[0]);
  REQUIRE(header.is_ok());
  CHECK(header->schema == 0xA9);
  CHECK(header->values == 12);
  CHECK(header->written == 12);
  CHECK(header->wells == 1);
  auto table = decode_absorbance(pages, 1);
  REQUIRE(table.is_ok());
  CHECK(table->sample[0] == 3304597u);
  CHECK(table->reference[0] == 18385u);
  CHECK(table->cal_hi[0] == 3922534u);
  CHECK(table->reference_cal_hi == 18275u);
  CHECK(table->od(0, 0) == Approx(0.07705).margin(0.00001));
}

TEST_CASE("vendor-verified spectrum: all 96 wells at 600 nm match BMG's exported OD") {
  auto pages = spectrum_pages("abs_spectrum_220_1000_1nm_spiral_96w", 5);
  auto table = decode_absorbance(pages, 781);
  REQUIRE(table.is_ok());
  REQUIRE(table->wells == 96);
  REQUIRE(table->temperature_C.has_value());
  CHECK(*table->temperature_C == Approx(24.1));
  auto oem = read_json(clariostar_fixture("expected/verification_spectrum_oem_od.json"));
  // Vendor values carry 3 decimals: agreement within 0.00055 OD is agreement to rounding.
  const double tolerance = 0.00055;
  double worst = 0.0;
  int compared = 0;
  const int k600 = 600 - 220;
  for (const auto& [well, entry] : oem["od_600nm_all_wells"].items()) {
    double od = table->od(k600, well_index_96(well));
    double diff = std::abs(od - entry["oem_od"].get<double>());
    worst = std::max(worst, diff);
    INFO(well << " decoded " << od << " vendor " << entry["oem_od"]);
    CHECK(diff <= tolerance);
    ++compared;
  }
  CHECK(compared == 96);
  for (const auto& [series, well] : {std::pair{"VERIFICATION_SPECTRUM_A01_MULTI_WL", "A01"},
                                     std::pair{"VERIFICATION_SPECTRUM_B01_MULTI_WL", "B01"}}) {
    for (const auto& [nm, entry] : oem["multi_wavelength"][series].items()) {
      double od = table->od(std::stoi(nm) - 220, well_index_96(well));
      INFO(well << " at " << nm << " nm decoded " << od << " vendor " << entry["oem_od"]);
      CHECK(std::abs(od - entry["oem_od"].get<double>()) <= tolerance);
      ++compared;
    }
  }
  CHECK(compared == 96 + 12 + 4);
  WARN("largest difference from the vendor's 600 nm OD: " << worst);
}

TEST_CASE("every stored spectrum capture has the documented page structure and decodes") {
  auto structure = read_json(clariostar_fixture("expected/spectrum_page_structure.json"));
  int sets = 0;
  for (const auto& [stem, entry] : structure.items()) {
    INFO("capture " << stem);
    const int pages_count = entry["pages"].get<int>();
    auto pages = spectrum_pages(stem, pages_count);
    std::size_t values = 0;
    for (int i = 0; i < pages_count; ++i) {
      auto header = decode_absorbance_header(pages[static_cast<std::size_t>(i)]);
      REQUIRE(header.is_ok());
      CHECK(header->page == entry["page_counter_byte_29"][static_cast<std::size_t>(i)].get<int>());
      CHECK(header->values == entry["header_u16_at_7_per_page"][static_cast<std::size_t>(i)].get<int>());
      CHECK(pages[static_cast<std::size_t>(i)].size() ==
            entry["page_payload_bytes"][static_cast<std::size_t>(i)].get<std::size_t>());
      values += (pages[static_cast<std::size_t>(i)].size() - absorbance_header_bytes) / 4;
    }
    CHECK(values == entry["total_u32_values"].get<std::size_t>());
    const int n = entry["n_wavelengths"].get<int>();
    auto table = decode_absorbance(pages, n);
    REQUIRE(table.is_ok());
    CHECK(table->wells == entry["n_wells"].get<int>());
    CHECK(table->reference_cal_hi == entry["reference_cal_pair(last)"][0].get<std::uint32_t>());
    CHECK(table->cal_hi[0] == entry["first_wavelength_cal_pair"][0].get<std::uint32_t>());
    // The report's own A1 decode every 50 nm, rounded to 4 decimals.
    const int first_nm = std::stoi(stem.substr(stem.find("spectrum_") + 9));
    const int step_nm = stem.find("_5nm_") != std::string::npos ? 5 : 1;
    for (const auto& [key, series] : entry.items()) {
      if (key.rfind("A1_OD_by_formula", 0) != 0) continue;
      for (const auto& [nm, od] : series.items()) {
        int k = (std::stoi(nm) - first_nm) / step_nm;
        INFO("A1 at " << nm << " nm");
        CHECK(table->od(k, 0) == Approx(od.get<double>()).margin(0.00006));
      }
    }
    ++sets;
  }
  CHECK(sets == 6);
}

TEST_CASE("final data frames of the live traces decode to the report's per-well ODs") {
  for (const char* name : {"abs_endpoint_96w_600nm_point_10flashes_2026-03-09_1833.json",
                           "abs_kinetic_3x60s_col1_600nm_point_5flashes_2026-03-09_1501.json"}) {
    INFO(name);
    auto trace = read_json(clariostar_fixture(std::string("trace_extracts/") + name));
    auto payload = decode_frame(from_hex(trace["final_data_frame"]["hex"].get<std::string>()));
    REQUIRE(payload.is_ok());
    std::vector<Bytes> pages{*payload};
    auto table = decode_absorbance(pages, 1);
    REQUIRE(table.is_ok());
    const auto& ods = trace["decoded"]["od_by_formula"]["600"];
    REQUIRE(table->wells == static_cast<int>(ods.size()));
    for (int w = 0; w < table->wells; ++w) {
      INFO("well index " << w);
      CHECK(table->od(0, w) == Approx(ods[static_cast<std::size_t>(w)].get<double>()).margin(0.00006));
    }
  }
}

TEST_CASE("a status frame sent in reply to a data request is recognised, not decoded as data") {
  // 0x01 status frame answering GET_DATA after RUN, from the live trace (sub-state 0xD5).
  auto payload = decode_frame(from_hex("0200180c013504260000d50000000000000000c000021b0d"));
  REQUIRE(payload.is_ok());
  auto header = decode_absorbance_header(*payload);
  REQUIRE_FALSE(header.is_ok());
  CHECK(header.status().code() == StatusCode::busy);
  auto status = decode_status(*payload);
  REQUIRE(status.is_ok());
  CHECK(status->busy());
  CHECK(status->running());
}

TEST_CASE("status replies decode busy, drawer, plate and temperature bits") {
  auto idle = decode_status(*decode_frame(from_hex("0200180c010546260000000000000000000000c00001580d")));
  REQUIRE(idle.is_ok());
  CHECK_FALSE(idle->busy());
  CHECK_FALSE(idle->drawer_open());
  CHECK(idle->plate_detected());
  CHECK_FALSE(idle->bottom_C.has_value());
  for (const auto& file : assay_test::fixtures_in("extracted/synthetic_status", ".frame.bin")) {
    auto payload = decode_frame(read_bytes(file));
    REQUIRE(payload.is_ok());
    auto status = decode_status(*payload);
    REQUIRE(status.is_ok());
    const std::string name = file.filename().string();
    INFO(name);
    if (name.rfind("status_busy", 0) == 0) CHECK(status->busy());
    if (name.rfind("status_idle", 0) == 0) CHECK_FALSE(status->busy());
    if (name.rfind("status_drawer_open", 0) == 0) CHECK(status->drawer_open());
    if (name.rfind("status_plate", 0) == 0) CHECK(status->plate_detected());
  }
}

TEST_CASE("firmware and EEPROM replies identify the real instrument 430-2621 firmware 1.35") {
  auto firmware = decode_firmware_info(
      *decode_frame(read_bytes(clariostar_fixture("extracted/device_info/firmware_info_response.frame.bin"))));
  REQUIRE(firmware.is_ok());
  CHECK(firmware->version == "1.35");
  CHECK(firmware->build == "Nov 20 2020 11:51:21");
  auto eeprom = decode_eeprom(*decode_frame(read_bytes(clariostar_fixture("extracted/device_info/eeprom_response.frame.bin"))));
  REQUIRE(eeprom.is_ok());
  CHECK(eeprom->serial == "430-2621");
  CHECK(eeprom->firmware_x1000 == 1350);
  CHECK(eeprom->has_absorbance);
  CHECK(eeprom->has_fluorescence);
}
