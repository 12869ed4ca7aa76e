#include "assay/daemon/service.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <thread>

#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "api_handler.hpp"
#include "api_server.hpp"
#include "asio.hpp"
#include "curve_auth.hpp"
#include "assay/daemon/store.hpp"
#include "assay/drivers/registry.hpp"
#include "assay/drivers/unique_fd.hpp"
#include "assay/plugins/plugin_loader.hpp"
#include "assay/protocols/registry.hpp"
#include "event_publisher.hpp"
#include "facility_bridge.hpp"
#include "facility_submits.hpp"
#include "logging.hpp"
#include "scheduler.hpp"
#include "systemd_notify.hpp"
#include "web_routes.hpp"
#include "web_server.hpp"
#include "web_token.hpp"

namespace assay::daemon {
namespace {

namespace fs = std::filesystem;

// Holds an exclusive lock on DIR/assayd.lock so two daemons never share a state directory.
class StateDirLock {
 public:
  explicit StateDirLock(const fs::path& state_dir) {
    auto path = state_dir / "assayd.lock";
    fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
    if (!fd_) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
      char pid[32] = {};
      [[maybe_unused]] auto n = ::pread(fd_.get(), pid, sizeof pid - 1, 0);
      throw std::runtime_error("another assayd (pid " + std::string(pid) + ") is running on " +
                        state_dir.string() + "; stop it or use another --state-dir");
    }
    auto text = std::to_string(::getpid());
    [[maybe_unused]] auto r = ::ftruncate(fd_.get(), 0);
    [[maybe_unused]] auto w = ::pwrite(fd_.get(), text.data(), text.size(), 0);
  }

 private:
  drivers::UniqueFd fd_;  // the lock lasts as long as the descriptor is open
};

// A state folder made earlier (by hand, before the umask) may be open to every local user:
// close it to 0750 at most. The files in it keep their modes; new ones are 0640.
void restrict_state_dir(const fs::path& state_dir) {
  std::error_code error;
  auto mode = fs::status(state_dir, error).permissions();
  if (error) return;
  const auto open_bits = fs::perms::others_all | fs::perms::group_write;
  if ((mode & open_bits) == fs::perms::none) return;
  fs::permissions(state_dir, open_bits, fs::perm_options::remove, error);
  if (error) {
    spdlog::warn("state folder {} is readable by other users and cannot be restricted: {}",
                 state_dir.string(), error.message());
  } else {
    spdlog::info("state folder {} restricted to mode 0750 (owner and group only)", state_dir.string());
  }
}

void prepare_ipc(const std::string& endpoint) {
  if (endpoint.rfind("ipc://", 0) != 0) return;
  fs::path path = endpoint.substr(6);
  fs::create_directories(path.parent_path());
}

void set_ipc_mode(const std::string& endpoint, unsigned mode) {
  if (endpoint.rfind("ipc://", 0) != 0) return;
  auto path = endpoint.substr(6);
  if (::chmod(path.c_str(), mode) != 0) {
    spdlog::warn("cannot set mode {:o} on {}: {}", mode, path, std::strerror(errno));
  }
}

}  // namespace

struct Service::Impl {
  std::optional<fs::path> config_file;
  ConfigOverrides overrides;
  Config config;
  std::unique_ptr<StateDirLock> lock;
  std::unique_ptr<Store> store;
  drivers::DriverRegistry drivers;
  std::unique_ptr<ProtocolCatalog> protocols;
  plugins::PluginLoader plugin_loader;
  boost::asio::io_context io;
  zmq::context_t context{1};
  std::unique_ptr<CurveAuthenticator> curve;  // destroyed before the context
  std::string curve_secret_key;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<EventPublisher> publisher;
  std::unique_ptr<FacilityBridge> facility;  // only with a [facility] section
  std::unique_ptr<ApiHandler> handler;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<FacilitySubmits> facility_submits;  // [facility] with submits = true
  std::unique_ptr<WebAccess> web_access;
  std::unique_ptr<WebRoutes> web_routes;
  std::unique_ptr<WebServer> web;
  boost::asio::signal_set signals{io};
  boost::asio::steady_timer heartbeat_timer{io};
  boost::asio::steady_timer watchdog_timer{io};
  std::optional<std::chrono::microseconds> watchdog;
  bool stopping = false;
  std::thread stopper;
  std::atomic<int> abandoned_workers{0};  // stuck in a driver at stop; see run()
  std::string last_status;
  std::int64_t status_seq = -1;  // the last event seq when last_status was read

