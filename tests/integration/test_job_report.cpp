// assayctl report: one self-contained HTML page per job, for every protocol, built from jobs run
// on the simulators by the real assayd; and the page as headless Chromium renders it.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <fstream>
#include <regex>
#include <sstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "assay/protocols/figures/svg.hpp"
#include "assay/protocols/imaging/colony_counter.hpp"
#include "report/colony_legend.hpp"
#include "support/command.hpp"
#include "support/daemon_harness.hpp"
#include "support/skip.hpp"
#include "support/time_scale.hpp"

using assay::testing::DaemonHarness;
using assay::testing::example_job;
using assay::testing::run_assayctl;
using assay::testing::run_command;
using assay::testing::scaled;
using nlohmann::json;

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// Runs an example job to success and writes its report with assayctl; returns the page.
std::string report_of(DaemonHarness& daemon, const json& job, std::string& id, json& results) {
  id = daemon.submit(job);
  auto done = daemon.wait_for_state(id, "succeeded", scaled(std::chrono::seconds(600)));
  REQUIRE(done["state"] == "succeeded");
  results = daemon.call("results.get", {{"job_id", id}});
  const auto file = daemon.state_dir() / (id + "-report.html");
  auto run = run_assayctl(daemon.ctl_options() + "report " + id + " --out " + file.string());
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("wrote " + file.string()));
  return read_text(file);
}

// Nothing the page needs comes from elsewhere: no scripts, stylesheets or images fetched; every
// image is a data: URI. The only "http" is the SVG namespace name.
void check_self_contained(const std::string& page) {
  CHECK_THAT(page, Catch::StartsWith("<!DOCTYPE html>"));
  CHECK_THAT(page, Catch::EndsWith("</html>\n"));
  CHECK(count_of(page, "<script") == 0);
  CHECK(count_of(page, "<link") == 0);
  CHECK(count_of(page, "http") == count_of(page, "xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(count_of(page, " src=\"") == count_of(page, " src=\"data:image/"));
  CHECK(count_of(page, "url(") == count_of(page, "url(#"));
}

std::string ic50_text(const json& ic50) {
  return assay::protocols::figures::format_significant(ic50["value"].get<double>(), 3) + " nM";
}

}  // namespace

TEST_CASE("report of a calcium-flux job: heatmaps, a curve per compound with IC50 and CI, traces, QC, provenance") {
  DaemonHarness daemon;
  std::string id;
  json results;
  const auto page = report_of(daemon, example_job("calcium_flux_96.json"), id, results);
  check_self_contained(page);
  for (const char* section : {"result", "qc", "plate", "dose-response", "kinetics", "flags", "provenance"}) {
    CHECK_THAT(page, Catch::Contains("<section id=\"" + std::string(section) + "\">"));
  }
  // Two heatmaps of the raw kinetic readout (baseline and peak), 96 wells each with a tooltip.
  CHECK(count_of(page, "<g class=\"well\"><title>") == 2 * 96);
  CHECK_THAT(page, Catch::Contains("<title>A1 positive_control"));
  // One dose-response figure per compound, its IC50 and interval as the summary gives them.
  const auto& series = results["summary"]["series"];
  REQUIRE(series.size() == 2);
  CHECK(count_of(page, "<figure class=\"curve\">") == series.size());
  for (const auto& [compound, s] : series.items()) {
    INFO(compound);
    CHECK_THAT(page, Catch::Contains(compound + ": IC50 " + ic50_text(s["ic50"]) + " (95% CI "));
  }
  CHECK_THAT(page, Catch::Contains(", profile)"));
  // Traces of every well, QC in numbers and words, the run's provenance.
  CHECK_THAT(page, Catch::Contains("Calcium traces (fl494-516) as F/F0"));
  CHECK_THAT(page, Catch::Contains("<td>Z&#39;</td>"));
  CHECK_THAT(page, Catch::Contains("<td>S/B</td>"));
  CHECK_THAT(page, Catch::Contains("CV of the positive controls"));
  CHECK_THAT(page, Catch::Contains(assay::protocols::figures::format_significant(
                       results["summary"]["qc"]["z_prime"].get<double>(), 3)));
  CHECK_THAT(page, Catch::Contains("<td>driver (at the run)</td><td>sim-plate-reader</td>"));
  CHECK_THAT(page, Catch::Contains("<td>software (at the run)</td><td>assayd " ASSAY_VERSION "</td>"));
  CHECK_THAT(page, Catch::Contains("<td>submitted</td>"));
  CHECK_THAT(page, Catch::Contains("&quot;barcode&quot;: &quot;CA-96-0001&quot;"));
  // The run recorded what made it.
  const auto provenance = results["summary"]["provenance"];
  CHECK(provenance["software_version"] == ASSAY_VERSION);
  CHECK(provenance["instrument"]["name"] == "sim-reader");

  // Standard output with --out -; an unknown job is not found (exit 4).
  auto to_stdout = run_assayctl(daemon.ctl_options() + "report " + id + " --out -", false);
  CHECK(to_stdout.exit_code == 0);
  CHECK_THAT(to_stdout.out, Catch::StartsWith("<!DOCTYPE html>"));
  auto missing = run_assayctl(daemon.ctl_options() + "report J999999 --out " + (daemon.state_dir() / "x.html").string());
  CHECK(missing.exit_code == 4);
  CHECK_THAT(missing.out, Catch::Contains("no job 'J999999'"));
}

