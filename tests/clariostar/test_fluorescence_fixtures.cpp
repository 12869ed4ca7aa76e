#include <catch2/catch.hpp>

#include "assay/drivers/clariostar/replies.hpp"
#include "fixtures.hpp"

using namespace assay::drivers;
using namespace assay::drivers::clariostar;
using assay_test::clariostar_fixture;
using assay_test::read_bytes;

namespace {
FluorescenceTable decode_fixture(const std::string& name) {
  auto payload = decode_frame(read_bytes(clariostar_fixture("extracted/fl_response/" + name + ".frame.bin")));
  REQUIRE(payload.is_ok());
  auto table = decode_fluorescence(*payload);
  INFO(name << ": " << table.status().to_string());
  REQUIRE(table.is_ok());
  return std::move(table).value();
}
}  // namespace

TEST_CASE("every real fluorescence reply decodes to the counts the fixtures state") {
  auto index = assay_test::read_json(clariostar_fixture("fixtures_index.json"));
  int checked = 0;
  for (const auto& item : index) {
    const std::string file = item["file"].get<std::string>();
    if (file.rfind("extracted/fl_response/", 0) != 0 || file.find(".hex") == std::string::npos) continue;
    const std::string name = file.substr(22, file.find(".frame") - 22);
    INFO("fixture " << name);
    FluorescenceTable t = decode_fixture(name);
    const auto& want = item["expected_raw_counts"];
    for (const auto& [key, value] : want.items()) {
      if (key == "A1" || key == "chromatic1_A1" || key == "first_position_A1") CHECK(t.count(0, 0) == value.get<std::uint32_t>());
      if (key == "A2") CHECK(t.count(0, 1) == value.get<std::uint32_t>());
      if (key == "A3") CHECK(t.count(0, 2) == value.get<std::uint32_t>());
      if (key == "A4") CHECK(t.count(0, 3) == value.get<std::uint32_t>());
      if (key == "chromatic2_A1") CHECK(t.count(1, 0) == value.get<std::uint32_t>());
      if (key == "values_total") CHECK(t.counts.size() == value.get<std::size_t>());
      if (key == "overflow_threshold") CHECK(t.overflow_counts == value.get<std::uint32_t>());
      if (key == "temperature_C") {
        if (value.is_null()) {
          CHECK_FALSE(t.temperature_C.has_value());
        } else {
          REQUIRE(t.temperature_C.has_value());
          CHECK(*t.temperature_C == Approx(value.get<double>()));
        }
      }
    }
    ++checked;
  }
  CHECK(checked == 7);
}

TEST_CASE("a 3x3 matrix fluorescence reply keeps the nine positions of its well together") {
  FluorescenceTable t = decode_fixture("FS01");
  CHECK(t.wells == 1);
  CHECK(t.positions == 9);
  CHECK(t.count(0, 0, 0) == 145u);
}

TEST_CASE("live-trace fluorescence data frames decode to the report's raw counts") {
  for (const char* name : {"fl_spiral3mm_96w_ex620_em680_focal8.5_2026-03-11_1816.json",
                           "fl_spiral4mm_96w_ex620_em680_focal5.5_2026-03-11_1818.json",
                           "fl_spiral4mm_96w_ex620_em680_focal10.5_2026-03-11_1820.json"}) {
    INFO(name);
    auto trace = assay_test::read_json(clariostar_fixture(std::string("trace_extracts/") + name));
    auto payload = decode_frame(from_hex(trace["final_data_frame"]["hex"].get<std::string>()));
    REQUIRE(payload.is_ok());
    auto table = decode_fluorescence(*payload);
    REQUIRE(table.is_ok());
    const auto& counts = trace["decoded"]["raw_counts"];
    REQUIRE(table->counts.size() == counts.size());
    for (std::size_t i = 0; i < counts.size(); ++i) CHECK(table->counts[i] == counts[i].get<std::uint32_t>());
    CHECK(table->overflow_counts == 260000u);
    CHECK(*table->temperature_C == Approx(22.3));
  }
}