  void start();
  void start_web();
  void wait_for_signals();
  void reload();
  void load_plugins(const std::vector<fs::path>& dirs, protocols::ProtocolRegistry& into);
  void begin_shutdown(const char* why);
  void schedule_heartbeat();
  void schedule_watchdog();
  void refresh_status();
  void serve_facility_instruments();
  std::string status_text();
};

Service::Service(std::optional<fs::path> config_file, ConfigOverrides overrides)
    : impl_(std::make_unique<Impl>()) {
  impl_->config_file = std::move(config_file);
  impl_->overrides = std::move(overrides);
  impl_->config = load_config(impl_->config_file, impl_->overrides);
}

Service::~Service() {
  if (impl_->stopper.joinable()) impl_->stopper.join();
}

int Service::run() {
  impl_->start();
  impl_->io.run();
  if (impl_->stopper.joinable()) impl_->stopper.join();
  // What it did not send yet, it sends after the next start. Stopped, not destroyed: a worker
  // abandoned in a driver call may still store an event and notify it.
  if (impl_->facility) impl_->facility->stop();
  impl_->facility_submits.reset();
  impl_->api.reset();
  impl_->publisher.reset();
  for (const auto& endpoint : {impl_->config.api_endpoint, impl_->config.events_endpoint}) {
    std::error_code ignored;
    if (endpoint.rfind("ipc://", 0) == 0) fs::remove(endpoint.substr(6), ignored);
  }
  if (impl_->abandoned_workers > 0) {
    // Their threads are still inside a driver call: ending the process is the only way to stop
    // them. Everything stored is committed (SQLite WAL); the jobs were marked interrupted.
    spdlog::warn("assayd stopped, leaving {} stuck instrument worker(s) behind", impl_->abandoned_workers.load());
    spdlog::shutdown();
    std::_Exit(0);
  }
  spdlog::info("assayd stopped");
  return 0;
}

