// The genicam imager against Aravis' fake GigE Vision camera on 127.0.0.1: discovery, frames of
// the requested size, exposure and format, a camera that vanishes mid-acquisition and comes back,
// and the GRBL stage with autofocus. Real Aravis, real UDP; skipped (77) without aravis-tools.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "assay/drivers/genicam/genicam_imager.hpp"
#include "fake_gige_camera.hpp"
#include "hardware/grbl_simulator.hpp"
#include "stage/grbl_stage.hpp"

using namespace assay::drivers;
using SteadyClock = std::chrono::steady_clock;

namespace {

double elapsed_s(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

LoadedPlate plate_of(int rows, int columns) {
  LoadedPlate plate;
  plate.format = rows * columns == 1 ? "dish-35mm" : "96";
  plate.geometry.rows = rows;
  plate.geometry.columns = columns;
  return plate;
}

GenicamImagerSettings settings_for(const FakeGigeCamera& camera) {
  GenicamImagerSettings settings;
  settings.camera.serial = camera.serial();
  settings.camera.width_px = 320;
  settings.camera.height_px = 240;
  settings.camera.grab_timeout_ms = 1000;
  settings.camera.gain_in_db = false;  // the fake camera's Gain is a linear factor (0-10)
  return settings;
}

}  // namespace

TEST_CASE("the fake GigE camera is found by vendor, model and serial and delivers the requested region") {
  FakeGigeCamera fake("GC11");
  auto settings = settings_for(fake);
  settings.camera.vendor = FakeGigeCamera::vendor();
  settings.camera.model = FakeGigeCamera::model();
  settings.camera.offset_x_px = 16;
  settings.camera.offset_y_px = 8;
  settings.camera.binning = 2;
  settings.camera.pixel_size_um = 3.0;
  GenicamImager imager("scope", settings, nullptr);
  REQUIRE(imager.connect().is_ok());
  CHECK(imager.state() == InstrumentState::online);
  auto described = imager.describe();
  CHECK(described["camera"] == "Aravis Fake serial GC11");
  CHECK(described["protocol"] == "GigE Vision");
  CHECK(described["frame_size_px"] == nlohmann::json({320, 240}));
  CHECK(described["region_offset_px"] == nlohmann::json({16, 8}));
  CHECK(described["binning"] == 2);
  REQUIRE(imager.load_plate(plate_of(1, 1)).is_ok());
  auto image = imager.capture({"A1"}, {});
  REQUIRE(image.is_ok());
  CHECK(image->pixels.cols == 320);
  CHECK(image->pixels.rows == 240);
  CHECK(image->pixels.type() == CV_8UC1);
  CHECK(image->pixel_size_um == Approx(6.0));  // 3 um sensor pixels, binned 2x2
  CHECK(imager.field_of_view_mm().width == Approx(320 * 6.0 / 1000.0));
}

TEST_CASE("frames are exposed as requested: the exposure is read back and the signal follows it") {
  FakeGigeCamera fake("GC12");
  GenicamImager imager("scope", settings_for(fake), nullptr);
  REQUIRE(imager.connect().is_ok());
  REQUIRE(imager.load_plate(plate_of(1, 1)).is_ok());
  FieldRequest request{"A1"};
  request.exposure_ms = 0.2;
  auto short_exposure = imager.capture(request, {});
  REQUIRE(short_exposure.is_ok());
  request.exposure_ms = 0.4;
  auto long_exposure = imager.capture(request, {});
  REQUIRE(long_exposure.is_ok());
  CHECK(short_exposure->exposure_ms == Approx(0.2));
  CHECK(long_exposure->exposure_ms == Approx(0.4));
  // The fake camera's pixel values are proportional to the exposure (below saturation).
  double ratio = cv::mean(long_exposure->pixels)[0] / cv::mean(short_exposure->pixels)[0];
  CHECK(ratio == Approx(2.0).epsilon(0.1));
  request.exposure_ms = 20000.0;
  auto refused = imager.capture(request, {});
  CHECK(refused.status().code() == StatusCode::invalid_argument);
  CHECK_THAT(refused.status().message(), Catch::Contains("exposure 20000.000000 ms is outside the range of Aravis Fake"));
  CHECK(imager.state() == InstrumentState::online);  // a bad request is not a lost camera
}

TEST_CASE("Mono16 and Bayer frames arrive as 8-bit grey and BGR frames") {
  FakeGigeCamera fake("GC13");
  for (auto [format, type] : {std::pair{"Mono16", CV_8UC1}, {"BayerRG8", CV_8UC3}, {"Mono8", CV_8UC1}}) {
    INFO(format);
    auto settings = settings_for(fake);
    settings.camera.pixel_format = format;
    settings.camera.trigger = GenicamTrigger::free_run;
    GenicamImager imager("scope", settings, nullptr);
    REQUIRE(imager.connect().is_ok());
    CHECK(imager.describe()["pixel_format"] == format);
    REQUIRE(imager.load_plate(plate_of(1, 1)).is_ok());
    FieldRequest request{"A1"};
    request.exposure_ms = 0.3;
    auto image = imager.capture(request, {});
    REQUIRE(image.is_ok());
    CHECK(image->pixels.type() == type);
    CHECK(image->pixels.size() == cv::Size(320, 240));
    CHECK(cv::mean(image->pixels)[0] > 1.0);  // a pattern, not an empty buffer
  }
}

TEST_CASE("a camera that is not there, or cannot do what the config asks, says so") {
  FakeGigeCamera fake("GC14");
  auto settings = settings_for(fake);
  settings.camera.serial = "NO-SUCH-CAMERA";
  GenicamImager missing("scope", settings, nullptr);
  auto status = missing.connect();
  CHECK(status.code() == StatusCode::not_found);
  CHECK_THAT(status.message(), Catch::Contains("no GenICam camera matching serial 'NO-SUCH-CAMERA' (found: "
                                               "Aravis Fake serial GC14 at 127.0.0.1)"));
  CHECK(missing.state() == InstrumentState::offline);

  settings = settings_for(fake);
  settings.camera.pixel_format = "Mono12";
  GenicamImager mono12("scope", settings, nullptr);
  CHECK_THAT(mono12.connect().message(),
             Catch::StartsWith("instrument 'scope' settings.camera.pixel_format: Aravis Fake serial GC14 "
                               "offers BayerBG8, BayerGB8, BayerGR8, BayerRG8, Mono8, RGB8, Mono16, not Mono12"));
  settings = settings_for(fake);
  settings.camera.width_px = 4096;
  GenicamImager too_wide("scope", settings, nullptr);
  CHECK_THAT(too_wide.connect().message(), Catch::Contains("settings.camera.width_px: Aravis Fake serial GC14 frames"));
}

TEST_CASE("a camera that vanishes mid-acquisition fails the field within the timeout, then is reopened") {
  FakeGigeCamera fake("GC15");
  GenicamImager imager("scope", settings_for(fake), nullptr);
  REQUIRE(imager.connect().is_ok());
  REQUIRE(imager.load_plate(plate_of(1, 1)).is_ok());
  std::vector<std::string> states;
  imager.set_state_listener([&](InstrumentState state, const std::string& detail) {
    states.push_back(std::string(to_string(state)) + ": " + detail);
  });
  for (int i = 0; i < 3; ++i) REQUIRE(imager.capture({"A1", i}, {}).is_ok());
  fake.kill();
  auto start = SteadyClock::now();
  auto lost = imager.capture({"A1", 3}, {});
  double took_s = elapsed_s(start);
  REQUIRE_FALSE(lost.is_ok());
  CHECK((lost.status().code() == StatusCode::timeout || lost.status().code() == StatusCode::disconnected));
  CHECK_THAT(lost.status().message(), Catch::Contains("Aravis Fake serial GC15"));
  CHECK_THAT(lost.status().message(), Catch::Contains("it is opened again for the next field or job"));
  CHECK(took_s < 1.0 + 0.25 + 0.5);  // the grab timeout, its margin, and scheduling slack
  CHECK(imager.state() == InstrumentState::offline);
  REQUIRE_FALSE(states.empty());
  CHECK_THAT(states.back(), Catch::StartsWith("offline: ") && Catch::Contains("Aravis Fake serial GC15") &&
                                Catch::Contains("opened again"));
  // Still gone: the next field fails at once with what to check.
  auto still_gone = imager.capture({"A1", 4}, {});
  CHECK(still_gone.status().code() == StatusCode::disconnected);
  CHECK_THAT(still_gone.status().message(), Catch::Contains("no GenICam camera matching serial 'GC15'"));
  // Back: the next field reopens it.
  fake.start();
  auto back = imager.capture({"A1", 5}, {});
  REQUIRE(back.is_ok());
  CHECK(imager.state() == InstrumentState::online);
}

TEST_CASE("the genicam imager moves its GRBL stage to each field and focuses with its z axis") {
  FakeGigeCamera fake("GC16");
  GrblSimulator sim;
  sim.set_move_ms(5);
  GrblSettings stage_settings;
  stage_settings.port = sim.slave_path();
  stage_settings.limits = {{0.0, 200.0}, {0.0, 150.0}, {0.0, 5000.0}};
  stage_settings.poll_interval_ms = 5;
  stage_settings.command_timeout_ms = 500;
  auto settings = settings_for(fake);
  settings.camera.width_px = 128;
  settings.camera.height_px = 128;
  settings.placement.origin_x_mm = 10.0;
  settings.placement.origin_y_mm = 5.0;
  settings.focus_z_um = 2000.0;
  GenicamImager imager("scope", settings, std::make_unique<GrblStage>(stage_settings));
  REQUIRE(imager.connect().is_ok());
  REQUIRE(imager.load_plate(plate_of(8, 12)).is_ok());  // A1 at (14.38, 11.24), pitch 9 mm
  auto image = imager.capture({"B3", 2, 0.5, -0.25}, {});
  REQUIRE(image.is_ok());
  auto lines = sim.lines();
  auto homing = std::find(lines.begin(), lines.end(), "$H");
  auto move = std::find(lines.begin(), lines.end(), "G90 G0 X42.8800 Y24.9900");
  CHECK(move != lines.end());
  CHECK(homing < move);
  REQUIRE(imager.has_autofocus());
  auto before = sim.lines().size();
  auto focus = imager.autofocus({"B3"}, AutofocusPlan{200.0, 50.0, 25.0}, {});
  // The fake camera's pattern does not change with z: the search runs its scan over the range
  // and then either refuses (no contrast) or settles inside the range; it never leaves it.
  auto after = sim.lines();
  std::size_t z_moves = 0;
  for (std::size_t i = before; i < after.size(); ++i) z_moves += after[i].find(" Z") != std::string::npos;
  CHECK(z_moves >= 5);
  if (focus) {
    CHECK(*focus >= 1900.0);
    CHECK(*focus <= 2100.0);
  } else {
    CHECK_THAT(focus.status().message(), Catch::Contains("autofocus on well B3 field 0"));
  }
}

TEST_CASE("a hardware-triggered camera waits for its pulse and says which line stayed silent") {
  FakeGigeCamera fake("GC17");
  auto settings = settings_for(fake);
  settings.camera.trigger = GenicamTrigger::hardware;
  settings.camera.trigger_source = "Line0";
  settings.camera.grab_timeout_ms = 300;
  GenicamImager imager("scope", settings, nullptr);
  REQUIRE(imager.connect().is_ok());
  CHECK(imager.describe()["trigger"] == "hardware");
  CHECK(imager.describe()["trigger_source"] == "Line0");
  REQUIRE(imager.load_plate(plate_of(1, 1)).is_ok());
  auto start = SteadyClock::now();
  auto image = imager.capture({"A1"}, {});
  CHECK(elapsed_s(start) < 0.3 + 0.25 + 0.5);
  CHECK(image.status().code() == StatusCode::timeout);
  CHECK_THAT(image.status().message(), Catch::Contains("no frame from Aravis Fake serial GC17 within 300 ms: no pulse on Line0"));

  settings.camera.trigger_source = "Line7";
  GenicamImager no_such_line("scope", settings, nullptr);
  CHECK_THAT(no_such_line.connect().message(),
             Catch::StartsWith("instrument 'scope' settings.camera.trigger_source: Aravis Fake serial GC17 refused trigger source 'Line7'"));
}
