// The systemd notify protocol of the real assayd binary, checked against a NOTIFY_SOCKET
// listener of our own: READY with STATUS once the endpoints are bound, WATCHDOG pings at about
// half of WATCHDOG_USEC, RELOADING then READY on SIGHUP (good and bad config), STOPPING and
// exit 0 on SIGTERM, and the ipc socket mode from the config.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "assay/daemon/config.hpp"
#include "notify_fixture.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using assay::test::Clock;
using assay::test::DaemonProcess;
using assay::test::NotifyListener;
using assay::test::NotifyMessage;

namespace {

constexpr auto kStartTimeout = 15s;
constexpr auto kReloadTimeout = 10s;
constexpr auto kStopTimeout = 15s;
constexpr auto kWatchdogUsec = std::chrono::microseconds(1'000'000);

const char* kExtraInstrument = R"(
[[instrument]]
name = "sim-reader-2"
driver = "sim-plate-reader"
[instrument.settings]
time_scale = 0.02
seed = 11
)";

// A scratch state directory with a config file, a notify socket and the daemon's log.
struct Scratch {
  Scratch() {
    static int counter = 0;
    dir = fs::temp_directory_path() /
          ("assay-notify-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
    config = dir / "assayd.toml";
    log = dir / "assayd.log";
    assay::test::write_text(config, assay::daemon::default_config_toml());
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  std::vector<std::string> args() const {
    return {std::string(ASSAY_BIN_DIR) + "/assayd", "--config", config.string(), "--state-dir",
            (dir / "state").string(), "--runtime-dir", (dir / "run").string(), "--web-listen",
            "127.0.0.1:0"};
  }
  fs::path dir, config, log;
};

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// One API request over the ipc ROUTER; the parsed reply, or null on timeout.
nlohmann::json request(const fs::path& runtime_dir, const std::string& op) {
  zmq::context_t context;
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect("ipc://" + (runtime_dir / "api.sock").string());
  const nlohmann::json body = {{"v", 1}, {"id", "notify-test-" + op}, {"op", op}};
  dealer.send(zmq::buffer(body.dump()), zmq::send_flags::none);
  zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, std::chrono::milliseconds(5000)) == 0) return nullptr;
  zmq::message_t reply;
  (void)dealer.recv(reply);
  return nlohmann::json::parse(reply.to_string(), nullptr, false);
}

bool lists_instrument(const nlohmann::json& reply, const std::string& name) {
  return reply.is_object() && reply.value("ok", false) &&
         reply["result"].dump().find("\"" + name + "\"") != std::string::npos;
}

// Starts assayd on `scratch` with the listener as NOTIFY_SOCKET and waits for READY=1.
NotifyMessage start_and_wait_ready(DaemonProcess& daemon, NotifyListener& listener,
                                   const Scratch& scratch) {
  std::optional<NotifyMessage> ready;
  const auto deadline = Clock::now() + kStartTimeout;
  while (!ready && daemon.running() && Clock::now() < deadline) {
    ready = listener.wait_for("READY", 200ms);
  }
  INFO("daemon log:\n" << assay::test::read_text(scratch.log));
  REQUIRE(daemon.running());
  REQUIRE(ready.has_value());
  return *ready;
}

std::vector<std::string> notify_env(const NotifyListener& listener) {
  return {"NOTIFY_SOCKET=" + listener.path().string(),
          "WATCHDOG_USEC=" + std::to_string(kWatchdogUsec.count())};
}

}  // namespace

TEST_CASE("assayd sends READY=1 with a STATUS once its ipc endpoints are bound") {
  Scratch scratch;
  NotifyListener listener(scratch.dir / "notify.sock");
  DaemonProcess daemon(scratch.args(), notify_env(listener), scratch.log);
  const NotifyMessage ready = start_and_wait_ready(daemon, listener, scratch);

  CHECK(ready.get("READY") == "1");
  CHECK_FALSE(ready.get("STATUS").empty());
  // Bound before READY: a client may connect the moment systemd says the service is up.
  CHECK(fs::exists(scratch.dir / "run" / "api.sock"));
  CHECK(fs::exists(scratch.dir / "run" / "events.sock"));
  const auto reply = request(scratch.dir / "run", "ping");
  CHECK(reply.is_object());
  CHECK(reply.value("ok", false));
}

