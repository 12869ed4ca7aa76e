// The genicam imager's settings and pixel conversion, without a camera.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <opencv2/imgproc.hpp>

#include "assay/drivers/genicam/genicam_imager.hpp"
#include "assay/drivers/registry.hpp"
#include "genicam/pixel_conversion.hpp"
#include "support/command.hpp"

using namespace assay::drivers;

TEST_CASE("genicam settings name the key at fault") {
  auto message = [](const nlohmann::json& camera) {
    return GenicamCameraSettings::from_json(camera, "scope.camera").status().message();
  };
  CHECK(message({{"exposure_ms", 3}}) == "scope.camera.exposure_ms: unknown GenICam camera setting");
  CHECK_THAT(message({{"pixel_format", "Mono10p"}}),
             Catch::StartsWith("scope.camera.pixel_format: must be one of Mono8, Mono12, Mono16, BayerRG8"));
  CHECK(message({{"width_px", 640}}) ==
        "scope.camera.height_px: give both width_px and height_px, or neither (the whole sensor)");
  CHECK(message({{"binning", 0}}) == "scope.camera.binning: must be a whole binning factor from 1 to 16");
  CHECK(message({{"trigger", "external"}}) ==
        "scope.camera.trigger: must be \"software\", \"hardware\" or \"free_run\"");
  CHECK(message({{"trigger_source", "Line1"}}) ==
        "scope.camera.trigger_source: applies only with trigger = \"hardware\"");
  CHECK(message({{"device_id", "Basler-1"}, {"serial", "1"}}) ==
        "scope.camera.device_id: give either device_id or vendor/model/serial, not both");
  CHECK(message({{"grab_timeout_ms", 5}}) == "scope.camera.grab_timeout_ms: must be milliseconds from 50 to 600000");
  CHECK(message({{"gain_unit", "raw"}}) == "scope.camera.gain_unit: must be \"dB\" or \"factor\"");

  auto parsed = GenicamCameraSettings::from_json(
      {{"serial", "GC7"}, {"pixel_format", "BayerRG8"}, {"width_px", 320}, {"height_px", 240},
       {"binning", 2}, {"pixel_size_um", 3.45}, {"trigger", "hardware"}, {"trigger_source", "Line1"}},
      "scope.camera");
  REQUIRE(parsed.is_ok());
  CHECK(parsed->trigger == GenicamTrigger::hardware);
  CHECK(parsed->delivered_pixel_size_um() == Approx(6.9));
  CHECK(parsed->wanted() == "serial 'GC7'");

  auto imager = GenicamImagerSettings::from_json({{"camera", nlohmann::json::object()}, {"stage", {{"port", "/dev/ttyUSB0"}}}}, "scope");
  CHECK_THAT(imager.status().message(), Catch::Contains("scope.plate_origin_mm: is required"));
}

TEST_CASE("genicam is registered and its factory names the bad setting") {
  DriverRegistry registry;
  register_builtin_drivers(registry);
  const auto* driver = registry.find("genicam");
  REQUIRE(driver != nullptr);
  CHECK(driver->kind == InstrumentKind::imager);
  auto built = driver->factory("scope", {{"camera", {{"pixel_format", "Mono32"}}}});
  REQUIRE_FALSE(built.is_ok());
  CHECK_THAT(built.status().message(), Catch::StartsWith("instrument 'scope' settings.camera.pixel_format: must be one of"));
  auto missing = driver->factory("scope", nlohmann::json::object());
  CHECK_THAT(missing.status().message(), Catch::StartsWith("instrument 'scope' settings.camera: is required"));
}

TEST_CASE("Bayer frames are demosaiced with the colour of the top-left pixel GenICam names") {
  // A red scene seen through each mosaic: only the red sites are bright.
  const std::pair<const char*, cv::Point> red_site[] = {
      {"BayerRG8", {0, 0}}, {"BayerGR8", {1, 0}}, {"BayerGB8", {0, 1}}, {"BayerBG8", {1, 1}}};
  for (const auto& [name, site] : red_site) {
    INFO(name);
    cv::Mat raw(8, 8, CV_8UC1, cv::Scalar(0));
    for (int y = site.y; y < 8; y += 2) {
      for (int x = site.x; x < 8; x += 2) raw.at<unsigned char>(y, x) = 200;
    }
    auto layout = parse_pixel_layout(name);
    REQUIRE(layout);
    cv::Mat bgr = convert_frame(raw, *layout, false);
    REQUIRE(bgr.type() == CV_8UC3);
    auto centre = bgr.at<cv::Vec3b>(4, 4);
    CHECK(centre[2] > 150);  // red
    CHECK(centre[0] < 50);   // blue
    CHECK(centre[1] < 50);   // green
  }
}

TEST_CASE("12- and 16-bit frames keep their top 8 bits, in a frame of their own") {
  cv::Mat raw16(2, 2, CV_16UC1, cv::Scalar(0xABCD));
  cv::Mat mono16 = convert_frame(raw16, *parse_pixel_layout("Mono16"), false);
  CHECK(mono16.type() == CV_8UC1);
  CHECK(static_cast<int>(mono16.at<unsigned char>(0, 0)) == 0xAC);  // rounded
  cv::Mat raw12(2, 2, CV_16UC1, cv::Scalar(0x0FF0));
  cv::Mat mono12 = convert_frame(raw12, *parse_pixel_layout("Mono12"), false);
  CHECK(static_cast<int>(mono12.at<unsigned char>(1, 1)) == 0xFF);
  cv::Mat raw8(2, 2, CV_8UC1, cv::Scalar(9));
  cv::Mat mono8 = convert_frame(raw8, *parse_pixel_layout("Mono8"), false);
  CHECK(mono8.data != raw8.data);  // the frame outlives the camera's buffer
  CHECK(static_cast<int>(mono8.at<unsigned char>(0, 0)) == 9);
  cv::Mat rgb(1, 1, CV_8UC3, cv::Scalar(10, 20, 30));  // R, G, B in memory order
  cv::Mat bgr = convert_frame(rgb, *parse_pixel_layout("RGB8"), false);
  CHECK(bgr.at<cv::Vec3b>(0, 0) == cv::Vec3b(30, 20, 10));
  CHECK(convert_frame(rgb, *parse_pixel_layout("RGB8"), true).type() == CV_8UC1);
}

TEST_CASE("the example GenICam config passes assayd --check-config, and a misspelt key is named") {
  const std::string example = std::string(ASSAY_SOURCE_DIR) + "/examples/config/genicam_scope.toml";
  auto checked = assay::testing::run_command(std::string(ASSAY_BIN_DIR) + "/assayd --config " + example +
                                             " --check-config 2>&1");
  INFO(checked.out);
  CHECK(checked.exit_code == 0);
  auto dir = std::filesystem::temp_directory_path() / ("assay-genicam-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ifstream in(example);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("binning = 2"), 11, "binnig = 2");
  std::ofstream(dir / "bad.toml") << text;
  auto refused = assay::testing::run_command(std::string(ASSAY_BIN_DIR) + "/assayd --config " +
                                             (dir / "bad.toml").string() + " --check-config 2>&1");
  std::filesystem::remove_all(dir);
  INFO(refused.out);
  CHECK(refused.exit_code != 0);
  CHECK_THAT(refused.out, Catch::Contains("settings.camera.binnig: unknown GenICam camera setting"));
}
