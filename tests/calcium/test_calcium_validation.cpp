#include <catch2/catch.hpp>

#include "assay/drivers/sim/sim_plate_reader.hpp"
#include "assay/protocols/calcium/protocol.hpp"
#include "assay/protocols/job_spec.hpp"
#include "calcium/calcium_jobs.hpp"
#include "support/memory_run_context.hpp"

using namespace assay;
using nlohmann::json;

namespace {

std::string validation_error(const json& job_json) {
  try {
    auto job = protocols::JobSpec::from_json(job_json);
    protocols::calcium::CalciumFluxProtocol().validate(job);
  } catch (const protocols::ProtocolError& e) {
    CHECK(e.code() == "invalid_params");
    return e.what();
  } catch (const protocols::JobSpecError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the example 384-well job validates") {
  CHECK(validation_error(testing::calcium_job_384()) == "");
}

TEST_CASE("an injection after the end of the read is refused before the instrument moves") {
  auto job = testing::calcium_job_384();
  job["params"]["injection"]["time_s"] = 130;
  job["params"]["duration_s"] = 120;
  auto message = validation_error(job);
  CHECK_THAT(message, Catch::Contains("params.injection.time_s"));
  CHECK_THAT(message, Catch::Contains("after the end") || Catch::Contains("not before the end"));
}

TEST_CASE("a read without a baseline is refused") {
  auto job = testing::calcium_job_384();
  job["params"]["baseline_s"] = 0;
  CHECK_THAT(validation_error(job), Catch::Contains("params.baseline_s"));
  job = testing::calcium_job_384();
  job["params"]["injection"]["time_s"] = 1.0;
  CHECK_THAT(validation_error(job), Catch::Contains("leaves no baseline"));
}

TEST_CASE("a layout well the plate does not have is named") {
  auto job = testing::calcium_job_384();
  job["layout"].push_back({{"wells", "Q1"}, {"role", "blank"}});
  CHECK_THAT(validation_error(job), Catch::Contains("'Q1' is not a well of a 384-well plate"));
  job = testing::calcium_job_384();
  job["params"]["wells"] = {"A1", "Z99"};
  CHECK_THAT(validation_error(job), Catch::Contains("params.wells[1]: 'Z99'"));
}

TEST_CASE("a series without positive or negative controls is refused") {
  auto job = testing::calcium_job_384();
  job["layout"].erase(0);  // the positive controls
  CHECK_THAT(validation_error(job), Catch::Contains("positive_control") &&
                                        Catch::Contains("balixafortide"));
  job = testing::calcium_job_384();
  job["layout"].erase(1);  // the negative controls
  CHECK_THAT(validation_error(job), Catch::Contains("negative_control"));
  job["params"]["analysis"] = {{"normalisation", "none"}};
  CHECK(validation_error(job) == "");
}

TEST_CASE("a series with too few concentrations, unknown parameters and a skipped control are refused") {
  auto job = testing::calcium_job_384();
  job["layout"].push_back({{"wells", "A1"}, {"compound", "lonely"}, {"conc_nM", 3}});
  job["layout"][0]["wells"] = "B1:P2";
  CHECK_THAT(validation_error(job), Catch::Contains("'lonely' has 1 concentration"));
  job = testing::calcium_job_384();
  job["params"]["interval"] = 1;
  CHECK_THAT(validation_error(job), Catch::Contains("params.interval: unknown key; did you mean `interval_s`?"));
  job = testing::calcium_job_384();
  job["params"]["analysis"] = {{"metric", "peak"}};
  CHECK_THAT(validation_error(job), Catch::Contains("params.analysis.metric"));
  job = testing::calcium_job_384();
  job["params"]["wells"] = {"A3", "A4"};
  CHECK_THAT(validation_error(job), Catch::Contains("layout well A1 (positive_control) would not be read"));
}

TEST_CASE("an interval below the reader's minimum fails before any reading") {
  auto parsed = drivers::sim::SimPlateReaderSettings::from_json({{"time_scale", 0.0}, {"seed", 42}});
  drivers::sim::SimPlateReader reader("sim-reader", parsed.value());
  REQUIRE(reader.connect().is_ok());
  auto job_json = testing::calcium_job_384();
  job_json["params"]["interval_s"] = 0.05;
  auto job = protocols::JobSpec::from_json(job_json);
  testing::MemoryRunContext ctx(reader);
  try {
    ctx.run(protocols::calcium::CalciumFluxProtocol(), job);
    FAIL("no error");
  } catch (const protocols::ProtocolError& e) {
    CHECK(e.code() == "invalid_params");
    CHECK_THAT(std::string(e.what()), Catch::Contains("params.interval_s") && Catch::Contains("minimum"));
  }
  CHECK(ctx.stored.empty());
}

TEST_CASE("a stop request ends the run as cancelled with the delivered cycles stored") {
  auto parsed = drivers::sim::SimPlateReaderSettings::from_json({{"time_scale", 0.0}, {"seed", 42}});
  drivers::sim::SimPlateReader reader("sim-reader", parsed.value());
  REQUIRE(reader.connect().is_ok());
  auto job = protocols::JobSpec::from_json(testing::calcium_job_384());
  testing::MemoryRunContext ctx(reader);
  ctx.stop_after_pages = 3;
  try {
    ctx.run(protocols::calcium::CalciumFluxProtocol(), job);
    FAIL("no error");
  } catch (const protocols::ProtocolError& e) {
    CHECK(e.code() == "cancelled");
  }
  CHECK(ctx.stored.size() == 3 * 384);
}
