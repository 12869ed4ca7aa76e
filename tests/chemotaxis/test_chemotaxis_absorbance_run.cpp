#include <catch2/catch.hpp>

#include <fstream>

#include "assay/protocols/chemotaxis/protocol.hpp"
#include "support/memory_run_context.hpp"
#include "plates.hpp"

using namespace assay::protocols;
using nlohmann::json;

namespace {

const json kReaderSettings{{"time_scale", 0.0}, {"seed", 42}, {"migration_ic50_nM", 12.0}};

const ResultRow& row(const AssayResult& result, const std::string& kind, const std::string& key) {
  for (const auto& r : result.rows) {
    if (r.kind == kind && r.key == key) return r;
  }
  FAIL("no " << kind << " row " << key);
  throw std::logic_error("unreachable");
}

JobSpec absorbance_job(double true_ic50_nM, json params = json::object()) {
  auto job = chemotaxis_test::transwell_job(std::move(params));
  job["simulation"] = {{"compounds", {{"balixafortide", {{"migration_ic50_nM", true_ic50_nM}}}}}};
  return JobSpec::from_json(job);
}

}  // namespace

TEST_CASE("absorbance run on the simulated reader recovers the true IC50 and chemotactic index") {
  for (double true_ic50 : {8.0, 40.0}) {
    CAPTURE(true_ic50);
    assay::testing::MemoryRunContext ctx(
        assay::testing::make_builtin_instrument("sim-plate-reader", "sim-reader", kReaderSettings));
    auto spec = absorbance_job(true_ic50);
    chemotaxis::ChemotaxisProtocol protocol;
    protocol.validate(spec);
    auto result = ctx.run(protocol, spec);

    CHECK(ctx.stored.size() == 24);  // every well of the layout, read once
    const auto& series = row(result, "series", "balixafortide").value;
    REQUIRE(series["ic50_nM"].is_number());
    auto ci = series["ic50_ci_nM"];
    CAPTURE(series["ic50_nM"], ci);
    CHECK(ci[0].get<double>() <= true_ic50);
    CHECK(ci[1].get<double>() >= true_ic50);
    CHECK(series["ic50_nM"].get<double>() == Approx(true_ic50).epsilon(0.35));

    // The simulator's chemotactic index is 4.5 (stimulated / unstimulated migration).
    double index = result.summary["chemotactic_index"].get<double>();
    CHECK(index == Approx(4.5).epsilon(0.15));
    CHECK(result.summary["chemotactic_index_ok"].get<bool>());
    CHECK(result.summary["qc_pass"].get<bool>());
    CHECK(result.summary["ic50"]["balixafortide"]["ic50_nM"].is_number());

    const auto& qc = row(result, "qc", "plate").value;
    CHECK(qc["blank"]["n"] == 2);
    CHECK(qc["blank"]["mean_od"].get<double>() == Approx(0.045).epsilon(0.2));
    CHECK(qc["z_prime"].get<double>() > 0.5);

    const auto& vehicle = row(result, "condition", "positive_control").value;
    CHECK(vehicle["migration_percent"].get<double>() == Approx(100.0));
    CHECK(vehicle["n"] == 3);
    const auto& a1 = row(result, "well", "A1").value;
    CHECK(a1["corrected_od"].get<double>() == Approx(a1["od"].get<double>() - qc["blank"]["mean_od"].get<double>()));

    REQUIRE(result.figures.size() == 1);
    CHECK(result.figures[0].filename() == "dose_response.svg");
    std::ifstream svg(result.figures[0]);
    std::string text((std::istreambuf_iterator<char>(svg)), {});
    CHECK(text.find("<svg") != std::string::npos);
    CHECK(text.find("balixafortide") != std::string::npos);
    CHECK(ctx.progress_values.back() == 1.0);
  }
}

TEST_CASE("an absorbance run resumed after an interruption does not read stored wells again") {
  assay::testing::MemoryRunContext first(
      assay::testing::make_builtin_instrument("sim-plate-reader", "sim-reader", kReaderSettings));
  auto spec = absorbance_job(12.0);
  chemotaxis::ChemotaxisProtocol protocol;
  auto whole = first.run(protocol, spec);

  assay::testing::MemoryRunContext resumed(
      assay::testing::make_builtin_instrument("sim-plate-reader", "sim-reader", kReaderSettings));
  resumed.earlier.assign(first.stored.begin(), first.stored.begin() + 10);
  auto again = resumed.run(protocol, spec);
  CHECK(resumed.stored.size() == 14);  // only the wells the first attempt did not store
  CHECK(again.summary["ic50"]["balixafortide"]["ic50_nM"].get<double>() ==
        Approx(whole.summary["ic50"]["balixafortide"]["ic50_nM"].get<double>()));
}

TEST_CASE("a storage failure stops the absorbance run with the storage error") {
  assay::testing::MemoryRunContext ctx(
      assay::testing::make_builtin_instrument("sim-plate-reader", "sim-reader", kReaderSettings));
  ctx.fail_store_after = 0;
  CHECK_THROWS_WITH(ctx.run(chemotaxis::ChemotaxisProtocol(), absorbance_job(12.0)), Catch::Contains("disk full"));
}

TEST_CASE("a stopped absorbance run ends as cancelled") {
  assay::testing::MemoryRunContext ctx(
      assay::testing::make_builtin_instrument("sim-plate-reader", "sim-reader", kReaderSettings));
  ctx.stop_source.request_stop();
  try {
    ctx.run(chemotaxis::ChemotaxisProtocol(), absorbance_job(12.0));
    FAIL("a stopped run returned a result");
  } catch (const ProtocolError& e) {
    CHECK(e.code() == "cancelled");
  }
}

TEST_CASE("the imaging readout on a plate reader is refused naming both") {
  assay::testing::MemoryRunContext ctx(
      assay::testing::make_builtin_instrument("sim-plate-reader", "sim-reader", kReaderSettings));
  auto spec = chemotaxis_test::transwell_spec({{"readout", "imaging"}});
  CHECK_THROWS_WITH(ctx.run(chemotaxis::ChemotaxisProtocol(), spec),
                    Catch::Contains("needs an imager; instrument sim-reader is a plate_reader"));
}