TEST_CASE("report of a chemotaxis job: both readouts, the no-chemokine level in every curve") {
  assay::testing::HarnessOptions options;
  options.config_toml = assay::testing::default_config_with_time_scale(0.0);
  DaemonHarness daemon(options);
  for (const char* example : {"chemotaxis_absorbance.json", "chemotaxis_imaging.json"}) {
    INFO(example);
    std::string id;
    json results;
    auto job = example_job(example);
    if (job["params"].contains("fields")) job["params"]["fields"] = {{0, 0}, {1.2, 0}, {-1.2, 0}};  // quicker
    const auto page = report_of(daemon, job, id, results);
    check_self_contained(page);
    for (const char* section : {"result", "qc", "plate", "dose-response", "flags", "provenance"}) {
      CHECK_THAT(page, Catch::Contains("<section id=\"" + std::string(section) + "\">"));
    }
    const auto& ic50 = results["summary"]["ic50"];
    CHECK(count_of(page, "<figure class=\"curve\">") == ic50.size());
    CHECK(count_of(page, ">no chemokine ") == ic50.size());
    CHECK_THAT(page, Catch::Contains("chemotactic index"));
    for (const auto& [compound, s] : ic50.items()) {
      if (s["ic50"]["value"].is_number()) CHECK_THAT(page, Catch::Contains(compound + ": IC50 " + ic50_text(s["ic50"])));
    }
    if (std::string(example) == "chemotaxis_absorbance.json") {
      // The raw OD of all 24 wells, and the blank-corrected value of the 22 inserts with cells.
      CHECK_THAT(page, Catch::Contains("abs590 (raw)"));
      CHECK(count_of(page, "<g class=\"well\"><title>") == 24 + 22);
    } else {
      CHECK_THAT(page, Catch::Contains("Migration per insert"));
      CHECK(count_of(page, "<img alt=\"contact sheet\" src=\"data:image/jpeg;base64,") == 1);
      CHECK_THAT(page, Catch::Contains("<section id=\"fields\">"));
    }
  }
}

