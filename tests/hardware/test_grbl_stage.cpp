// The GRBL stage driver against a simulated GRBL controller on a pseudo-terminal.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

#include "grbl_simulator.hpp"
#include "stage/grbl_protocol.hpp"
#include "stage/grbl_stage.hpp"

using namespace assay::drivers;
using SteadyClock = std::chrono::steady_clock;  // the simulator on the pty runs in real time

namespace {

GrblSettings settings_for(const GrblSimulator& sim) {
  GrblSettings s;
  s.port = sim.slave_path();
  s.limits = {{0.0, 100.0}, {0.0, 80.0}, {0.0, 5000.0}};
  s.connect_timeout_ms = 1000;
  s.command_timeout_ms = 300;
  s.move_timeout_ms = 2000;
  s.homing_timeout_ms = 2000;
  s.poll_interval_ms = 10;
  return s;
}

bool received(const GrblSimulator& sim, const std::string& prefix) {
  auto lines = sim.lines();
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
}

double elapsed_s(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace

TEST_CASE("GRBL stage refuses moves until homed, then homes to machine zero") {
  GrblSimulator sim;
  GrblStage stage(settings_for(sim));
  REQUIRE(stage.connect().is_ok());
  CHECK_FALSE(stage.is_homed());
  auto refused = stage.move_to({10.0, 10.0, {}}, {});
  CHECK(refused.code() == StatusCode::device_error);
  CHECK_THAT(refused.message(), Catch::Contains("not homed"));
  REQUIRE(stage.home({}).is_ok());
  CHECK(stage.is_homed());
  CHECK(received(sim, "$H"));
  auto at = stage.position();
  REQUIRE(at.is_ok());
  CHECK(at->x_mm == Approx(0.0));
  CHECK(stage.describe()["homed"] == true);
}

TEST_CASE("GRBL stage moves absolutely and reads the position back") {
  GrblSimulator sim;
  GrblStage stage(settings_for(sim));
  REQUIRE(stage.connect().is_ok());
  REQUIRE(stage.home({}).is_ok());
  REQUIRE(stage.move_to({12.5, 40.25, 1500.0}, {}).is_ok());
  CHECK(received(sim, "G90 G0 X12.5000 Y40.2500 Z1.5000"));
  auto at = stage.position();
  REQUIRE(at.is_ok());
  CHECK(at->x_mm == Approx(12.5));
  CHECK(at->y_mm == Approx(40.25));
  CHECK(at->z_um == Approx(1500.0));
  REQUIRE(stage.move_to({{}, {}, 250.0}, {}).is_ok());  // z only: x and y stay
  at = stage.position();
  CHECK(at->x_mm == Approx(12.5));
  CHECK(at->z_um == Approx(250.0));
}

TEST_CASE("GRBL stage refuses a target outside the soft limits before sending it") {
  GrblSimulator sim;
  GrblStage stage(settings_for(sim));
  REQUIRE(stage.connect().is_ok());
  REQUIRE(stage.home({}).is_ok());
  auto status = stage.move_to({130.0, 10.0, {}}, {});
  CHECK(status.code() == StatusCode::invalid_argument);
  CHECK_THAT(status.message(),
             Catch::Contains("x 130.000 mm is outside the soft limits 0.000-100.000 mm"));
  status = stage.move_to({10.0, 10.0, 6000.0}, {});
  CHECK_THAT(status.message(), Catch::Contains("stage.limits.z_um"));
  CHECK_FALSE(received(sim, "G90 G0"));
}

TEST_CASE("GRBL stage reports a silent controller as a timeout, not a hang") {
  GrblSimulator sim;
  GrblStage stage(settings_for(sim));
  REQUIRE(stage.connect().is_ok());
  REQUIRE(stage.home({}).is_ok());
  sim.set_silent(true);
  auto start = SteadyClock::now();
  auto status = stage.move_to({5.0, 5.0, {}}, {});
  CHECK(status.code() == StatusCode::timeout);
  CHECK_THAT(status.message(), Catch::Contains("did not acknowledge 'G90 G0 X5.0000 Y5.0000'"));
  CHECK(elapsed_s(start) < 1.5);
}

TEST_CASE("GRBL stage finds no controller on a silent port within the connect timeout") {
  GrblSimulator sim;
  sim.set_silent(true);
  auto settings = settings_for(sim);
  settings.connect_timeout_ms = 400;
  GrblStage stage(settings);
  auto start = SteadyClock::now();
  auto status = stage.connect();
  CHECK(status.code() == StatusCode::timeout);
  CHECK_THAT(status.message(), Catch::Contains("no GRBL controller answered on " + sim.slave_path()));
  CHECK(elapsed_s(start) < 1.5);
}

TEST_CASE("GRBL stage reports an error reply with its meaning") {
  GrblSimulator sim;  // starts in Alarm; a stage configured not to require homing still moves
  auto settings = settings_for(sim);
  settings.homing_required = false;
  GrblStage stage(settings);
  REQUIRE(stage.connect().is_ok());
  auto status = stage.move_to({5.0, 5.0, {}}, {});
  CHECK(status.code() == StatusCode::device_error);
  CHECK_THAT(status.message(), Catch::Contains("refused 'G90 G0 X5.0000 Y5.0000'") &&
                                   Catch::Contains("home the stage ($H) first"));
}

TEST_CASE("GRBL alarm during a move fails it and marks the stage not homed") {
  GrblSimulator sim;
  GrblStage stage(settings_for(sim));
  REQUIRE(stage.connect().is_ok());
  REQUIRE(stage.home({}).is_ok());
  sim.alarm_on_next_move(1);
  auto status = stage.move_to({50.0, 50.0, {}}, {});
  CHECK(status.code() == StatusCode::device_error);
  CHECK_THAT(status.message(), Catch::Contains("alarm"));
  CHECK_FALSE(stage.is_homed());
  CHECK(stage.move_to({1.0, 1.0, {}}, {}).code() == StatusCode::device_error);
}

TEST_CASE("a stop request halts a GRBL move with feed hold and reset, keeping position") {
  GrblSimulator sim;
  sim.set_move_ms(3000);
  GrblStage stage(settings_for(sim));
  REQUIRE(stage.connect().is_ok());
  REQUIRE(stage.home({}).is_ok());
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop.request_stop();
  });
  auto start = SteadyClock::now();
  auto status = stage.move_to({90.0, 0.0, {}}, stop.get_token());
  stopper.join();
  CHECK(status.code() == StatusCode::cancelled);
  CHECK(elapsed_s(start) < 1.5);
  CHECK(sim.realtime() == std::string("!\x18"));
  CHECK(sim.state() == "Idle");  // a reset after a completed hold raises no alarm
}

