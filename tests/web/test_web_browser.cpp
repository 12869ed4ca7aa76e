// The dashboard in a real headless Chromium against a real assayd with the simulators: the page
// shows the instruments, follows a calcium-flux job live (progress moving, kinetic traces drawn),
// catches up with no gap after its WebSocket is dropped mid-job, and ends with the IC50s and
// their confidence intervals. Screenshots are written beside the build for a person to look at.
#include <catch2/catch.hpp>

#include <filesystem>

#include "support/daemon_harness.hpp"
#include "web/headless_browser.hpp"

using assay::testing::DaemonHarness;
using assay::testing::example_job;
using assay::testing::HeadlessBrowser;
using nlohmann::json;

namespace {

std::filesystem::path screenshot_path(const std::string& name) {
  return std::filesystem::path(ASSAY_BIN_DIR).parent_path() / name;
}

}  // namespace

TEST_CASE("the dashboard in Chromium follows a calcium-flux job live and shows its IC50s with CIs") {
  assay::testing::HarnessOptions options;
  options.config_toml = assay::testing::readers_only_config(0.15);  // about 20 s of kinetic reading
  DaemonHarness daemon(options);
  const auto url = daemon.web_url();
  HeadlessBrowser browser(1400, 1500);

  const auto load_start = std::chrono::steady_clock::now();
  browser.navigate(url);
  REQUIRE(browser.wait_until("document.querySelectorAll('#instruments tr[data-instrument]').length === 1",
                             std::chrono::seconds(30)));
  REQUIRE(browser.wait_until("document.querySelector('#conn').className === 'live'", std::chrono::seconds(30)));
  const auto load_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - load_start).count();
  CHECK(browser.evaluate("document.querySelector('#instruments tr[data-instrument=\"sim-reader\"]').dataset.state") == "online");

  // The job is submitted after the page loaded: all it shows of it came over the WebSocket.
  const auto id = daemon.submit(example_job("calcium_flux_96.json"));
  const std::string job = "document.querySelector('#job[data-job=\"" + id + "\"]')";
  REQUIRE(browser.wait_until(job + " && " + job + ".dataset.state === 'running' && Number(" + job +
                                 ".dataset.progress) > 0 && document.querySelectorAll('#traces polyline.trace').length === 96",
                             std::chrono::seconds(60)));
  CHECK(browser.evaluate("document.querySelector('#jobs tr[data-job=\"" + id + "\"]').dataset.state") == "running");
  REQUIRE(browser.wait_until("document.querySelector('#instruments tr[data-instrument=\"sim-reader\"] td:last-child').textContent === '" +
                                 id + "'", std::chrono::seconds(10)));
  const double first_progress = browser.evaluate("Number(" + job + ".dataset.progress)").get<double>();
  const int first_points = browser.evaluate("Number(document.querySelector('#traces').dataset.points)").get<int>();

  // Drop the page's WebSocket mid-job: it reconnects with ?since= and misses nothing.
  browser.evaluate("state.ws.close(), true");
  REQUIRE(browser.wait_until("Number(" + job + ".dataset.progress) > " + std::to_string(first_progress + 0.05),
                             std::chrono::seconds(60)));
  CHECK(browser.evaluate("Number(document.querySelector('#traces').dataset.points)").get<int>() > first_points);
  browser.screenshot(screenshot_path("web-dashboard-running.png"));

  REQUIRE(daemon.wait_for_state(id, "succeeded", std::chrono::seconds(120))["state"] == "succeeded");
  REQUIRE(browser.wait_until("document.querySelectorAll('.ic50[data-ci-low]').length === 2", std::chrono::seconds(30)));
  const auto last_seq = daemon.call("ping")["last_seq"].get<std::int64_t>();
  REQUIRE(browser.wait_until("Number(document.querySelector('#conn').dataset.lastSeq) === " + std::to_string(last_seq),
                             std::chrono::seconds(10)));
  CHECK(browser.evaluate("document.querySelector('#conn').dataset.gaps") == "0");
  CHECK(browser.evaluate("document.querySelector('#job').dataset.state") == "succeeded");
  CHECK(browser.evaluate("document.querySelectorAll('#traces polyline.trace').length") == 96);
  CHECK(browser.evaluate("document.querySelector('#traces').dataset.points") ==
        std::to_string(daemon.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + id + "'")));

  // The page's IC50s and CIs are the job's.
  const auto summary = daemon.call("results.get", {{"job_id", id}})["summary"];
  for (const auto& compound : {"balixafortide", "plerixafor"}) {
    const auto ic50 = summary["series"][compound]["ic50"];
    const std::string card = std::string("document.querySelector('.ic50[data-compound=\"") + compound + "\"]')";
    CHECK(std::stod(browser.evaluate(card + ".dataset.ic50").get<std::string>()) == Approx(ic50["value"].get<double>()));
    CHECK(std::stod(browser.evaluate(card + ".dataset.ciLow").get<std::string>()) == Approx(ic50["ci_low"].get<double>()));
    CHECK(std::stod(browser.evaluate(card + ".dataset.ciHigh").get<std::string>()) == Approx(ic50["ci_high"].get<double>()));
    const auto words = browser.evaluate(card + ".textContent").get<std::string>();
    CHECK(words.find("IC50") != std::string::npos);
    CHECK(words.find("95% CI") != std::string::npos);
  }
  CHECK(browser.evaluate("document.querySelectorAll('svg.curve polyline.fit').length") == 2);
  CHECK(browser.evaluate("document.querySelectorAll('#heatmap rect').length") == 96);
  CHECK(browser.evaluate("document.querySelector('#qc .verdict').textContent") ==
        (summary["qc"]["pass"].get<bool>() ? "pass" : "fail"));
  CHECK(browser.evaluate("document.querySelectorAll('#log li').length").get<int>() > 10);
  browser.screenshot(screenshot_path("web-dashboard-result.png"));

  const auto latency = browser.evaluate("document.querySelector('#conn').dataset.latencyMs");
  WARN("page load to live (instruments shown, WebSocket open): " << load_ms << " ms; event-to-screen p50 over the last "
       "200 events: " << latency << " ms; screenshots: " << screenshot_path("web-dashboard-running.png").string() << ", "
       << screenshot_path("web-dashboard-result.png").string());
}

