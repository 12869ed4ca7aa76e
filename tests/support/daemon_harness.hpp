// Test harness: runs the real build/bin/assayd in a fresh temporary state directory and talks to
// it over real ZeroMQ sockets. Used by the integration tests of every area.
//
//   DaemonHarness daemon;                          // embedded default config, fast simulators
//   auto reply = daemon.request("jobs.submit", {{"job", job}});
//   auto events = daemon.subscribe("job.");        // a SUB socket, connected before the job
//   daemon.wait_for_state(job_id, "succeeded");
//   Database db = daemon.open_database();           // the real SQLite file
//
// One harness per test; not thread-safe. The daemon is stopped (SIGTERM, then SIGKILL after
// 10 s) when the harness is destroyed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "assay/daemon/sqlite.hpp"

namespace assay::testing {

struct HarnessOptions {
  // Full TOML config; empty = the embedded default. "{state_dir}" is replaced by the temp dir.
  std::string config_toml;
  std::vector<std::string> extra_args;
  std::vector<std::string> environment;  // "NAME=value" added to the daemon's environment
  bool start = true;
  // The dashboard's address: any free loopback port by default, so daemons of tests running at
  // once never compete for 8470 (a config with [web] enabled = false serves none).
  std::string web_listen = "127.0.0.1:0";
};

// The embedded default with every simulator's time_scale set to `time_scale`.
std::string default_config_with_time_scale(double time_scale);
// The same without the simulated imager, for tests that need plate readers only.
std::string readers_only_config(double time_scale);

class DaemonHarness {
 public:
  explicit DaemonHarness(HarnessOptions options = {});
  // Reuses an existing state directory (for restart tests); does not delete it.
  DaemonHarness(std::filesystem::path state_dir, HarnessOptions options);
  ~DaemonHarness();
  DaemonHarness(const DaemonHarness&) = delete;
  DaemonHarness& operator=(const DaemonHarness&) = delete;

  void start();
  // SIGTERM and wait; returns the exit status (or -signal).
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void kill_hard();  // SIGKILL, as a crash
  // Waits for the daemon to exit by itself (no signal sent); its exit status (or -signal), or
  // nullopt when it still runs after `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  void send_signal(int signal);
  bool running();
  pid_t pid() const { return pid_; }

  // Sends a request and returns the whole reply ({"ok":..., "result"|"error"}).
  nlohmann::json request(const std::string& op, nlohmann::json fields = nlohmann::json::object(),
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Sends raw bytes as a request body; returns the reply text.
  std::string request_raw(const std::string& body, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Returns result or fails the test with the error.
  nlohmann::json call(const std::string& op, nlohmann::json fields = nlohmann::json::object());

  std::string submit(const nlohmann::json& job);
  // Polls jobs.get until the job is in `state` (or a terminal state); returns the job.
  nlohmann::json wait_for_state(const std::string& job_id, const std::string& state,
                                std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Polls until the job has at least `n` readings stored.
  void wait_for_readings(const std::string& job_id, std::int64_t n,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

  zmq::socket_t subscribe(const std::string& prefix);
  // Receives one [topic, json] event or nullopt on timeout.
  static std::optional<nlohmann::json> next_event(zmq::socket_t& sub, std::chrono::milliseconds timeout);

  daemon::Database open_database() const;
  // The first column of the first row of `sql` on the real SQLite file (e.g. a COUNT(*)).
  std::int64_t query_int(const std::string& sql) const;
  const std::filesystem::path& state_dir() const { return state_dir_; }
  // The assayctl options that reach this daemon ("--state-dir DIR "), to put before a command.
  std::string ctl_options() const { return "--state-dir " + state_dir_.string() + " "; }
  std::filesystem::path log_file() const { return state_dir_ / "assayd.log"; }
  std::string log_text() const;
  std::string api_endpoint() const;
  // "http://127.0.0.1:PORT/" from the daemon's log line; fails the test when it serves none.
  std::string web_url() const;
  std::string events_endpoint() const;
  zmq::context_t& context() { return context_; }

 private:
  HarnessOptions options_;
  std::filesystem::path state_dir_;
  bool owns_dir_ = false;
  pid_t pid_ = -1;
  zmq::context_t context_{1};
  std::optional<zmq::socket_t> dealer_;
  int next_id_ = 0;
};

// Reads an example job from examples/jobs/.
nlohmann::json example_job(const std::string& name);
// A plate_read job of the whole 96-well plate that takes a while: `wavelengths` pages of 96.
nlohmann::json slow_plate_read(int wavelengths);
// The row of a results.get reply with this kind and key, or nullptr.
const nlohmann::json* find_result_row(const nlohmann::json& rows, const std::string& kind, const std::string& key);

}  // namespace assay::testing
