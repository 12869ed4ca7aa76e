#include <catch2/catch.hpp>

#include "assay/protocols/job_spec.hpp"

using assay::protocols::JobSpec;
using assay::protocols::JobSpecError;
using nlohmann::json;

namespace {

json job_with_layout(json layout, std::string format = "96") {
  return {{"protocol", "plate_read"},
          {"instrument", "sim-reader"},
          {"plate", {{"format", format}, {"barcode", "P1"}}},
          {"layout", std::move(layout)}};
}

std::string error_of(const json& job) {
  try {
    JobSpec::from_json(job);
  } catch (const JobSpecError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a well range expands row by row and a dilution series descends") {
  auto spec = JobSpec::from_json(job_with_layout(json::array(
      {{{"wells", "A1:B3"}, {"compound", "X"}, {"dilution", {{"top_nM", 900}, {"factor", 3}}}}})));
  const auto& wells = spec.layout.wells();
  REQUIRE(wells.size() == 6);
  CHECK(wells[0].well == "A1");
  CHECK(wells[2].well == "A3");
  CHECK(wells[3].well == "B1");
  CHECK(wells[0].conc_nM == Approx(900));
  CHECK(wells[1].conc_nM == Approx(300));
  CHECK(wells[5].conc_nM == Approx(900 / 243.0));
}

TEST_CASE("a well outside the plate is named in the error") {
  auto message = error_of(job_with_layout(json::array({{{"wells", {"A1", "I1"}}}})));
  CHECK(message.find("layout[0].wells[1]") != std::string::npos);
  CHECK(message.find("'I1' is not a well of a 96-well plate") != std::string::npos);
}

TEST_CASE("1536-well plates take two-letter rows") {
  auto spec = JobSpec::from_json(job_with_layout(json::array({{{"wells", "AF48"}}}), "1536"));
  CHECK(spec.layout.wells().at(0).position.row == 31);
  CHECK(spec.layout.wells().at(0).position.column == 47);
}

TEST_CASE("a well assigned twice is refused with both entries named") {
  auto message = error_of(job_with_layout(json::array({{{"wells", "A1:A3"}}, {{"wells", "A2"}}})));
  CHECK(message.find("layout[1].wells") != std::string::npos);
  CHECK(message.find("already assigned by layout[0]") != std::string::npos);
}

TEST_CASE("negative controls default to unstimulated and unknown roles are refused") {
  auto spec = JobSpec::from_json(
      job_with_layout(json::array({{{"wells", "H1"}, {"role", "negative_control"}}})));
  CHECK_FALSE(spec.layout.wells().at(0).stimulated);
  auto message = error_of(job_with_layout(json::array({{{"wells", "A1"}, {"role", "ctrl"}}})));
  CHECK(message.find("layout[0].role") != std::string::npos);
}

TEST_CASE("missing and mistyped job fields are named") {
  CHECK(error_of(json{{"instrument", "x"}}).find("protocol: is missing") == 0);
  auto job = job_with_layout(json::array());
  job["plate"]["format"] = "97";
  CHECK(error_of(job).find("plate.format: '97' is not a plate format") == 0);
  job = job_with_layout(json::array({{{"wells", "A1:A2"}, {"conc_nM", {1, 2, 3}}}}));
  CHECK(error_of(job).find("has 3 values for 2 wells") != std::string::npos);
}

TEST_CASE("a dilution's replicates must be a whole number of at least 1") {
  auto with_replicates = [](json replicates) {
    return job_with_layout(json::array({{{"wells", "A1:A8"}, {"compound", "x"},
                                         {"dilution", {{"top_nM", 1000}, {"factor", 3}, {"replicates", replicates}}}}}));
  };
  CHECK(error_of(with_replicates(0)).find("dilution.replicates") != std::string::npos);
  CHECK(error_of(with_replicates(2.5)).find("whole number") != std::string::npos);
  CHECK(error_of(with_replicates(1e300)).find("dilution.replicates") != std::string::npos);  // once UB (fuzz_job_spec)
  CHECK(error_of(with_replicates(2)).empty());
}
