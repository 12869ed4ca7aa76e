#include "support/daemon_harness.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "assay/daemon/config.hpp"

extern char** environ;

namespace assay::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "assayd-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// The embedded default with each simulator's seed fixed: the shipped config draws a new seed per
// run, tests repeat themselves. What a harness without config_toml runs.
std::string seeded_default_config() {
  return std::regex_replace(std::string(daemon::default_config_toml()), std::regex(R"(# seed = (\d+)[^\n]*)"),
                            "seed = $1");
}

}  // namespace

std::string default_config_with_time_scale(double time_scale) {
  std::string text = seeded_default_config();
  return std::regex_replace(text, std::regex(R"(time_scale = [0-9.]+)"),
                            "time_scale = " + std::to_string(time_scale));
}

std::string readers_only_config(double time_scale) {
  std::string text = default_config_with_time_scale(time_scale);
  auto imager = text.find("name = \"sim-imager\"");
  if (imager == std::string::npos) return text;
  auto start = text.rfind("[[instrument]]", imager);
  auto next = text.find("[[instrument]]", imager);
  text.erase(start, next == std::string::npos ? std::string::npos : next - start);
  return text;
}

DaemonHarness::DaemonHarness(HarnessOptions options) : DaemonHarness(make_temp_dir(), std::move(options)) {
  owns_dir_ = true;
}

DaemonHarness::DaemonHarness(fs::path state_dir, HarnessOptions options)
    : options_(std::move(options)), state_dir_(std::move(state_dir)) {
  fs::create_directories(state_dir_);
  if (options_.start) start();
}

DaemonHarness::~DaemonHarness() {
  dealer_.reset();
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 200 && running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (running()) kill_hard();
  }
  if (owns_dir_ && std::getenv("ASSAY_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ignored;
    fs::remove_all(state_dir_, ignored);
  }
}

void DaemonHarness::start() {
  std::vector<std::string> args{std::string(ASSAY_BIN_DIR) + "/assayd", "--state-dir", state_dir_.string()};
  {
    auto config = state_dir_ / "assayd.toml";
    const std::string& toml = options_.config_toml.empty() ? seeded_default_config() : options_.config_toml;
    std::string text = std::regex_replace(toml, std::regex(R"(\{state_dir\})"), state_dir_.string());
    std::ofstream(config) << text;
    args.push_back("--config");
    args.push_back(config.string());
  }
  if (!options_.web_listen.empty()) {
    args.push_back("--web-listen");
    args.push_back(options_.web_listen);
  }
  for (const auto& extra : options_.extra_args) args.push_back(extra);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    if (entry.rfind("NOTIFY_SOCKET=", 0) == 0 || entry.rfind("WATCHDOG_", 0) == 0) continue;
    env_strings.push_back(entry);
  }
  for (const auto& extra : options_.environment) env_strings.push_back(extra);
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  auto log = log_file().string();
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) FAIL("cannot start " << argv[0] << ": " << std::strerror(rc));

  dealer_.reset();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) FAIL("assayd exited at start; log:\n" << log_text());
    if (fs::exists(api_endpoint().substr(6))) {
      auto reply = request("ping", json::object(), std::chrono::milliseconds(500));
      if (reply.value("ok", false)) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("assayd did not answer ping within 20 s; log:\n" << log_text());
}

bool DaemonHarness::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int DaemonHarness::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  dealer_.reset();
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill_hard();
  return -SIGKILL;
}

std::optional<int> DaemonHarness::wait_exit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      dealer_.reset();
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

void DaemonHarness::kill_hard() {
  if (pid_ <= 0) return;
  dealer_.reset();
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void DaemonHarness::send_signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

std::string DaemonHarness::web_url() const {
  const auto log = log_text();
  std::string url;
  static const std::regex pattern(R"(dashboard at (http://\S+/))");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), pattern);
       it != std::sregex_iterator(); ++it) {
    url = (*it)[1].str();  // the latest start's
  }
  if (url.empty()) FAIL("assayd serves no dashboard; log:\n" << log);
  return url;
}

std::string DaemonHarness::api_endpoint() const { return "ipc://" + (state_dir_ / "run" / "api.sock").string(); }
std::string DaemonHarness::events_endpoint() const {
  return "ipc://" + (state_dir_ / "run" / "events.sock").string();
}

