#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "assay/drivers/sim/colony_scene.hpp"
#include "support/command.hpp"

namespace fs = std::filesystem;

namespace {

assay::testing::CommandOutput run(const std::string& args) { return assay::testing::run_assayctl(args, false); }

}  // namespace

TEST_CASE("assayctl count reports every good file and a clear error for each bad one") {
  REQUIRE(fs::exists(fs::path(ASSAY_BIN_DIR) / "assayctl"));  // test_imaging depends on assayctl
  std::random_device random;
  const fs::path dir = fs::temp_directory_path() / ("count-cli-" + std::to_string(random()));
  fs::create_directories(dir);
  assay::drivers::sim::ColonySceneSpec spec;
  spec.width_px = spec.height_px = 900;
  spec.colonies = 30;
  spec.min_diameter_px = 8;
  spec.max_diameter_px = 36;
  const auto scene = assay::drivers::sim::render_colony_scene(spec);
  cv::imwrite((dir / "good.png").string(), scene.image);
  cv::Mat grey16;
  cv::cvtColor(scene.image, grey16, cv::COLOR_BGR2GRAY);
  grey16.convertTo(grey16, CV_16U, 257.0);
  cv::imwrite((dir / "deep.png").string(), grey16);
  std::ofstream(dir / "empty.jpg").close();
  std::ofstream(dir / "notes.png") << "not an image";
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", scene.image, jpeg);
  std::ofstream(dir / "cut.jpg", std::ios::binary).write(reinterpret_cast<const char*>(jpeg.data()),
                                                         static_cast<std::streamsize>(jpeg.size() / 2));

  const std::string files = (dir / "good.png").string() + " " + (dir / "empty.jpg").string() + " " +
                            (dir / "cut.jpg").string() + " " + (dir / "notes.png").string() + " " +
                            (dir / "deep.png").string() + " " + (dir / "missing.png").string();
  const auto r = run("count --kind colonies --json --overlay " + (dir / "ov").string() + " " + files);
  CHECK(r.exit_code == 2);
  const auto results = nlohmann::json::parse(r.out);
  REQUIRE(results.size() == 6);
  CHECK(results[0].at("ok") == true);
  CHECK(std::abs(results[0].at("count").get<int>() - static_cast<int>(scene.colonies.size())) <= 3);
  CHECK(fs::exists(results[0].at("overlay").get<std::string>()));
  CHECK(results[1].at("error").get<std::string>().find("empty") != std::string::npos);
  CHECK(results[2].at("error").get<std::string>().find("truncated") != std::string::npos);
  CHECK(results[3].at("error").get<std::string>().find("decoded") != std::string::npos);
  CHECK(results[4].at("ok") == true);
  CHECK(results[5].at("error").get<std::string>().find("no such file") != std::string::npos);

  const auto ok = run("count --kind colonies --csv " + (dir / "good.png").string());
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.rfind("file,status,count,object", 0) == 0);
  fs::remove_all(dir);
}
