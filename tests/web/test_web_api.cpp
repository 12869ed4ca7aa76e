// The web server's JSON views, files and refusals, over real sockets against a running assayd
// with the simulators: the views answer exactly what the ZeroMQ API answers; /files serves a
// job's own files only; malformed, oversized and foreign requests get clear 4xx answers and the
// daemon keeps serving.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "support/command.hpp"
#include "support/daemon_harness.hpp"
#include "web/web_client.hpp"

using assay::testing::DaemonHarness;
using assay::testing::example_job;
using assay::testing::http_get;
using assay::testing::http_request;
using assay::testing::raw_exchange;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

assay::testing::HarnessOptions fast_sims() {
  assay::testing::HarnessOptions options;
  options.config_toml = assay::testing::default_config_with_time_scale(0.005);
  return options;
}

std::string status_line(const std::string& answer) { return answer.substr(0, answer.find("\r\n")); }

}  // namespace

TEST_CASE("web views answer what the ZeroMQ API answers for the same data") {
  DaemonHarness daemon(fast_sims());
  const auto port = assay::testing::port_of(daemon.web_url());
  const auto id = daemon.submit(example_job("calcium_flux_96.json"));
  REQUIRE(daemon.wait_for_state(id, "succeeded", std::chrono::seconds(120))["state"] == "succeeded");

  auto view = [&](const std::string& target) {
    auto reply = http_get(port, target);
    INFO(target << " -> " << reply.status << " " << reply.body);
    REQUIRE(reply.status == 200);
    CHECK(reply.headers["content-type"] == "application/json");
    return reply.json();
  };
  CHECK(view("/api/v1/instruments") == daemon.call("instruments.list"));
  CHECK(view("/api/v1/protocols") == daemon.call("protocols.list"));
  CHECK(view("/api/v1/jobs") == daemon.call("jobs.list"));
  CHECK(view("/api/v1/jobs?state=succeeded&limit=5") == daemon.call("jobs.list", {{"state", "succeeded"}, {"limit", 5}}));
  CHECK(view("/api/v1/jobs/" + id) == daemon.call("jobs.get", {{"job_id", id}}));
  CHECK(view("/api/v1/jobs/" + id + "/results") == daemon.call("results.get", {{"job_id", id}}));
  CHECK(view("/api/v1/jobs/" + id + "/results?kind=series") ==
        daemon.call("results.get", {{"job_id", id}, {"kind", "series"}}));
  CHECK(view("/api/v1/jobs/" + id + "/images") == daemon.call("images.list", {{"job_id", id}}));
  CHECK(view("/api/v1/events?since=3&limit=7") == daemon.call("events.since", {{"seq", 3}, {"limit", 7}}));

  // Readings page on exactly as readings.get does; the pages together are every reading.
  auto first = view("/api/v1/jobs/" + id + "/readings?limit=500");
  CHECK(first == daemon.call("readings.get", {{"job_id", id}, {"limit", 500}}));
  REQUIRE(first["rows"].size() == 500);
  auto second = view("/api/v1/jobs/" + id + "/readings?after_id=" + std::to_string(first["last_id"].get<std::int64_t>()) + "&limit=500");
  CHECK(second == daemon.call("readings.get", {{"job_id", id}, {"after_id", first["last_id"]}, {"limit", 500}}));
  CHECK(second["rows"][0] != first["rows"][499]);
  std::size_t total = 0;
  for (std::int64_t after = 0;;) {
    auto page = view("/api/v1/jobs/" + id + "/readings?after_id=" + std::to_string(after) + "&limit=3000");
    total += page["rows"].size();
    if (page["rows"].empty()) break;
    after = page["last_id"];
  }
  CHECK(static_cast<std::int64_t>(total) == daemon.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + id + "'"));

  // Errors carry the API's code and words with an HTTP status.
  auto missing = http_get(port, "/api/v1/jobs/J999999");
  CHECK(missing.status == 404);
  CHECK(missing.json()["error"]["code"] == "not_found");
  auto typo = http_get(port, "/api/v1/jobs?limt=3");
  CHECK(typo.status == 400);
  CHECK(typo.json()["error"]["code"] == "unknown_field");
  CHECK(typo.json()["error"]["message"].get<std::string>().find("limit") != std::string::npos);
  auto word = http_get(port, "/api/v1/jobs/" + id + "/readings?limit=many");
  CHECK(word.status == 400);
  CHECK(word.json()["error"]["code"] == "wrong_type");
  CHECK(http_get(port, "/api/v1/jobs?limit=0").json()["error"]["code"] == "out_of_range");
  CHECK(http_get(port, "/api/v1/jobs?state=dreaming").status == 400);
  CHECK(http_get(port, "/api/v1/jobs/" + id + "/results?kind=serie").json()["error"]["message"].get<std::string>().find("series") != std::string::npos);
  CHECK(http_get(port, "/api/v2/jobs").status == 404);
  CHECK(http_get(port, "/nothing/here").status == 404);
  CHECK(http_get(port, "/events").status == 426);

  // The page itself: one document, no external fetches allowed by its policy.
  auto page = http_get(port, "/");
  CHECK(page.status == 200);
  CHECK(page.headers["content-type"] == "text/html; charset=utf-8");
  CHECK(page.headers["content-security-policy"].find("default-src 'none'") != std::string::npos);
  CHECK(page.body.find("<script>") != std::string::npos);
  CHECK(page.body.find("src=\"http") == std::string::npos);
  CHECK(page.body.find("href=\"http") == std::string::npos);
}