TEST_CASE("report of a CFU job: overlays with a colour legend and counts per dish, plate_read gets a heatmap") {
  DaemonHarness daemon;
  std::string id;
  json results;
  const auto page = report_of(daemon, example_job("cfu_dish6.json"), id, results);
  check_self_contained(page);
  CHECK_THAT(page, Catch::Contains("<section id=\"colonies\">"));
  CHECK(count_of(page, "<figure class=\"dish\"><img alt=\"colonies of dish ") == 6);
  for (const char* cls : {"CFU-GM", "BFU-E", "CFU-GEMM", "dish edge"}) CHECK_THAT(page, Catch::Contains(cls));
  CHECK(count_of(page, "class=\"swatch\"") >= 6);
  for (const auto& dish : results["summary"]["dishes"]) {
    const auto well = dish["well"].get<std::string>();
    CHECK_THAT(page, Catch::Contains("<tr><td>" + well + "</td><td>" + dish["sample"].get<std::string>() + "</td><td>" +
                                     dish["colonies"].dump()));
  }
  CHECK_THAT(page, Catch::Contains("Colonies per dish"));
  CHECK_THAT(page, Catch::Contains("mPB donor 12"));
  CHECK(page.size() < 6u * 1024 * 1024);  // six dish photographs, scaled for the page

  const auto plate = report_of(daemon, example_job("demo_plate_read.json"), id, results);
  check_self_contained(plate);
  CHECK_THAT(plate, Catch::Contains("<section id=\"plate\">"));
  CHECK(count_of(plate, "<g class=\"well\"><title>") == 16 * results["summary"]["channels"].size());
  CHECK_THAT(plate, Catch::Contains("(raw)"));
}

TEST_CASE("while reports are being made, the daemon answers other requests at once") {
  DaemonHarness daemon;
  auto id = daemon.submit(example_job("cfu_dish6.json"));
  REQUIRE(daemon.wait_for_state(id, "succeeded", scaled(std::chrono::seconds(600)))["state"] == "succeeded");
  // One client asks for three reports (six dish photographs each), then pings. Made on the io
  // thread, the ping would wait behind every report.
  zmq::socket_t dealer(daemon.context(), zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(daemon.api_endpoint());
  for (const char* request : {"r1", "r2", "r3"}) {
    const json body{{"v", 1}, {"id", request}, {"op", "report.get"}, {"job_id", id}};
    dealer.send(zmq::buffer(body.dump()), zmq::send_flags::none);
  }
  dealer.send(zmq::str_buffer(R"({"v":1,"id":"p","op":"ping"})"), zmq::send_flags::none);
  std::vector<std::string> order;
  std::size_t report_bytes = 0;
  while (order.size() < 4) {
    zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, scaled(std::chrono::seconds(120)));
    REQUIRE((item.revents & ZMQ_POLLIN));
    zmq::message_t frame;
    (void)dealer.recv(frame);
    const auto reply = json::parse(frame.to_string_view());
    INFO(reply.dump().substr(0, 300));
    REQUIRE(reply["ok"] == true);
    order.push_back(reply["id"].get<std::string>());
    if (order.back() != "p") report_bytes = reply["result"]["bytes"].get<std::size_t>();
  }
  CHECK(order == std::vector<std::string>{"p", "r1", "r2", "r3"});
  CHECK(report_bytes > 100000);
  // A report asked for a job that does not exist is refused at once, not after the others.
  auto missing = daemon.request("report.get", {{"job_id", "J999999"}});
  CHECK(missing["error"]["code"] == "not_found");
}