void Service::Impl::start() {
  set_log_level(config.log_level);
  // First, before anything runs: a token file that cannot be used stops the start.
  if (config.web.enabled) {
    std::optional<std::string> token;
    if (!config.web.token_file.empty()) token = read_web_token(config.web.token_file);
    web_access = std::make_unique<WebAccess>(config.web.host, config.web.allowed_hosts, std::move(token));
  }
  fs::create_directories(config.state_dir);
  fs::create_directories(config.runtime_dir);
  restrict_state_dir(config.state_dir);
  lock = std::make_unique<StateDirLock>(config.state_dir);
  store = std::make_unique<Store>(config.database);

  drivers::register_builtin_drivers(drivers);
  protocols::ProtocolRegistry builtin;
  protocols::register_builtin_protocols(builtin);
  load_plugins(config.plugin_dirs, builtin);
  protocols = std::make_unique<ProtocolCatalog>(std::move(builtin));

  for (const auto& job : store->recover_interrupted(config.on_interrupted == "requeue", config.max_attempts)) {
    spdlog::warn("[job {}] was interrupted by the last stop; now {}", job.job_id, to_string(job.new_state));
  }

  prepare_ipc(config.api_endpoint);
  prepare_ipc(config.events_endpoint);
  std::function<void(zmq::socket_t&)> secure_api, secure_events;
  if (config.curve) {
    curve_secret_key = read_curve_secret_key_file(config.curve->server_secret_key_file).secret_key;
    curve = std::make_unique<CurveAuthenticator>(context, read_allowed_clients(config.curve->allowed_clients_file));
    auto secure_if_tcp = [this](const std::string& endpoint, const std::string& label) {
      return std::function<void(zmq::socket_t&)>([this, endpoint, label](zmq::socket_t& socket) {
        if (endpoint.rfind("tcp://", 0) == 0) curve->configure_server(socket, curve_secret_key, label);
      });
    };
    secure_api = secure_if_tcp(config.api_endpoint, "api");
    secure_events = secure_if_tcp(config.events_endpoint, "events");
    spdlog::info("CURVE: {} allowed client key(s) from {}", curve->allowed_count(),
                 config.curve->allowed_clients_file.string());
  }
  publisher = std::make_unique<EventPublisher>(context, config.events_endpoint, config.backlog_per_subscriber,
                                               secure_events);
  publisher->set_last_seq(store->last_seq());
  if (config.facility) facility = std::make_unique<FacilityBridge>(*config.facility, *store);
  store->set_event_listener([this](const StoredEvent& event) {
    if (facility) facility->notify();
    boost::asio::post(io, [this, event] {
      if (publisher) publisher->publish(event);
      if (web) web->publish(event);
    });
  });
  scheduler = std::make_unique<Scheduler>(*store, drivers, *protocols, config.state_dir);
  scheduler->set_step_timeout(std::chrono::seconds(static_cast<long>(config.step_timeout_s)));
  scheduler->apply(config.instruments);
  handler = std::make_unique<ApiHandler>(*store, *scheduler, *protocols,
                                         [this] { return publisher->last_seq(); });
  handler->set_request_id_ttl(static_cast<std::int64_t>(config.request_id_ttl_h * 3600.0));
  handler->set_state_dir(config.state_dir);
  api = std::make_unique<ApiServer>(io, context, config.api_endpoint, config.max_message_bytes,
                                    *handler, secure_api);
  set_ipc_mode(config.api_endpoint, config.socket_mode);
  set_ipc_mode(config.events_endpoint, config.socket_mode);
  api->start();
  if (config.web.enabled) start_web();
  if (facility) facility->start();
  if (config.facility && config.facility->submits) {
    // Like the bridge, a facility that cannot be used leaves the instruments running without it.
    try {
      facility_submits = std::make_unique<FacilitySubmits>(*config.facility, io, *handler,
                                                           [this] { return config.max_message_bytes; });
      serve_facility_instruments();
    } catch (const std::exception& e) {
      spdlog::error("facility: {}; taking no jobs submitted through the facility until a restart", e.what());
      facility_submits.reset();
    }
  }

  wait_for_signals();
  schedule_heartbeat();
  watchdog = notify::watchdog_interval();
  if (watchdog) schedule_watchdog();
  spdlog::info("assayd {} ready: api {}, events {}, dashboard {}, database {}, {} instrument(s)", ASSAY_VERSION,
               config.api_endpoint, config.events_endpoint, web ? web->url() : std::string("off"),
               config.database.string(), config.instruments.size());
  last_status = status_text();
  status_seq = publisher->last_seq();
  notify::ready(last_status);
}

// The dashboard is a view: a port that is taken leaves assayd running its instruments without it
// (logged as an error).
void Service::Impl::start_web() {
  web_routes = std::make_unique<WebRoutes>(*handler, config.state_dir, *web_access);
  WebEventLog log{[this](std::int64_t after, int limit) { return store->read_events_since(after, limit); },
                  [this] { return publisher->last_seq(); }};
  web = std::make_unique<WebServer>(io, config.web, *web_routes, std::move(log));
  try {
    web->start();
  } catch (const std::exception& e) {
    spdlog::error("{}; running without the dashboard", e.what());
    web.reset();
    return;
  }
  if (config.web.host != "127.0.0.1" && config.web.host != "::1") {
    spdlog::warn("web: serving plain HTTP on {} beyond this computer; put it behind a TLS proxy (docs/web.md)",
                 web->url());
  }
  spdlog::info("web: dashboard at {} ({})", web->url(),
               web_access->has_token() ? "submit and cancel with the bearer token" : "read-only");
}