TEST_CASE("the dashboard in Chromium shows a CFU job's colony overlays and counts") {
  assay::testing::HarnessOptions options;
  options.config_toml = assay::testing::default_config_with_time_scale(0.002);
  DaemonHarness daemon(options);
  const auto id = daemon.submit(example_job("cfu_dish6.json"));
  REQUIRE(daemon.wait_for_state(id, "succeeded", std::chrono::seconds(240))["state"] == "succeeded");
  HeadlessBrowser browser(1400, 1400);
  browser.navigate(daemon.web_url());
  REQUIRE(browser.wait_until("document.querySelectorAll('.overlay[data-well]').length === 6", std::chrono::seconds(30)));
  REQUIRE(browser.wait_until("[...document.querySelectorAll('.overlay img')].every((img) => img.complete && img.naturalWidth > 0)",
                             std::chrono::seconds(30)));
  CHECK(browser.evaluate("document.querySelectorAll('.overlay img').length") == 6);
  const auto summary = daemon.call("results.get", {{"job_id", id}})["summary"];
  for (const auto& dish : summary["dishes"]) {
    const auto well = dish["well"].get<std::string>();
    CHECK(browser.evaluate("document.querySelector('.overlay[data-well=\"" + well + "\"]').dataset.colonies") ==
          std::to_string(dish["colonies"].get<int>()));
  }
  browser.screenshot(screenshot_path("web-dashboard-cfu.png"));
}