TEST_CASE("assayd pings the watchdog at about half of WATCHDOG_USEC") {
  Scratch scratch;
  NotifyListener listener(scratch.dir / "notify.sock");
  DaemonProcess daemon(scratch.args(), notify_env(listener), scratch.log);
  start_and_wait_ready(daemon, listener, scratch);

  std::vector<Clock::time_point> pings;
  const auto window_end = Clock::now() + 3 * kWatchdogUsec;
  while (Clock::now() < window_end) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(window_end - Clock::now());
    auto message = listener.receive(left);
    if (message && message->get("WATCHDOG") == "1") pings.push_back(message->received);
  }
  INFO("daemon log:\n" << assay::test::read_text(scratch.log));
  REQUIRE(pings.size() >= 3);
  std::vector<double> gaps_ms;
  for (std::size_t i = 1; i < pings.size(); ++i) {
    gaps_ms.push_back(std::chrono::duration<double, std::milli>(pings[i] - pings[i - 1]).count());
  }
  const double interval_ms = kWatchdogUsec.count() / 1000.0;
  const double longest = *std::max_element(gaps_ms.begin(), gaps_ms.end());
  std::sort(gaps_ms.begin(), gaps_ms.end());
  const double median = gaps_ms[gaps_ms.size() / 2];
  INFO("watchdog gaps: median " << median << " ms, longest " << longest << " ms");
  CHECK(longest < interval_ms);             // systemd would kill the service otherwise
  CHECK(median > interval_ms / 4);          // no busy pinging
  CHECK(median < interval_ms * 3 / 4);      // sd_watchdog_enabled(3): ping at half the interval
}

TEST_CASE("SIGHUP with a good config sends RELOADING=1 then READY=1 and adds the instrument") {
  Scratch scratch;
  NotifyListener listener(scratch.dir / "notify.sock");
  DaemonProcess daemon(scratch.args(), notify_env(listener), scratch.log);
  start_and_wait_ready(daemon, listener, scratch);
  REQUIRE_FALSE(lists_instrument(request(scratch.dir / "run", "instruments.list"), "sim-reader-2"));

  assay::test::write_text(scratch.config,
                          std::string(assay::daemon::default_config_toml()) + kExtraInstrument);
  daemon.signal(SIGHUP);
  const auto reloading = listener.wait_for("RELOADING", kReloadTimeout);
  REQUIRE(reloading.has_value());
  CHECK(reloading->get("RELOADING") == "1");
  const auto ready = listener.wait_for("READY", kReloadTimeout);
  INFO("daemon log:\n" << assay::test::read_text(scratch.log));
  REQUIRE(ready.has_value());
  CHECK(ready->received >= reloading->received);
  CHECK(daemon.running());
  CHECK(lists_instrument(request(scratch.dir / "run", "instruments.list"), "sim-reader-2"));
}

TEST_CASE("SIGHUP with a bad config keeps the old config running and logs the reason") {
  Scratch scratch;
  NotifyListener listener(scratch.dir / "notify.sock");
  DaemonProcess daemon(scratch.args(), notify_env(listener), scratch.log);
  start_and_wait_ready(daemon, listener, scratch);

  // A TOML syntax error on line 2, then a well-formed file naming an unknown driver: both are
  // refused as a whole, each with its reason in the log.
  const std::vector<std::pair<std::string, std::string>> bad_configs = {
      {"[logging]\nlevel = \"info\n", scratch.config.filename().string() + ":2"},
      {"[[instrument]]\nname = \"broken\"\ndriver = \"no-such-driver\"\n", "no-such-driver"}};
  for (const auto& [text, reason] : bad_configs) {
    assay::test::write_text(scratch.config, text);
    daemon.signal(SIGHUP);
    REQUIRE(listener.wait_for("RELOADING", kReloadTimeout).has_value());
    const auto ready = listener.wait_for("READY", kReloadTimeout);
    const std::string log = assay::test::read_text(scratch.log);
    INFO("daemon log:\n" << log);
    REQUIRE(ready.has_value());
    CHECK(daemon.running());
    CHECK(log.find(reason) != std::string::npos);
  }
  const auto reply = request(scratch.dir / "run", "instruments.list");
  CHECK(lists_instrument(reply, "sim-reader"));
  CHECK_FALSE(lists_instrument(reply, "broken"));
}

TEST_CASE("SIGTERM on an idle assayd sends STOPPING=1 and exits 0") {
  Scratch scratch;
  NotifyListener listener(scratch.dir / "notify.sock");
  DaemonProcess daemon(scratch.args(), notify_env(listener), scratch.log);
  start_and_wait_ready(daemon, listener, scratch);

  daemon.signal(SIGTERM);
  const auto stopping = listener.wait_for("STOPPING", kStopTimeout);
  const auto status = daemon.wait_exit(kStopTimeout);
  INFO("daemon log:\n" << assay::test::read_text(scratch.log));
  CHECK(stopping.has_value());
  REQUIRE(status.has_value());
  CHECK(*status == 0);
}

TEST_CASE("ipc sockets get the file mode set by api.socket_mode") {
  Scratch scratch;
  const std::string text = assay::daemon::default_config_toml();
  assay::test::write_text(scratch.config,
                          replace(text, "socket_mode = \"0660\"", "socket_mode = \"0600\""));
  NotifyListener listener(scratch.dir / "notify.sock");
  DaemonProcess daemon(scratch.args(), notify_env(listener), scratch.log);
  start_and_wait_ready(daemon, listener, scratch);

  for (const char* name : {"api.sock", "events.sock"}) {
    struct stat info {};
    REQUIRE(::stat((scratch.dir / "run" / name).c_str(), &info) == 0);
    INFO(name);
    CHECK((info.st_mode & 0777) == 0600);
  }
}
