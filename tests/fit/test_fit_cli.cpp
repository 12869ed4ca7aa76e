// `assayctl fit` end to end: JSON and CSV output, --fix, --group, --weights, and usage errors
// (exit code 2) that name the row. Runs the built assayctl binary.
#include <catch2/catch.hpp>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "fit/simulate.hpp"
#include "support/command.hpp"

namespace {

using assay::testing::CommandOutput;

// `assayctl fit ARGS`, stderr joined to stdout.
CommandOutput run(const std::string& args) { return assay::testing::run_assayctl("fit " + args); }

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("assay_fit_cli_" + name);
  std::ofstream(path) << text;
  return path.string();
}

// The shortest text that reads back as the same double.
std::string shortest(double v) {
  char buffer[32];
  return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, v).ptr);
}

std::string drc(const char* name) { return std::string(ASSAY_SHARED_DIR) + "/data/drc/" + name; }

}  // namespace

TEST_CASE("assayctl fit prints one JSON object per curve with the documented fields", "[cli]") {
  const CommandOutput r = run("--input " + drc("ryegrass.csv") + " --y rootl");
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
  const CommandOutput r = run("--input " + drc("S.alba.csv") + " --x Dose --y DryMatter --group Herbicide --csv");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("group,n,df,top,", 0) == 0);
  CHECK(r.out.find("\nGlyphosate,") != std::string::npos);
  CHECK(r.out.find("\nBentazone,") != std::string::npos);
}

TEST_CASE("assayctl fit --fix holds the named parameters", "[cli]") {
  const CommandOutput r = run("--input " + drc("ryegrass.csv") + " --y rootl --fix bottom=0,hill_slope=-3");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j[0]["bottom"] == 0.0);
  CHECK(j[0]["hill_slope"] == -3.0);
  CHECK(j[0]["df"] == 22);
}

TEST_CASE("assayctl fit names the row of a bad value and exits with the usage code", "[cli]") {
  const auto path = write_temp("bad.csv", "conc,response\n0,100\n1,90\n10,oops\n100,10\n1000,5\n");
  const CommandOutput r = run("--input " + path);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("line 4, column 'response': 'oops' is not a number") != std::string::npos);
}

TEST_CASE("assayctl fit refuses a missing column and an unknown --fix name", "[cli]") {
  const CommandOutput missing = run("--input " + drc("ryegrass.csv") + " --y height");
  CHECK(missing.exit_code == 2);
  CHECK(missing.out.find("no response (--y) column 'height'") != std::string::npos);
  const CommandOutput bad_fix = run("--input " + drc("ryegrass.csv") + " --y rootl --fix slope=1");
  CHECK(bad_fix.exit_code == 2);
  CHECK(bad_fix.out.find("can fix top, bottom or hill_slope") != std::string::npos);
}

TEST_CASE("assayctl fit --weights 1/ycurve2 is the library's relative weighting (1/Ycurve^2)", "[cli]") {
  // Noise proportional to the response, where relative weighting is the right choice.
  const assay::test::TrueCurve truth{100.0, 5.0, -7.0, -1.2};
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, 0.08);
  auto points = assay::test::simulate(truth, assay::test::log_series(-10, 0.5, 12), 0.0, rng, 2);
  std::ostringstream csv;
  csv.precision(17);
  csv << "conc,response\n";
  for (auto& p : points) {
    p.response *= 1.0 + noise(rng);
    csv << p.conc << ',' << p.response << '\n';
  }
  const std::string path = write_temp("relative.csv", csv.str());
  assay::protocols::fit::FitOptions relative;
  relative.weighting = assay::protocols::fit::Weighting::inverse_fit_squared;
  const auto expected = assay::protocols::fit::fit_dose_response(points, relative);
  REQUIRE(expected.usable());

  const CommandOutput by_curve = run("--input " + path + " --weights 1/ycurve2");
  REQUIRE(by_curve.exit_code == 0);
  const auto j = nlohmann::json::parse(by_curve.out);
  CHECK(j[0]["log_ic50"].get<double>() == Approx(expected.log_ic50.value).epsilon(1e-9));
  CHECK(j[0]["rss"].get<double>() == Approx(expected.rss).epsilon(1e-9));
  CHECK(j[0]["ci95_profile"]["log_ic50"][0].get<double>() ==
        Approx(*expected.log_ic50_profile_low).margin(1e-9));

  const CommandOutput by_data = run("--input " + path + " --weights 1/y2");
  REQUIRE(by_data.exit_code == 0);
  CHECK(nlohmann::json::parse(by_data.out)[0]["log_ic50"].get<double>() !=
        j[0]["log_ic50"].get<double>());
  CHECK(run("--help").out.find("1/ycurve2") != std::string::npos);
}

