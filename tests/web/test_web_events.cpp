// The WebSocket event stream at /events over real sockets: every stored event once and in seq
// order, catch-up after a dropped connection with ?since= and no gap, the same bodies as the
// ZeroMQ API's events.since, 200 browsers at once, a client that stops reading, and foreign
// origins refused.
#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <set>

#include "support/daemon_harness.hpp"
#include "web/web_client.hpp"

using assay::testing::DaemonHarness;
using assay::testing::EventClient;
using assay::testing::example_job;
using nlohmann::json;

namespace {

assay::testing::HarnessOptions readers(double time_scale) {
  assay::testing::HarnessOptions options;
  options.config_toml = assay::testing::readers_only_config(time_scale);
  return options;
}

bool ends_job(const json& event, const std::string& id) {
  return event["topic"] == "job." + id + ".state" &&
         (event["state"] == "succeeded" || event["state"] == "failed" || event["state"] == "cancelled");
}

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace

TEST_CASE("a WebSocket client that reconnects with since gets every event once, in order, as events.since has them") {
  DaemonHarness daemon(readers(0.02));
  const auto port = assay::testing::port_of(daemon.web_url());
  const auto start_seq = daemon.call("ping")["last_seq"].get<std::int64_t>();
  const auto id = daemon.submit(example_job("calcium_flux_96.json"));

  std::vector<json> received;
  {
    EventClient first(port, start_seq);
    while (received.size() < 6) {
      auto event = first.next_event(std::chrono::seconds(30));
      REQUIRE(event);
      received.push_back(*event);
    }
  }  // dropped mid-job; the job goes on storing readings
  daemon.wait_for_readings(id, 96 * 10);

  EventClient second(port, received.back()["seq"].get<std::int64_t>());
  while (!ends_job(received.back(), id)) {
    auto event = second.next_event(std::chrono::seconds(60));
    REQUIRE(event);
    received.push_back(*event);
  }
  for (std::size_t i = 0; i < received.size(); ++i) {
    INFO("event " << i);
    REQUIRE(received[i]["seq"].get<std::int64_t>() == start_seq + 1 + static_cast<std::int64_t>(i));
  }
  // The very same documents the ZeroMQ API gives for that range.
  std::vector<json> stored;
  for (std::int64_t seq = start_seq; stored.size() < received.size();) {
    auto page = daemon.call("events.since", {{"seq", seq}, {"limit", 1000}})["events"];
    REQUIRE(!page.empty());
    for (auto& event : page) stored.push_back(event);
    seq = stored.back()["seq"];
  }
  stored.resize(received.size());
  CHECK(json(received) == json(stored));

  // since=0 replays the log from the start; a since past the end waits for new events.
  EventClient replay(port, 0);
  auto oldest = replay.next_event(std::chrono::seconds(10));
  REQUIRE(oldest);
  CHECK((*oldest)["seq"] == 1);
  EventClient future(port, 1000000);
  auto heartbeat = future.next(std::chrono::seconds(10));
  REQUIRE(heartbeat);
  CHECK((*heartbeat)["topic"] == "heartbeat");
  CHECK((*heartbeat)["seq"] == daemon.call("ping")["last_seq"]);
}

TEST_CASE("the event stream refuses other sites' pages and bad since values before upgrading") {
  DaemonHarness daemon(readers(0.02));
  const auto port = assay::testing::port_of(daemon.web_url());
  CHECK_THROWS(EventClient(port, 0, "http://attacker.example"));
  auto upgrade = [&](const std::string& target, const std::string& origin) {
    return assay::testing::raw_exchange(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                                                  "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                                                  origin + "\r\n",
                                        std::chrono::seconds(2));
  };
  auto foreign = upgrade("/events", "Origin: http://attacker.example\r\n");
  CHECK(foreign.rfind("HTTP/1.1 403", 0) == 0);
  CHECK(foreign.find("attacker.example") != std::string::npos);
  CHECK(upgrade("/events?since=-4", "").rfind("HTTP/1.1 400", 0) == 0);
  CHECK(upgrade("/events?since=abc", "").rfind("HTTP/1.1 400", 0) == 0);
  CHECK(upgrade("/events?sinse=4", "").rfind("HTTP/1.1 400", 0) == 0);
  CHECK(upgrade("/elsewhere", "").rfind("HTTP/1.1 404", 0) == 0);
  CHECK(upgrade("/events?since=0", "Origin: http://127.0.0.1:" + std::to_string(port) + "\r\n").rfind("HTTP/1.1 101", 0) == 0);
  EventClient same_site(port, 0, "http://127.0.0.1:" + std::to_string(port));
  CHECK(same_site.next(std::chrono::seconds(10)));
}

TEST_CASE("200 WebSocket clients at once each get every event of a job in order") {
  DaemonHarness daemon(readers(0.02));
  const auto port = assay::testing::port_of(daemon.web_url());
  const long rss_before = rss_kib(daemon.pid());
  const auto start_seq = daemon.call("ping")["last_seq"].get<std::int64_t>();
  std::vector<std::unique_ptr<EventClient>> clients;
  for (int i = 0; i < 200; ++i) clients.push_back(std::make_unique<EventClient>(port, start_seq));
  const long rss_connected = rss_kib(daemon.pid());
  const auto id = daemon.submit(example_job("calcium_flux_96.json"));
  REQUIRE(daemon.wait_for_state(id, "succeeded", std::chrono::seconds(120))["state"] == "succeeded");
  const long rss_after_job = rss_kib(daemon.pid());
  const auto last_seq = daemon.call("ping")["last_seq"].get<std::int64_t>();
  // Each client's events sit in its socket buffers; read them one client after another.
  for (std::size_t c = 0; c < clients.size(); ++c) {
    std::int64_t expected = start_seq + 1;
    while (expected <= last_seq) {
      auto event = clients[c]->next_event(std::chrono::seconds(20));
      INFO("client " << c << " waiting for seq " << expected);
      REQUIRE(event);
      REQUIRE((*event)["seq"].get<std::int64_t>() == expected);
      ++expected;
    }
  }
  WARN("assayd RSS: " << rss_before << " KiB before, " << rss_connected << " KiB with 200 WebSocket clients, "
                      << rss_after_job << " KiB after a calcium-flux job streamed to all of them ("
                      << (last_seq - start_seq) << " events)");
  CHECK(daemon.running());
}

TEST_CASE("a client that stops reading is told it fell behind and then gets every event from the log, none twice") {
  // A long 384-well kinetic read: each cycle's readings are one event of about 20 KB, some 12 MB
  // in all, far past the socket buffers and the 1 MiB queued per client.
  DaemonHarness daemon(readers(0.02));
  const auto port = assay::testing::port_of(daemon.web_url());
  const auto start_seq = daemon.call("ping")["last_seq"].get<std::int64_t>();
  EventClient slow(port, start_seq);
  json job = example_job("calcium_flux_384.json");
  job["params"]["interval_s"] = 0.5;
  job["params"]["duration_s"] = 300.0;
  const auto id = daemon.submit(job);
  REQUIRE(slow.next_event(std::chrono::seconds(30)));  // reading has begun; now the client stalls
  REQUIRE(daemon.wait_for_state(id, "succeeded", std::chrono::seconds(240))["state"] == "succeeded");
  const auto last_seq = daemon.call("ping")["last_seq"].get<std::int64_t>();
  REQUIRE(last_seq - start_seq > 1000);

  std::int64_t expected = start_seq + 2;
  int notices = 0;
  while (expected <= last_seq) {
    auto message = slow.next(std::chrono::seconds(30));
    INFO("waiting for seq " << expected);
    REQUIRE(message);
    if ((*message)["topic"] == "heartbeat") continue;
    if ((*message)["topic"] == "web.behind") {
      ++notices;
      // The notice names the last event the client was sent: the next one follows it.
      CHECK((*message)["seq"].get<std::int64_t>() == expected - 1);
      continue;
    }
    REQUIRE((*message)["seq"].get<std::int64_t>() == expected);
    ++expected;
  }
  CHECK(notices >= 1);
  CHECK(daemon.running());
}