void Service::Impl::wait_for_signals() {
  signals.add(SIGTERM);
  signals.add(SIGINT);
  signals.add(SIGHUP);
  signals.async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) return;
    if (signal == SIGHUP) {
      reload();
    } else {
      begin_shutdown(signal == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    if (!stopping) wait_for_signals();
  });
}

void Service::Impl::reload() {
  notify::reloading();
  spdlog::info("reloading {}", config_file ? config_file->string() : "the embedded default config");
  try {
    auto fresh = load_config(config_file, overrides);
    if (fresh.api_endpoint != config.api_endpoint || fresh.events_endpoint != config.events_endpoint ||
        fresh.database != config.database) {
      spdlog::warn("endpoint and database changes take effect after a restart; keeping {} and {}",
                   config.api_endpoint, config.events_endpoint);
      fresh.api_endpoint = config.api_endpoint;
      fresh.events_endpoint = config.events_endpoint;
      fresh.database = config.database;
    }
    if (fresh.web.enabled != config.web.enabled || fresh.web.host != config.web.host ||
        fresh.web.port != config.web.port || fresh.web.token_file != config.web.token_file ||
        fresh.web.allowed_hosts != config.web.allowed_hosts) {
      spdlog::warn("[web] changes take effect after a restart");
    }
    fresh.web = config.web;
    if (fresh.facility.has_value() != config.facility.has_value() ||
        (fresh.facility && (fresh.facility->nats_url != config.facility->nats_url ||
                            fresh.facility->host != config.facility->host ||
                            fresh.facility->stream != config.facility->stream ||
                            fresh.facility->credentials_file != config.facility->credentials_file ||
                            fresh.facility->ca_file != config.facility->ca_file ||
                            fresh.facility->submits != config.facility->submits))) {
      spdlog::warn("[facility] changes take effect after a restart");
    }
    fresh.facility = config.facility;
    if (curve && fresh.curve) {
      curve->set_allowed_clients(read_allowed_clients(fresh.curve->allowed_clients_file));
    }
    if (!fresh.plugin_dirs.empty()) {
      // Workers may be looking a protocol up right now: load into a copy and swap it in whole.
      auto next = *protocols->current();
      load_plugins(fresh.plugin_dirs, next);
      protocols->replace(std::move(next));
    }
    scheduler->set_step_timeout(std::chrono::seconds(static_cast<long>(fresh.step_timeout_s)));
    scheduler->apply(fresh.instruments);
    serve_facility_instruments();
    set_log_level(fresh.log_level);
    api->set_max_message_bytes(fresh.max_message_bytes);
    handler->set_request_id_ttl(static_cast<std::int64_t>(fresh.request_id_ttl_h * 3600.0));
    config = std::move(fresh);
    spdlog::info("reload done: {} instrument(s), log level {}", config.instruments.size(), config.log_level);
  } catch (const std::exception& e) {
    spdlog::error("reload refused, keeping the running configuration: {}", e.what());
  }
  scheduler->reap_retired();
  last_status = status_text();
  notify::ready(last_status);
}

// The facility bus routes a job to this host by instrument name: the names it has now.
void Service::Impl::serve_facility_instruments() {
  if (!facility_submits) return;
  std::vector<std::string> names;
  for (auto* worker : scheduler->workers()) names.push_back(worker->name());
  facility_submits->serve_instruments(names);
}