TEST_CASE("GET /files serves a job's own files and refuses every path outside its folder") {
  DaemonHarness daemon(fast_sims());
  const auto port = assay::testing::port_of(daemon.web_url());
  const auto id = daemon.submit(example_job("calcium_flux_96.json"));
  REQUIRE(daemon.wait_for_state(id, "succeeded", std::chrono::seconds(120))["state"] == "succeeded");
  const auto other = daemon.submit(example_job("calcium_flux_96.json"));
  REQUIRE(daemon.wait_for_state(other, "succeeded", std::chrono::seconds(120))["state"] == "succeeded");

  const auto job_dir = daemon.state_dir() / "jobs" / id;
  fs::path figure;
  for (const auto& entry : fs::directory_iterator(job_dir)) {
    if (entry.path().extension() == ".svg" || entry.path().extension() == ".png") figure = entry.path();
  }
  REQUIRE(!figure.empty());
  auto served = http_get(port, "/files/" + id + "/" + figure.filename().string());
  CHECK(served.status == 200);
  std::ifstream in(figure, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(served.body == bytes);
  CHECK((served.headers["content-type"] == "image/svg+xml" || served.headers["content-type"] == "image/png"));
  CHECK(served.headers["content-security-policy"].find("sandbox") != std::string::npos);

  // A link inside the job's folder that leads out of it, and one to the other job's folder.
  fs::create_symlink(daemon.state_dir() / "assayd.db", job_dir / "database-link");
  fs::create_symlink(daemon.state_dir() / "jobs" / other, job_dir / "other-job");
  const std::vector<std::pair<std::string, unsigned>> refused{
      {"/files/" + id + "/../../assayd.db", 400},
      {"/files/" + id + "/%2e%2e/%2e%2e/assayd.db", 400},
      {"/files/" + id + "/..%2f..%2fassayd.db", 400},
      {"/files/" + id + "/./" + figure.filename().string(), 400},
      {"/files/" + id + "//etc/passwd", 400},
      {"/files/" + id + "/..\\..\\assayd.db", 400},
      {"/files/" + id + "/%00", 400},
      {"/files/" + id + "/../" + other + "/" + figure.filename().string(), 400},
      {"/files/..%2f..%2fassayd.db/x", 400},
      {"/files/" + id + "/database-link", 403},
      {"/files/" + id + "/other-job/" + figure.filename().string(), 403},
      {"/files/" + id + "/no-such-file.png", 404},
      {"/files/J999999/" + figure.filename().string(), 404},
      {"/files/" + id, 400},
  };
  for (const auto& [target, status] : refused) {
    auto reply = http_get(port, target);
    INFO(target << " -> " << reply.status << " " << reply.body);
    CHECK(reply.status == status);
    CHECK(reply.body.find("SQLite format") == std::string::npos);
    CHECK(reply.json().contains("error"));
  }
  // The same paths sent raw, unnormalised by any client library.
  auto raw = raw_exchange(port, "GET /files/" + id + "/../../assayd.db HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  CHECK(status_line(raw) == "HTTP/1.1 400 Bad Request");
  CHECK(raw.find("SQLite format") == std::string::npos);
}

TEST_CASE("malformed, oversized and foreign HTTP requests get a clear 4xx and assayd keeps serving") {
  DaemonHarness daemon(fast_sims());
  const auto port = assay::testing::port_of(daemon.web_url());

  CHECK(status_line(raw_exchange(port, "HELLO THERE\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  CHECK(status_line(raw_exchange(port, "GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  CHECK(status_line(raw_exchange(port, "GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  CHECK(status_line(raw_exchange(port, "GET /api/v1/jobs HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  CHECK(status_line(raw_exchange(port, "GET api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).find(" 400 ") != std::string::npos);
  CHECK(status_line(raw_exchange(port, "GET /api/v1/jobs/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
  auto binary = std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::string(200, '\0');
  CHECK(status_line(raw_exchange(port, binary)) == "HTTP/1.1 400 Bad Request");  // a TLS hello to plain HTTP

  const std::string big_header = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + std::string(40000, 'a') + "\r\n\r\n";
  auto header_answer = raw_exchange(port, big_header);
  CHECK(status_line(header_answer) == "HTTP/1.1 431 Request Header Fields Too Large");
  CHECK(header_answer.find("16 KiB") != std::string::npos);
  auto body_answer = raw_exchange(port, "POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000000\r\n\r\n" + std::string(100000, '{'));
  CHECK(status_line(body_answer) == "HTTP/1.1 413 Payload Too Large");

  auto wrong_host = http_request(port, "GET", "/api/v1/jobs", {{"Host", "attacker.example:8470"}});
  CHECK(wrong_host.status == 421);
  CHECK(wrong_host.json()["error"]["message"].get<std::string>().find("allowed_hosts") != std::string::npos);
  CHECK(status_line(raw_exchange(port, "GET / HTTP/1.0\r\n\r\n")) == "HTTP/1.0 421 Misdirected Request");
  auto put = http_request(port, "PUT", "/api/v1/jobs", {}, "{}");
  CHECK(put.status == 405);
  CHECK(put.headers["allow"] == "GET");

  // Read-only without a token: submit and cancel do not exist.
  auto submit = http_request(port, "POST", "/api/v1/jobs", {{"Content-Type", "application/json"}}, example_job("calcium_flux_96.json").dump());
  CHECK(submit.status == 405);
  CHECK(submit.json()["error"]["message"].get<std::string>().find("token_file") != std::string::npos);
  CHECK(http_request(port, "POST", "/api/v1/jobs/J000001/cancel").status == 405);
  CHECK(http_get(port, "/api/v1/web").json() == json{{"token_routes", false}});
  CHECK(daemon.call("jobs.list")["jobs"].empty());

  // A client that sends half a request and stalls holds no one up.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket stalled(io);
  stalled.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(stalled, boost::asio::buffer(std::string("GET /api/v1/jobs HTTP/1.1\r\nHost: 127.")));
  const auto start = std::chrono::steady_clock::now();
  CHECK(http_get(port, "/api/v1/instruments").status == 200);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));

  // Keep-alive: several requests on one connection.
  auto pipelined = raw_exchange(port, "GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                      "GET /api/v1/instruments HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  CHECK(pipelined.find("\"pong\":true") != std::string::npos);
  CHECK(pipelined.find("sim-reader") != std::string::npos);

  CHECK(daemon.running());
  CHECK(daemon.call("ping")["pong"] == true);
}

TEST_CASE("submit and cancel work with the configured bearer token and only with it") {
  auto options = fast_sims();
  auto dir = fs::temp_directory_path() / ("assayd-web-token-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string token = "Zq3vR8t2Lw9xK4pN7mYc1Hs6";
  std::ofstream(dir / "web.token") << token << "\n";
  fs::permissions(dir / "web.token", fs::perms::owner_read | fs::perms::owner_write);
  options.config_toml += "\n";
  options.config_toml.replace(options.config_toml.find("max_connections = 512"), 21,
                              "max_connections = 512\ntoken_file = \"" + (dir / "web.token").string() + "\"");
  DaemonHarness daemon(options);
  const auto port = assay::testing::port_of(daemon.web_url());
  CHECK(http_get(port, "/api/v1/web").json() == json{{"token_routes", true}});

  auto job = example_job("calcium_flux_96.json");
  auto none = http_request(port, "POST", "/api/v1/jobs", {}, job.dump());
  CHECK(none.status == 401);
  CHECK(none.headers["www-authenticate"].find("Bearer") == 0);
  CHECK(http_request(port, "POST", "/api/v1/jobs", {{"Authorization", "Bearer " + token + "x"}}, job.dump()).status == 401);
  CHECK(http_request(port, "POST", "/api/v1/jobs", {{"Authorization", "Bearer " + token.substr(0, 10)}}, job.dump()).status == 401);
  CHECK(http_request(port, "POST", "/api/v1/jobs", {{"Authorization", token}}, job.dump()).status == 401);
  CHECK(daemon.call("jobs.list")["jobs"].empty());

  const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + token}, {"Idempotency-Key", "web-1"}};
  CHECK(http_request(port, "POST", "/api/v1/jobs", auth, "{not json").status == 400);
  auto bad = http_request(port, "POST", "/api/v1/jobs", auth, R"({"protocol": "calcium_flux", "instrument": "nowhere"})");
  CHECK(bad.status == 400);
  auto created = http_request(port, "POST", "/api/v1/jobs", auth, job.dump());
  REQUIRE(created.status == 201);
  const auto id = created.json()["job_id"].get<std::string>();
  auto again = http_request(port, "POST", "/api/v1/jobs", auth, job.dump());
  CHECK(again.json()["job_id"] == id);
  CHECK(again.json()["duplicate"] == true);
  CHECK(daemon.call("jobs.get", {{"job_id", id}})["protocol"] == "calcium_flux");

  CHECK(http_request(port, "POST", "/api/v1/jobs/" + id + "/cancel").status == 401);
  auto cancelled = http_request(port, "POST", "/api/v1/jobs/" + id + "/cancel", {{"Authorization", "Bearer " + token}});
  CHECK(cancelled.status == 200);
  CHECK((cancelled.json()["state"] == "cancelled" || cancelled.json()["state"] == "cancelling"));
  CHECK(daemon.wait_for_state(id, "cancelled")["state"] == "cancelled");
  CHECK(http_request(port, "POST", "/api/v1/jobs/" + id + "/cancel", {{"Authorization", "Bearer " + token}}).status == 409);
  fs::remove_all(dir);
}

TEST_CASE("a token file readable by every user stops the start with words saying what to fix") {
  auto dir = fs::temp_directory_path() / ("assayd-web-open-token-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "web.token") << "Zq3vR8t2Lw9xK4pN7mYc1Hs6\n";
  fs::permissions(dir / "web.token", fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  auto config = assay::testing::default_config_with_time_scale(0.005);
  config.replace(config.find("max_connections = 512"), 21,
                 "max_connections = 512\ntoken_file = \"" + (dir / "web.token").string() + "\"");
  std::ofstream(dir / "assayd.toml") << config;
  auto run = assay::testing::run_command(std::string(ASSAY_BIN_DIR) + "/assayd --config " + (dir / "assayd.toml").string() +
                                         " --state-dir " + (dir / "state").string() + " --web-listen 127.0.0.1:0 2>&1");
  CHECK(run.exit_code == 1);
  CHECK(run.out.find("web.token") != std::string::npos);
  CHECK(run.out.find("chmod 600") != std::string::npos);
  fs::remove_all(dir);
}