TEST_CASE("a GRBL port that vanishes turns into a disconnected error") {
  GrblSimulator sim;
  GrblStage stage(settings_for(sim));
  REQUIRE(stage.connect().is_ok());
  sim.vanish();
  auto at = stage.position();
  REQUIRE_FALSE(at.is_ok());
  CHECK(at.status().code() == StatusCode::disconnected);
}

TEST_CASE("a missing serial device is reported as not found") {
  GrblSettings settings;
  settings.port = "/dev/ttyUSB-assay-missing";
  GrblStage stage(settings);
  auto status = stage.connect();
  CHECK(status.code() == StatusCode::not_found);
  CHECK_THAT(status.message(), Catch::Contains("/dev/ttyUSB-assay-missing does not exist"));
}

TEST_CASE("GRBL status reports parse machine position, work offsets and sub-states") {
  auto idle = grbl::parse_status_report("<Idle|MPos:1.000,-2.500,0.125|FS:0,0>");
  REQUIRE(idle);
  CHECK(idle->state == "Idle");
  CHECK((*idle->machine_mm)[1] == Approx(-2.5));
  auto hold = grbl::parse_status_report("<Hold:0|WPos:1.0,2.0,3.0|WCO:10.0,0.0,-1.0>");
  REQUIRE(hold);
  CHECK(hold->state == "Hold");
  CHECK(hold->sub_state == 0);
  CHECK((*hold->work_offset_mm)[2] == Approx(-1.0));
  CHECK_FALSE(grbl::parse_status_report("<Idle|MPos:1.0,2.0>"));
  CHECK_FALSE(grbl::parse_status_report("Idle|MPos:1,2,3"));
  CHECK(grbl::parse_error_code("error:9") == 9);
  CHECK(grbl::parse_alarm_code("ALARM:1") == 1);
  CHECK_FALSE(grbl::parse_error_code("error:x"));
}

TEST_CASE("GRBL stage settings name the key at fault") {
  nlohmann::json settings = {{"port", "/dev/ttyUSB0"}, {"limits", {{"x_mm", {100, 0}}}}};
  auto parsed = GrblSettings::from_json(settings, "instruments.scope.stage");
  REQUIRE_FALSE(parsed.is_ok());
  CHECK(parsed.status().message() == "instruments.scope.stage.limits.x_mm: min must be below max");
  parsed = GrblSettings::from_json({{"baud", 115200}}, "stage");
  CHECK_THAT(parsed.status().message(), Catch::Contains("stage.port: is required"));
  parsed = GrblSettings::from_json({{"port", "/dev/ttyACM0"}, {"speed", 3}}, "stage");
  CHECK_THAT(parsed.status().message(), Catch::Contains("stage.speed: unknown setting"));
  auto stage = make_stage({{"controller", "prior"}, {"port", "/dev/ttyUSB0"}}, "stage");
  CHECK(stage.status().code() == StatusCode::unsupported);
}