void Service::Impl::load_plugins(const std::vector<fs::path>& dirs,
                                 protocols::ProtocolRegistry& into) {
  if (dirs.empty()) return;
  auto report = plugin_loader.load(dirs, drivers, into);
  for (const auto& plugin : report.loaded) {
    spdlog::info("plugin {} {} loaded from {}", plugin.name, plugin.version, plugin.file.string());
  }
  for (const auto& refused : report.refused) {
    spdlog::error("plugin {} refused: {}", refused.file.string(), refused.reason);
  }
  for (const auto& warning : report.warnings) spdlog::warn("plugins: {}", warning);
}

void Service::Impl::begin_shutdown(const char* why) {
  if (stopping) return;
  stopping = true;
  int running = scheduler->running_count();
  spdlog::info("{}: stopping; {} running job(s) finish their current reading first", why, running);
  notify::stopping("stopping: " + std::to_string(running) + " job(s) finishing the current reading");
  if (running > 0) notify::extend_timeout(std::chrono::seconds(60));
  // Joining workers blocks, so it happens off the io thread, which keeps answering requests and
  // publishing the final events meanwhile. The stopper joins only the workers handed to it here;
  // the io thread alone touches the scheduler and destroys them once the API has stopped.
  // Bounded: a worker stuck in a driver call that ignores stop must not keep assayd running; its
  // job is left interrupted and the worker is never destroyed (see Service::run).
  const auto limit = std::chrono::milliseconds(static_cast<long>(config.stop_timeout_s * 1000));
  stopper = std::thread([this, limit, stopping_workers = scheduler->begin_shutdown()] {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::vector<InstrumentWorker*> stuck;
    for (auto* worker : stopping_workers) {
      if (!worker->join_until(deadline)) stuck.push_back(worker);
    }
    for (auto* worker : stuck) worker->leave_interrupted(limit);
    abandoned_workers = static_cast<int>(stuck.size());
    boost::asio::post(io, [this, stuck] {
      heartbeat_timer.cancel();
      watchdog_timer.cancel();
      signals.cancel();
      api->stop();
      if (web) web->stop();
      for (auto* worker : stuck) scheduler->abandon(worker);
      scheduler->release();
      // Let queued publications go out before the loop ends.
      boost::asio::post(io, [this] { io.stop(); });
    });
  });
}

std::string Service::Impl::status_text() {
  auto counts = store->read_state_counts();
  int done = 0;
  for (auto state : kJobStates) done += is_final(state) ? counts[state] : 0;
  return "queued " + std::to_string(counts[JobState::queued]) + ", running " +
         std::to_string(counts[JobState::running]) + ", done " + std::to_string(done) + "; " +
         std::to_string(scheduler->workers().size()) + " instrument(s)";
}

// The only wake-up of an idle daemon, once a heartbeat period: the heartbeat the API promises
// subscribers, STATUS= for systemd, and the step deadlines of running jobs.
void Service::Impl::schedule_heartbeat() {
  heartbeat_timer.expires_after(std::chrono::milliseconds(static_cast<int>(config.heartbeat_s * 1000)));
  heartbeat_timer.async_wait([this](const boost::system::error_code& error) {
    if (error || stopping) return;
    refresh_status();
    scheduler->reap_retired();
    scheduler->check_deadlines();
    auto body = publisher->heartbeat({{"status", last_status}, {"version", ASSAY_VERSION}});
    if (web) web->heartbeat(body);
    schedule_heartbeat();
  });
}

void Service::Impl::schedule_watchdog() {
  watchdog_timer.expires_after(*watchdog / 2);
  watchdog_timer.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    notify::watchdog();
    schedule_watchdog();
  });
}

// STATUS= follows the queue. Every change of the queue stores an event, so the counts are read
// again only when the event seq moved: an idle daemon does not query SQLite.
void Service::Impl::refresh_status() {
  const std::int64_t seq = publisher->last_seq();
  if (seq == status_seq) return;
  status_seq = seq;
  auto text = status_text();
  if (text != last_status) {
    last_status = text;
    notify::status(text);
  }
}

}  // namespace assay::daemon