std::string DaemonHarness::request_raw(const std::string& body, std::chrono::milliseconds timeout) {
  if (!dealer_) {
    dealer_.emplace(context_, zmq::socket_type::dealer);
    dealer_->set(zmq::sockopt::linger, 0);
    dealer_->connect(api_endpoint());
  }
  dealer_->send(zmq::buffer(body), zmq::send_flags::none);
  zmq::pollitem_t item{dealer_->handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, timeout);
  if (!(item.revents & ZMQ_POLLIN)) {
    dealer_.reset();  // drop a late reply with the socket
    return {};
  }
  zmq::message_t reply;
  (void)dealer_->recv(reply);
  return reply.to_string();
}

json DaemonHarness::request(const std::string& op, json fields, std::chrono::milliseconds timeout) {
  fields["v"] = 1;
  if (!fields.contains("id")) fields["id"] = "t" + std::to_string(++next_id_);
  fields["op"] = op;
  auto text = request_raw(fields.dump(), timeout);
  if (text.empty()) return json{{"ok", false}, {"error", {{"code", "timeout"}, {"message", "no reply"}}}};
  return json::parse(text);
}

json DaemonHarness::call(const std::string& op, json fields) {
  auto reply = request(op, std::move(fields));
  INFO("reply to " << op << ": " << reply.dump());
  REQUIRE(reply.value("ok", false));
  return reply["result"];
}

std::string DaemonHarness::submit(const json& job) {
  return call("jobs.submit", {{"job", job}})["job_id"].get<std::string>();
}

json DaemonHarness::wait_for_state(const std::string& job_id, const std::string& state,
                                   std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  json job;
  while (std::chrono::steady_clock::now() < deadline) {
    job = call("jobs.get", {{"job_id", job_id}});
    auto now = job["state"].get<std::string>();
    if (now == state) return job;
    bool terminal = now == "succeeded" || now == "failed" || now == "cancelled";
    if (terminal) {
      FAIL("job " << job_id << " ended " << now << " while waiting for " << state << ": " << job.dump());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  FAIL("job " << job_id << " not " << state << " within timeout: " << job.dump() << "\nlog:\n" << log_text());
  return job;
}

void DaemonHarness::wait_for_readings(const std::string& job_id, std::int64_t n, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto job = call("jobs.get", {{"job_id", job_id}});
    if (job["counts"]["readings"].get<std::int64_t>() >= n) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("job " << job_id << " did not store " << n << " readings in time");
}

zmq::socket_t DaemonHarness::subscribe(const std::string& prefix) {
  zmq::socket_t sub(context_, zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::subscribe, prefix);
  sub.connect(events_endpoint());
  // PUB drops messages for subscribers still joining; wait until a heartbeat proves we are in.
  zmq::socket_t probe(context_, zmq::socket_type::sub);
  probe.set(zmq::sockopt::subscribe, "heartbeat");
  probe.connect(events_endpoint());
  auto heartbeat = next_event(probe, std::chrono::seconds(10));
  if (!heartbeat) FAIL("no heartbeat from assayd within 10 s");
  return sub;
}

std::optional<json> DaemonHarness::next_event(zmq::socket_t& sub, std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, timeout);
  if (!(item.revents & ZMQ_POLLIN)) return std::nullopt;
  zmq::message_t topic, body;
  (void)sub.recv(topic);
  (void)sub.recv(body);
  return json::parse(body.to_string_view());
}

daemon::Database DaemonHarness::open_database() const {
  return daemon::Database(state_dir_ / "assayd.db", true);
}

std::string DaemonHarness::log_text() const {
  std::ifstream in(log_file());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::int64_t DaemonHarness::query_int(const std::string& sql) const {
  auto db = open_database();
  auto statement = db.prepare(sql);
  if (!statement.step()) throw std::runtime_error("no row from: " + sql);
  return statement.column_int(0);
}

json slow_plate_read(int wavelengths) {
  auto job = example_job("demo_plate_read.json");
  job["layout"] = json::array({{{"wells", "A1:H12"}, {"role", "sample"}}});
  json wl = json::array();
  for (int i = 0; i < wavelengths; ++i) wl.push_back(400 + 20 * i);
  job["params"]["wavelengths_nm"] = wl;
  return job;
}

const json* find_result_row(const json& rows, const std::string& kind, const std::string& key) {
  for (const auto& row : rows) {
    if (row["kind"] == kind && row["key"] == key) return &row;
  }
  return nullptr;
}

json example_job(const std::string& name) {
  std::ifstream in(std::string(ASSAY_SOURCE_DIR) + "/examples/jobs/" + name);
  if (!in) throw std::runtime_error("no example job " + name);
  return json::parse(in);
}

}  // namespace assay::testing