TEST_CASE("assayctl fit --group prints every group with its labels, in JSON and in CSV", "[cli]") {
  std::string csv = "compound,conc,response\n";
  std::mt19937_64 rng(3);
  const auto conc = assay::test::log_series(-9, 0.5, 8);
  for (int g = 0; g < 3; ++g) {
    assay::test::TrueCurve t;
    t.log_ic50 = -8 + g * 0.5;
    for (const auto& p : assay::test::simulate(t, conc, 3.0, rng, 2))
      csv += "\"cmpd, " + std::to_string(g) + "\"," + std::to_string(p.conc) + "," + std::to_string(p.response) + "\n";
  }
  const std::string file = write_temp("groups.csv", csv);
  const CommandOutput json = run("--input " + file + " --x conc --y response --group compound");
  REQUIRE(json.exit_code == 0);
  const auto j = nlohmann::json::parse(json.out);
  REQUIRE(j.size() == 3);
  CHECK(j[2]["group"] == "cmpd, 2");
  CHECK(j[2]["y_column"] == "response");
  CHECK(j[2]["n"] == 16);
  CHECK(json.out == j.dump(2) + "\n");  // the layout of nlohmann's dump(2)
  const CommandOutput table = run("--input " + file + " --x conc --y response --group compound --csv");
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("\n\"cmpd, 2\",16,12,") != std::string::npos);
  CHECK(std::count(table.out.begin(), table.out.end(), '\n') == 4);
}

TEST_CASE("assayctl fit prints many groups in file order, each as fitted alone", "[cli]") {
  // Enough curves for several blocks on several threads; the output must not show the split.
  std::string csv = "compound,conc,response\r\n";
  std::mt19937_64 rng(16);
  const auto conc = assay::test::log_series(-9, 0.5, 8);
  std::vector<std::vector<assay::protocols::fit::DosePoint>> curves;
  for (int g = 0; g < 150; ++g) {
    assay::test::TrueCurve t;
    t.log_ic50 = -8.5 + (g % 7) * 0.4;
    curves.push_back(assay::test::simulate(t, conc, 4.0, rng, 2));
    for (const auto& p : curves.back())
      csv += "g" + std::to_string(g) + "," + shortest(p.conc) + "," + shortest(p.response) + "\r\n";
  }
  const std::string file = write_temp("many.csv", csv);
  const CommandOutput json = run("--input " + file + " --group compound");
  REQUIRE(json.exit_code == 0);
  const auto j = nlohmann::json::parse(json.out);
  REQUIRE(j.size() == curves.size());
  CHECK(json.out == j.dump(2) + "\n");
  const CommandOutput table = run("--input " + file + " --group compound --csv");
  REQUIRE(table.exit_code == 0);
  std::istringstream rows(table.out);
  std::string row;
  std::getline(rows, row);  // header
  for (std::size_t g = 0; g < curves.size(); ++g) {
    const auto expected = assay::protocols::fit::fit_dose_response(curves[g]);  // alone, here
    CHECK(j[g]["group"] == "g" + std::to_string(g));
    CHECK(j[g]["rss"].get<double>() == expected.rss);
    CHECK(j[g]["iterations"] == expected.iterations);
    REQUIRE(std::getline(rows, row));
    CHECK(row.rfind("g" + std::to_string(g) + ",", 0) == 0);
  }
}