TEST_CASE("the report renders in headless Chromium with its figures") {
  DaemonHarness daemon;
  std::string id;
  json results;
  const auto page = report_of(daemon, example_job("calcium_flux_96.json"), id, results);
  const auto html = daemon.state_dir() / "render.html";
  std::ofstream(html, std::ios::binary) << page;
  const auto png = daemon.state_dir() / "render.png";
  auto run = run_command(std::string(ASSAY_SOURCE_DIR) + "/scripts/report_screenshot.sh " + html.string() + " " +
                         png.string() + " 1280,3000 2>&1");
  if (run.exit_code == 77) assay::testing::skip_test("chromium is not installed");
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  // The DOM the browser built holds the sections and the inline SVG figures.
  const auto dom = read_text(png.string() + ".dom.html");
  for (const char* section : {"result", "qc", "plate", "dose-response", "kinetics", "provenance"}) {
    CHECK_THAT(dom, Catch::Contains("<section id=\"" + std::string(section) + "\">"));
  }
  CHECK(count_of(dom, "<svg ") >= 5);
  // The screenshot shows a page, not a blank or an error: the right size, many colours, ink.
  cv::Mat shot = cv::imread(png.string(), cv::IMREAD_COLOR);
  REQUIRE_FALSE(shot.empty());
  CHECK(shot.cols == 1280);
  CHECK(shot.rows == 3000);
  cv::Mat grey;
  cv::cvtColor(shot, grey, cv::COLOR_BGR2GRAY);
  const double ink = 1.0 - cv::countNonZero(grey > 245) / static_cast<double>(grey.total());
  CHECK(ink > 0.05);
  cv::Scalar mean, sd;
  cv::meanStdDev(shot, mean, sd);
  CHECK(sd[0] > 20);
}

TEST_CASE("the colony legend of the report shows the colours the overlay draws") {
  using namespace assay::protocols;
  imaging::ColonyCount count;
  const std::vector<std::pair<imaging::ColonyClass, int>> classes{
      {imaging::ColonyClass::cfu_gm, 0}, {imaging::ColonyClass::bfu_e, 1}, {imaging::ColonyClass::cfu_gemm, 2},
      {imaging::ColonyClass::colony, 3}, {imaging::ColonyClass::unknown, 4}};
  for (const auto& [cls, i] : classes) {
    imaging::Colony colony;
    colony.cls = cls;
    const int x = 100 + 150 * i;
    colony.centre_px = {x + 40.0, 440.0};
    colony.outline = {{x, 400}, {x + 80, 400}, {x + 80, 480}, {x, 480}};
    count.colonies.push_back(colony);
  }
  count.count = static_cast<int>(count.colonies.size());
  count.dish.found = true;
  count.dish.centre_px = {1200, 1200};
  count.dish.radius_px = 800;
  // Wide enough for 2 px lines (the overlay scales them with the image), whose core is the pure colour.
  const cv::Mat overlay = imaging::draw_colony_overlay(cv::Mat(2400, 2400, CV_8UC3, cv::Scalar(128, 128, 128)), count);
  // The drawn colour nearest the legend's around a point of the outline (lines are anti-aliased).
  auto matches_near = [&](int x, int y, const std::string& hex) {
    const int r = std::stoi(hex.substr(1, 2), nullptr, 16), g = std::stoi(hex.substr(3, 2), nullptr, 16),
              b = std::stoi(hex.substr(5, 2), nullptr, 16);
    int best = 1 << 30;
    for (int dy = -3; dy <= 3; ++dy) {
      for (int dx = -3; dx <= 3; ++dx) {
        const auto p = overlay.at<cv::Vec3b>(y + dy, x + dx);
        best = std::min(best, std::abs(p[2] - r) + std::abs(p[1] - g) + std::abs(p[0] - b));
      }
    }
    return best <= 24;
  };
  std::map<std::string, cv::Point> on_outline;
  for (const auto& [cls, i] : classes) on_outline[imaging::to_string(cls)] = {100 + 150 * i + 40, 400};
  on_outline["dish edge"] = {1200, 400};
  const auto& legend = report::colony_legend();
  REQUIRE(legend.size() == on_outline.size());
  for (const auto& entry : legend) {
    INFO(entry.name << " " << entry.hex);
    REQUIRE(on_outline.count(entry.name));
    const auto at = on_outline.at(entry.name);
    CHECK(matches_near(at.x, at.y, entry.hex));
    // and not a colour that is everywhere (the grey background)
    CHECK_FALSE(matches_near(at.x, at.y + 30, entry.hex));
  }
}
