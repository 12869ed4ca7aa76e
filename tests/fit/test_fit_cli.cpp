// `assayctl fit` end to end: JSON and CSV output, --fix, --group, and usage errors (exit code 2)
// that name the row. Runs the built assayctl binary.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <sys/wait.h>

namespace {

struct Run {
  int exit_code = -1;
  std::string out;
};

Run run(const std::string& args) {
  const std::string cmd = std::string(ASSAY_BIN_DIR) + "/assayctl fit " + args + " 2>&1";
  Run r;
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  std::size_t got = 0;
  while ((got = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.out.append(buffer.data(), got);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("assay_fit_cli_" + name);
  std::ofstream(path) << text;
  return path.string();
}

std::string drc(const char* name) { return std::string(ASSAY_SHARED_DIR) + "/data/drc/" + name; }

}  // namespace

TEST_CASE("assayctl fit prints one JSON object per curve with the documented fields", "[cli]") {
  const Run r = run("--input " + drc("ryegrass.csv") + " --y rootl");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["ic50"].get<double>() == Approx(3.05795).epsilon(1e-4));
  CHECK(j[0]["x_column"] == "conc");
  for (const char* key : {"top", "bottom", "log_ic50", "hill_slope", "se", "ci95", "ci95_profile",
                          "rss", "r2", "df", "n", "converged", "flags"})
    CHECK(j[0].contains(key));
}

TEST_CASE("assayctl fit --group fits each group and --csv prints a table", "[cli]") {
  const Run r = run("--input " + drc("S.alba.csv") + " --x Dose --y DryMatter --group Herbicide --csv");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("group,n,df,top,", 0) == 0);
  CHECK(r.out.find("\nGlyphosate,") != std::string::npos);
  CHECK(r.out.find("\nBentazone,") != std::string::npos);
}

TEST_CASE("assayctl fit --fix holds the named parameters", "[cli]") {
  const Run r = run("--input " + drc("ryegrass.csv") + " --y rootl --fix bottom=0,hill_slope=-3");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j[0]["bottom"] == 0.0);
  CHECK(j[0]["hill_slope"] == -3.0);
  CHECK(j[0]["df"] == 22);
}

TEST_CASE("assayctl fit names the row of a bad value and exits with the usage code", "[cli]") {
  const auto path = write_temp("bad.csv", "conc,response\n0,100\n1,90\n10,oops\n100,10\n1000,5\n");
  const Run r = run("--input " + path);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("line 4, column 'response': 'oops' is not a number") != std::string::npos);
}

TEST_CASE("assayctl fit refuses a missing column and an unknown --fix name", "[cli]") {
  const Run missing = run("--input " + drc("ryegrass.csv") + " --y height");
  CHECK(missing.exit_code == 2);
  CHECK(missing.out.find("no response (--y) column 'height'") != std::string::npos);
  const Run bad_fix = run("--input " + drc("ryegrass.csv") + " --y rootl --fix slope=1");
  CHECK(bad_fix.exit_code == 2);
  CHECK(bad_fix.out.find("can fix top, bottom or hill_slope") != std::string::npos);
}
