// The camera-imager driver without a camera: settings, the missing-device path, the grab
// timeout, and a recorded image sequence standing in for the camera (with a simulated stage).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "assay/drivers/camera/camera_imager.hpp"
#include "assay/drivers/registry.hpp"
#include "grbl_simulator.hpp"
#include "stage/grbl_stage.hpp"

using namespace assay::drivers;
namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;  // a real camera runs in real time

namespace {

double elapsed_s(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// `count` 160x120 frames written as field_000.png, field_001.png, ...; three distinct ones, repeated.
struct RecordedFrames {
  fs::path dir;
  std::vector<cv::Mat> frames;
  explicit RecordedFrames(int count = 3) {
    std::string pattern = (fs::temp_directory_path() / "assay-frames-XXXXXX").string();
    dir = ::mkdtemp(pattern.data());
    for (int i = 0; i < count; ++i) {
      cv::Mat frame(120, 160, CV_8UC3, cv::Scalar(20, 20, 20));
      cv::circle(frame, {40 + 40 * (i % 3), 60}, 15, cv::Scalar(200, 180, 160), -1);
      char name[32];
      std::snprintf(name, sizeof name, "field_%03d.png", i);
      cv::imwrite((dir / name).string(), frame);
      frames.push_back(frame);
    }
  }
  ~RecordedFrames() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string pattern() const { return (dir / "field_%03d.png").string(); }
};

LoadedPlate plate_of(int rows, int columns) {
  LoadedPlate plate;
  plate.format = rows * columns == 1 ? "dish-35mm" : "96";
  plate.geometry.rows = rows;
  plate.geometry.columns = columns;
  return plate;
}

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0.0;
}

}  // namespace

TEST_CASE("camera settings name the key at fault") {
  auto both = CameraSettings::from_json({{"device", "/dev/video0"}, {"file", "x.avi"}}, "camera");
  CHECK_THAT(both.status().message(), Catch::Contains("give exactly one of device"));
  auto half = CameraSettings::from_json({{"device", 0}, {"width_px", 640}}, "camera");
  CHECK(half.status().message() == "camera.height_px: give both width_px and height_px, or neither");
  auto fourcc = CameraSettings::from_json({{"device", 0}, {"pixel_format", "MJPEG"}}, "camera");
  CHECK_THAT(fourcc.status().message(), Catch::Contains("camera.pixel_format"));
  auto index = CameraSettings::from_json({{"device", 2}}, "camera");
  REQUIRE(index.is_ok());
  CHECK(index->device == "/dev/video2");
  auto imager = CameraImagerSettings::from_json(
      {{"camera", {{"device", 0}}}, {"stage", {{"port", "/dev/ttyUSB0"}}}}, "scope");
  CHECK_THAT(imager.status().message(), Catch::Contains("scope.plate_origin_mm: is required"));
}

TEST_CASE("camera-imager is registered and its factory names the bad setting") {
  DriverRegistry registry;
  register_builtin_drivers(registry);
  const auto* driver = registry.find("camera-imager");
  REQUIRE(driver != nullptr);
  CHECK(driver->kind == InstrumentKind::imager);
  auto built = driver->factory("scope", {{"camera", {{"device", 0}, {"exposure", 3}}}});
  REQUIRE_FALSE(built.is_ok());
  CHECK(built.status().message() ==
        "instrument 'scope' settings.camera.exposure: unknown camera setting");
  auto ok = driver->factory("scope", {{"camera", {{"device", "/dev/video-assay-missing"}}}});
  REQUIRE(ok.is_ok());
  CHECK((*ok)->state() == InstrumentState::offline);
}

TEST_CASE("a missing camera leaves the imager offline saying what to check") {
  CameraImagerSettings settings;
  settings.camera.device = "/dev/video-assay-missing";
  CameraImager imager("scope", settings, nullptr);
  std::vector<std::string> reported;
  imager.set_state_listener([&](InstrumentState, const std::string& detail) {
    reported.push_back(detail);
  });
  auto status = imager.connect();
  CHECK(status.code() == StatusCode::not_found);
  CHECK_THAT(status.message(), Catch::Contains("/dev/video-assay-missing does not exist; is the "
                                               "camera plugged in?"));
  CHECK(imager.state() == InstrumentState::offline);
  CHECK_THAT(imager.describe()["detail"].get<std::string>(), Catch::Contains("does not exist"));
  REQUIRE_FALSE(reported.empty());
  auto image = imager.capture({"A1"}, {});
  CHECK(image.status().code() == StatusCode::disconnected);
}

TEST_CASE("a frame grab that hangs times out, and the camera is reported hung until it returns") {
  auto release = std::make_shared<std::atomic<bool>>(false);
  FrameGrabber grabber(
      [release]() -> Result<cv::Mat> {
        while (!*release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return cv::Mat(4, 4, CV_8UC1, cv::Scalar(7));
      },
      "camera test");
  auto start = SteadyClock::now();
  auto first = grabber.grab(std::chrono::milliseconds(150), {});
  CHECK(first.status().code() == StatusCode::timeout);
  CHECK_THAT(first.status().message(), Catch::Contains("no frame from camera test within 150 ms"));
  CHECK(elapsed_s(start) < 1.0);
  auto second = grabber.grab(std::chrono::milliseconds(150), {});
  CHECK(second.status().code() == StatusCode::busy);
  CHECK_THAT(second.status().message(), Catch::Contains("is hung"));
  *release = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto third = grabber.grab(std::chrono::milliseconds(500), {});
  REQUIRE(third.is_ok());
  CHECK(third->at<unsigned char>(0, 0) == 7);
}

TEST_CASE("a stop request ends a pending frame grab") {
  FrameGrabber grabber(
      []() -> Result<cv::Mat> {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        return cv::Mat(2, 2, CV_8UC1);
      },
      "camera test");
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop.request_stop();
  });
  auto start = SteadyClock::now();
  auto frame = grabber.grab(std::chrono::milliseconds(5000), stop.get_token());
  stopper.join();
  CHECK(frame.status().code() == StatusCode::cancelled);
  CHECK(elapsed_s(start) < 0.25);
}

