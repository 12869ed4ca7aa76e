// Jobs through the real assayd and assayctl on Aravis' fake GigE Vision camera with a simulated
// GRBL stage: a CFU job and an imaging chemotaxis job end to end (images and results stored; the
// fake camera's pattern is no sample, so the counts are not checked), and a camera killed
// mid-job failing the job clearly within the grab timeout while the daemon serves on and the
// next job reopens the camera.
#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include "fake_gige_camera.hpp"
#include "hardware/grbl_simulator.hpp"
#include "support/command.hpp"
#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::example_job;
using nlohmann::json;

namespace {

std::string genicam_config(const FakeGigeCamera& camera, const GrblSimulator& stage) {
  return assay::testing::readers_only_config(0.0) + R"(
[[instrument]]
name = "gige-scope"
driver = "genicam"
[instrument.settings]
plate_origin_mm = [0.0, 0.0]
[instrument.settings.camera]
serial = ")" + camera.serial() + R"("
width_px = 256
height_px = 256
pixel_size_um = 40.0
grab_timeout_ms = 1000
gain_unit = "factor"                # the fake camera's Gain is a linear factor (0-10)
[instrument.settings.stage]
controller = "grbl"
port = ")" + stage.slave_path() + R"("
has_z = false
poll_interval_ms = 5
limits = { x_mm = [0.0, 200.0], y_mm = [0.0, 150.0] }
)";
}

struct GenicamDaemon {
  FakeGigeCamera camera;
  GrblSimulator stage;
  DaemonHarness daemon;
  explicit GenicamDaemon(const std::string& serial)
      : camera(serial), stage(), daemon(options(camera, stage)) {}
  static assay::testing::HarnessOptions options(const FakeGigeCamera& camera, GrblSimulator& stage) {
    stage.set_move_ms(5);
    assay::testing::HarnessOptions out;
    out.config_toml = genicam_config(camera, stage);
    return out;
  }
};

json on_gige_scope(json job) {
  job["instrument"] = "gige-scope";
  job.erase("simulation");
  return job;
}

std::int64_t images_of(const DaemonHarness& daemon, const std::string& job_id) {
  return daemon.query_int("SELECT COUNT(*) FROM images WHERE job_id = '" + job_id + "'");
}

}  // namespace

TEST_CASE("a CFU job runs on the GigE camera through assayd and assayctl") {
  GenicamDaemon scope("GC21");
  auto job = on_gige_scope(example_job("cfu_dish6.json"));
  job["layout"] = json::array({{{"wells", "A1:A2"}, {"role", "sample"}, {"sample", "mPB donor 12"}, {"cells_plated", 10000}}});
  job["params"]["autofocus"] = false;
  job["params"]["exposure_ms"] = 0.3;
  auto job_file = scope.daemon.state_dir() / "cfu_gige.json";
  std::ofstream(job_file) << job.dump();
  const std::string ctl = scope.daemon.ctl_options();
  auto submitted = assay::testing::run_assayctl(ctl + "submit " + job_file.string() + " --watch", false);
  INFO(submitted.out);
  REQUIRE(submitted.exit_code == 0);
  const std::string id = submitted.out.substr(0, submitted.out.find('\n'));
  CHECK(images_of(scope.daemon, id) >= 2);
  auto fields = scope.daemon.query_int("SELECT COUNT(*) FROM images WHERE job_id = '" + id +
                                       "' AND kind = 'colony_field' AND width = 256 AND height = 256 "
                                       "AND ABS(exposure_ms - 0.3) < 1e-6 AND ABS(pixel_size_um - 40.0) < 1e-9");
  CHECK(fields >= 2);
  auto images = assay::testing::run_assayctl(ctl + "images " + id, false);
  CHECK(images.exit_code == 0);
  CHECK_THAT(images.out, Catch::Contains("colony_field"));
  auto results = scope.daemon.call("results.get", {{"job_id", id}});
  for (const char* well : {"A1", "A2"}) {
    const auto* row = assay::testing::find_result_row(results["rows"], "well", well);
    REQUIRE(row != nullptr);
    CHECK((*row)["value"].contains("count"));
  }
}

TEST_CASE("an imaging chemotaxis job runs on the GigE camera through assayd") {
  GenicamDaemon scope("GC22");
  auto job = on_gige_scope(example_job("chemotaxis_imaging.json"));
  job["params"]["fields"] = json::array({json::array({0, 0})});
  job["params"]["pixel_size_um"] = 40.0;
  auto id = scope.daemon.submit(job);
  auto done = scope.daemon.wait_for_state(id, "succeeded", std::chrono::seconds(120));
  INFO(done.dump());
  REQUIRE(done["state"] == "succeeded");
  CHECK(images_of(scope.daemon, id) == 24);  // one field in each of the 24 transwells
  auto results = scope.daemon.call("results.get", {{"job_id", id}});
  CHECK(results["rows"].size() >= 24);
}

TEST_CASE("a GigE camera killed mid-job fails the job within the grab timeout, the daemon serves on and reopens it") {
  GenicamDaemon scope("GC23");
  auto& daemon = scope.daemon;
  auto job = on_gige_scope(example_job("demo_image_wells.json"));
  job["plate"]["format"] = "96";
  job["layout"] = json::array({{{"wells", "A1:H12"}, {"role", "sample"}}});
  job["params"]["exposure_ms"] = 0.3;
  auto id = daemon.submit(job);
  // Kill the camera once the job has stored a few images.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (images_of(daemon, id) < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(images_of(daemon, id) >= 3);
  scope.camera.kill();
  auto killed_at = std::chrono::steady_clock::now();
  auto failed = daemon.wait_for_state(id, "failed", std::chrono::seconds(20));
  double took_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  INFO(failed.dump());
  REQUIRE(failed["state"] == "failed");
  const std::string error = failed["error"].dump();
  CHECK_THAT(error, Catch::Contains("Aravis Fake serial GC23"));
  CHECK_THAT(error, Catch::Contains("imaging well"));
  // The grab timeout (1 s) and its margin, a stage move, the job bookkeeping and polling.
  CHECK(took_s < 3.0);
  CHECK(images_of(daemon, id) < 96);

  // The daemon serves on: it answers, and the instrument says what happened.
  CHECK(daemon.request("ping")["ok"] == true);
  auto instruments = daemon.call("instruments.list")["instruments"];
  json scope_state;
  for (const auto& instrument : instruments) {
    if (instrument["name"] == "gige-scope") scope_state = instrument;
  }
  INFO(scope_state.dump());
  CHECK(scope_state["state"] == "offline");

  // The camera is back: the next job opens it again and succeeds.
  scope.camera.start();
  auto small = on_gige_scope(example_job("demo_image_wells.json"));
  small["params"]["exposure_ms"] = 0.3;
  auto next = daemon.submit(small);
  auto ok = daemon.wait_for_state(next, "succeeded", std::chrono::seconds(30));
  INFO(ok.dump());
  CHECK(ok["state"] == "succeeded");
  CHECK(images_of(daemon, next) == 2);
}
