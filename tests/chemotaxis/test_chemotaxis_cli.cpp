// `assayctl analyze chemotaxis` on files: the same numbers as the in-process analysis, and input
// errors that name the file and line.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>

#include "plates.hpp"
#include "support/command.hpp"

using nlohmann::json;

namespace {

assay::testing::CommandOutput assayctl(const std::string& args) {
  return assay::testing::run_assayctl("analyze chemotaxis " + args);
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::random_device random;
    path = std::filesystem::temp_directory_path() / ("chemotaxis-cli-" + std::to_string(random()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

// OD = 0.05 blank + migration on a true curve (IC50 20 nM), vehicle 1.0, no chemokine 0.25.
std::string reads_csv() {
  auto spec = chemotaxis_test::transwell_spec(json::object());
  std::string csv = "well,channel,cycle,time_s,value\n";
  int i = 0;
  for (const auto& well : spec.layout.wells()) {
    double od = 0.05;
    if (well.role == "positive_control") od += 1.0 + 0.02 * (i % 3 - 1);
    if (well.role == "negative_control") od += 0.25 + 0.01 * (i % 3 - 1);
    if (well.role == "sample") od += 0.25 + 0.75 / (1.0 + well.conc_nM / 20.0);
    char line[96];
    std::snprintf(line, sizeof line, "%s,abs590,0,%.2f,%.6f\n", well.well.c_str(), 0.5 * i++, od);
    csv += line;
  }
  return csv;
}

}  // namespace

TEST_CASE("assayctl analyze chemotaxis fits absorbance reads from a file") {
  // Built with the tests (they depend on it): missing means the build is broken, a failure.
  REQUIRE(std::filesystem::exists(std::string(ASSAY_BIN_DIR) + "/assayctl"));
  TempDir dir;
  auto layout = dir.write("job.json", chemotaxis_test::transwell_job(json::object()).dump());
  auto reads = dir.write("reads.csv", reads_csv());
  auto out = assayctl("--reads " + reads + " --layout " + layout + " --json");
  REQUIRE(out.exit_code == 0);
  auto result = json::parse(out.out);
  CHECK(result["summary"]["ic50"]["balixafortide"]["ic50_nM"].get<double>() == Approx(20.0).epsilon(0.02));
  CHECK(result["summary"]["chemotactic_index"].get<double>() == Approx(4.0).epsilon(0.02));

  auto table = assayctl("--reads " + reads + " --layout " + layout);
  CHECK(table.exit_code == 0);
  CHECK(table.out.find("chemotactic index 4.00") != std::string::npos);
  CHECK(table.out.find("balixafortide: IC50 20") != std::string::npos);
  auto csv = assayctl("--reads " + reads + " --layout " + layout + " --csv");
  CHECK(csv.out.rfind("kind,key,n,mean", 0) == 0);
  CHECK(csv.out.find("series,balixafortide,") != std::string::npos);
}

TEST_CASE("assayctl analyze chemotaxis names the file and line of bad input") {
  // Built with the tests (they depend on it): missing means the build is broken, a failure.
  REQUIRE(std::filesystem::exists(std::string(ASSAY_BIN_DIR) + "/assayctl"));
  TempDir dir;
  auto layout = dir.write("job.json", chemotaxis_test::transwell_job(json::object()).dump());
  auto bad_value = dir.write("bad_value.csv", "well,channel,cycle,time_s,value\nA1,abs590,0,0,0.9\nA2,abs590,0,1,n/a\n");
  auto out = assayctl("--reads " + bad_value + " --layout " + layout);
  CHECK(out.exit_code == 2);
  CHECK(out.out.find("bad_value.csv line 3: value 'n/a' is not a number") != std::string::npos);

  auto twice = dir.write("twice.csv", "well,channel,cycle,time_s,value\nA1,abs590,0,0,0.9\nA1,abs590,0,5,0.8\n");
  out = assayctl("--reads " + twice + " --layout " + layout);
  CHECK(out.exit_code == 2);
  CHECK(out.out.find("twice.csv line 3: well A1 abs590 cycle 0 repeats line 2") != std::string::npos);

  auto counts = dir.write("counts.csv", "well,field,count\nA1,0,50\nD7,0,3\n");
  out = assayctl("--counts " + counts + " --layout " + layout);
  CHECK(out.exit_code == 2);
  CHECK(out.out.find("counts.csv line 3: 'D7' is not a well of a transwell-24 plate") != std::string::npos);

  auto header = dir.write("header.csv", "well,count\nA1,3\n");
  out = assayctl("--counts " + header + " --layout " + layout);
  CHECK(out.exit_code == 2);
  CHECK(out.out.find("header.csv line 1: the header lacks column 'field'") != std::string::npos);

  json no_controls = chemotaxis_test::transwell_layout();
  no_controls.erase(no_controls.begin());
  auto bad_layout = dir.write("bad_layout.json", no_controls.dump());
  out = assayctl("--reads " + dir.write("reads.csv", reads_csv()) + " --layout " + bad_layout);
  CHECK(out.exit_code == 2);
  CHECK(out.out.find("no chemokine-only control") != std::string::npos);
}