TEST_CASE("a recorded image sequence stands in for the camera through OpenCV videoio") {
  RecordedFrames recorded;
  CameraImagerSettings settings;
  settings.camera.file = recorded.pattern();
  settings.camera.pixel_size_um = 5.0;
  CameraImager imager("scope", settings, nullptr);
  REQUIRE(imager.connect().is_ok());
  CHECK(imager.state() == InstrumentState::online);
  REQUIRE(imager.load_plate(plate_of(1, 1)).is_ok());
  auto first = imager.capture({"A1", 0}, {});
  REQUIRE(first.is_ok());
  CHECK(same_pixels(first->pixels, recorded.frames[0]));
  CHECK(first->exposure_ms == 0.0);  // not applied to a recording, and said so
  CHECK(first->pixel_size_um == 5.0);
  auto second = imager.capture({"A1", 1}, {});
  REQUIRE(second.is_ok());
  CHECK(same_pixels(second->pixels, recorded.frames[1]));
  CHECK(imager.field_of_view_mm().width == Approx(0.8));
  CHECK(imager.describe()["stand_in"].is_string());
  CHECK_FALSE(imager.has_autofocus());
  CHECK(imager.autofocus({"A1"}, {}, {}).status().code() == StatusCode::unsupported);
}

// OpenCV videoio (FFmpeg, GStreamer: some 240 libraries) is not linked into the programs; the
// driver loads it from its own module when a camera opens.
TEST_CASE("opening a camera loads OpenCV videoio from the camera module") {
  auto mapped = [](const std::string& name) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
      if (line.find(name) != std::string::npos) return true;
    return false;
  };
  RecordedFrames recorded;
  CameraImagerSettings settings;
  settings.camera.file = recorded.pattern();
  CameraImager imager("scope", settings, nullptr);
  REQUIRE(imager.connect().is_ok());
  CHECK(mapped("/camera_videoio.so"));
  CHECK(mapped("libopencv_videoio"));
  CHECK(imager.describe()["backend"] == "CV_IMAGES");
}

TEST_CASE("a camera without a stage refuses wells it cannot reach") {
  RecordedFrames recorded;
  CameraImagerSettings settings;
  settings.camera.file = recorded.pattern();
  CameraImager imager("scope", settings, nullptr);
  REQUIRE(imager.connect().is_ok());
  REQUIRE(imager.load_plate(plate_of(8, 12)).is_ok());
  auto image = imager.capture({"B2"}, {});
  CHECK(image.status().code() == StatusCode::unsupported);
  CHECK_THAT(image.status().message(), Catch::Contains("has no stage"));
  CHECK(imager.capture({"Z9"}, {}).status().code() == StatusCode::invalid_argument);
}

TEST_CASE("a missing stand-in file is reported as not found") {
  CameraImagerSettings settings;
  settings.camera.file = "/nonexistent/assay/field_%03d.png";
  CameraImager imager("scope", settings, nullptr);
  auto status = imager.connect();
  CHECK(status.code() == StatusCode::not_found);
  CHECK(imager.state() == InstrumentState::offline);
}

TEST_CASE("the camera imager homes its stage, then moves to the well centre plus the field offset") {
  RecordedFrames recorded(30);
  GrblSimulator sim;
  GrblSettings stage_settings;
  stage_settings.port = sim.slave_path();
  stage_settings.limits = {{0.0, 200.0}, {0.0, 150.0}, {0.0, 5000.0}};
  stage_settings.poll_interval_ms = 10;
  stage_settings.command_timeout_ms = 500;
  CameraImagerSettings settings;
  settings.camera.file = recorded.pattern();
  settings.plate_origin_x_mm = 10.0;
  settings.plate_origin_y_mm = 5.0;
  CameraImager imager("scope", settings, std::make_unique<GrblStage>(stage_settings));
  REQUIRE(imager.connect().is_ok());
  CHECK(imager.describe()["stage"]["homed"] == false);
  REQUIRE(imager.load_plate(plate_of(8, 12)).is_ok());  // A1 at (14.38, 11.24), pitch 9 mm
  FieldRequest request{"B3", 2, 0.5, -0.25};
  auto image = imager.capture(request, {});
  REQUIRE(image.is_ok());
  CHECK(image->offset_x_mm == 0.5);
  // x = 10 + 14.38 + 2 * 9 + 0.5, y = 5 + 11.24 + 1 * 9 - 0.25
  auto lines = sim.lines();
  auto homing = std::find(lines.begin(), lines.end(), "$H");
  auto move = std::find(lines.begin(), lines.end(), "G90 G0 X42.8800 Y24.9900");
  CHECK(move != lines.end());
  CHECK(homing < move);
  CHECK(imager.describe()["stage"]["homed"] == true);
  // Frames of a recording do not change with z: autofocus fails plainly instead of guessing.
  auto focus = imager.autofocus({"B3"}, AutofocusPlan{200.0, 50.0, 10.0}, {});
  REQUIRE_FALSE(focus.is_ok());
  CHECK_THAT(focus.status().message(), Catch::Contains("no focus contrast"));
}
