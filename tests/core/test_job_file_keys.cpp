// A job file's every key is checked: a misspelt one is refused with its JSON path and the
// nearest valid name, never ignored (issue 14, items 3 and 4).
#include <catch2/catch.hpp>

#include <functional>

#include "assay/protocols/job_spec.hpp"
#include "assay/protocols/key_names.hpp"
#include "assay/protocols/params_reader.hpp"

using assay::protocols::JobSpec;
using assay::protocols::JobSpecError;
using nlohmann::json;

namespace {

json cfu_job() {
  return {{"protocol", "cfu"},
          {"instrument", "sim-imager"},
          {"plate", {{"format", "dish-6"}, {"barcode", "CFU-1"}}},
          {"layout", json::array({{{"wells", "A1:A3"}, {"sample", "donor 12"}, {"cells_plated", 10000}},
                                  {{"wells", "B1"}, {"role", "positive_control"}, {"compound", "X"},
                                   {"dilution", {{"top_nM", 100}, {"factor", 3}}}}})}};
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

TEST_CASE("the nearest known name is suggested for a typo, none for a stranger") {
  const std::vector<std::string> known{"wells", "role", "sample", "cells_plated"};
  CHECK(assay::protocols::nearest_name("rol", known) == "role");
  CHECK(assay::protocols::nearest_name("cells_plate", known) == "cells_plated");
  CHECK(assay::protocols::nearest_name("Wells", known) == "wells");
  CHECK(assay::protocols::nearest_name("rloe", known) == "role");
  CHECK(assay::protocols::nearest_name("concentration", known).empty());
}

TEST_CASE("the example job is accepted as it is") { CHECK(error_of(cfu_job()).empty()); }

TEST_CASE("an unknown key anywhere in a job file is refused with its path and the nearest name") {
  struct Case {
    std::function<void(json&)> spoil;
    std::string expected;
  };
  const std::vector<Case> cases{
      {[](json& j) { j["layout"][1]["rol"] = j["layout"][1]["role"]; j["layout"][1].erase("role"); },
       "layout[1].rol: unknown key; did you mean `role`?"},
      {[](json& j) { j["layout"][0]["cells_plate"] = 5; }, "layout[0].cells_plate: unknown key; did you mean `cells_plated`?"},
      {[](json& j) { j["simulaton"] = json::object(); }, "simulaton: unknown key; did you mean `simulation`?"},
      {[](json& j) { j["plate"]["barcod"] = "X"; }, "plate.barcod: unknown key; did you mean `barcode`?"},
      {[](json& j) { j["layout"][1]["dilution"]["replicate"] = 2; },
       "layout[1].dilution.replicate: unknown key; did you mean `replicates`?"},
      {[](json& j) { j["simulation"] = {{"compounds", {{"X", {{"true_ic50_nm", 5}}}}}}; },
       "simulation.compounds.X.true_ic50_nm: unknown key; did you mean `true_ic50_nM`?"},
      {[](json& j) { j["simulation"] = {{"colonies_per_wel", 5}}; },
       "simulation.colonies_per_wel: unknown key; did you mean `colonies_per_well`?"},
  };
  for (const auto& c : cases) {
    auto job = cfu_job();
    c.spoil(job);
    CAPTURE(job.dump());
    CHECK_THAT(error_of(job), Catch::StartsWith(c.expected));
  }
}

TEST_CASE("cells_plated must be a sane positive number, checked with its path") {
  for (double bad : {-5.0, 0.0, 1.8446744073709552e19, 2e10}) {
    auto job = cfu_job();
    job["layout"][0]["cells_plated"] = bad;
    CAPTURE(bad);
    CHECK_THAT(error_of(job), Catch::StartsWith("layout[0].cells_plated: must be a number of cells above 0"));
  }
  auto job = cfu_job();
  job["layout"][0]["cells_plated"] = 1e10;
  CHECK(error_of(job).empty());
}

TEST_CASE("simulation values of the wrong type or range are refused at parse") {
  auto job = cfu_job();
  job["simulation"] = {{"true_ic50_nM", -1}};
  CHECK_THAT(error_of(job), Catch::StartsWith("simulation.true_ic50_nM: must be a concentration"));
  job["simulation"] = {{"plating_efficiency", 2}};
  CHECK_THAT(error_of(job), Catch::StartsWith("simulation.plating_efficiency: must be a fraction"));
  job["simulation"] = {{"artefact_wells", "B3"}};
  CHECK_THAT(error_of(job), Catch::StartsWith("simulation.artefact_wells: must be a list"));
}

TEST_CASE("a misspelt protocol parameter names the nearest parameter") {
  assay::protocols::ParamsReader reader(json{{"tilling", "auto"}}, "params");
  try {
    reader.only_keys({"polarity", "tiling", "autofocus"});
    FAIL("accepted");
  } catch (const assay::protocols::ProtocolError& e) {
    CHECK_THAT(std::string(e.what()), Catch::StartsWith("params.tilling: unknown key; did you mean `tiling`?"));
  }
}
