#include "scheduler.hpp"

#include <spdlog/spdlog.h>

namespace assay::daemon {

Scheduler::Scheduler(Store& store, const drivers::DriverRegistry& drivers,
                     const ProtocolCatalog& protocols, std::filesystem::path state_dir)
    : store_(store), drivers_(drivers), protocols_(protocols), state_dir_(std::move(state_dir)) {}

Scheduler::~Scheduler() { shutdown_and_join(); }

std::unique_ptr<drivers::Instrument> build_instrument(const InstrumentConfig& config,
                                                      const drivers::DriverRegistry& drivers) {
  const auto* driver = drivers.find(config.driver);
  if (!driver) {
    std::string known;
    for (const auto& [name, info] : drivers.all()) known += (known.empty() ? "" : ", ") + name;
    throw ConfigError(config.refusal("unknown driver '" + config.driver + "'; known drivers: " + known));
  }
  auto instrument = driver->factory(config.name, config.settings);
  if (!instrument) throw ConfigError(config.refusal(instrument.status().message()));
  return std::move(instrument).value();
}

std::unique_ptr<InstrumentWorker> Scheduler::build(const InstrumentConfig& config) {
  auto worker = std::make_unique<InstrumentWorker>(build_instrument(config, drivers_), config.driver,
                                                   config.settings, store_, protocols_, state_dir_);
  worker->set_step_timeout(step_timeout_);
  return worker;
}

void Scheduler::apply(const std::vector<InstrumentConfig>& instruments) {
  if (shutting_down_) return;
  std::map<std::string, std::unique_ptr<InstrumentWorker>> fresh;
  std::vector<std::string> keep;
  for (const auto& config : instruments) {
    auto existing = workers_.find(config.name);
    if (existing != workers_.end() && existing->second->driver() == config.driver &&
        existing->second->settings() == config.settings) {
      keep.push_back(config.name);
      continue;
    }
    if (existing != workers_.end() && existing->second->running_job()) {
      spdlog::warn("[{}] is running {}; its new settings apply at the next reload when idle",
                   config.name, *existing->second->running_job());
      keep.push_back(config.name);
      continue;
    }
    fresh[config.name] = build(config);  // may throw: nothing has changed yet
  }
  for (auto it = workers_.begin(); it != workers_.end();) {
    bool kept = std::find(keep.begin(), keep.end(), it->first) != keep.end();
    if (kept) {
      ++it;
      continue;
    }
    spdlog::info("[{}] removed from the configuration; retiring after its current job", it->first);
    it->second->retire();
    retired_.push_back(std::move(it->second));
    it = workers_.erase(it);
  }
  for (auto& [name, worker] : fresh) {
    spdlog::info("[{}] instrument added (driver {})", name, worker->driver());
    worker->start();
    workers_[name] = std::move(worker);
  }
}

InstrumentWorker* Scheduler::find(const std::string& name) {
  auto it = workers_.find(name);
  return it == workers_.end() ? nullptr : it->second.get();
}

std::vector<InstrumentWorker*> Scheduler::workers() {
  std::vector<InstrumentWorker*> out;
  for (auto& [name, worker] : workers_) out.push_back(worker.get());
  return out;
}

void Scheduler::wake(const std::string& instrument) {
  if (auto* worker = find(instrument)) worker->wake();
}

bool Scheduler::cancel_running(const std::string& job_id) {
  for (auto& [name, worker] : workers_) {
    if (worker->cancel(job_id)) return true;
  }
  for (auto& worker : retired_) {
    if (worker->cancel(job_id)) return true;
  }
  return false;
}

std::optional<AdditionGate::Stamp> Scheduler::continue_waiting(const std::string& job_id) {
  for (auto& [name, worker] : workers_) {
    if (auto stamp = worker->continue_job(job_id)) return stamp;
  }
  for (auto& worker : retired_) {
    if (auto stamp = worker->continue_job(job_id)) return stamp;
  }
  return std::nullopt;
}

int Scheduler::running_count() {
  int running = 0;
  for (auto& [name, worker] : workers_) running += worker->running_job() ? 1 : 0;
  return running;
}

std::vector<InstrumentWorker*> Scheduler::begin_shutdown() {
  shutting_down_ = true;
  std::vector<InstrumentWorker*> stopping;
  for (auto& [name, worker] : workers_) stopping.push_back(worker.get());
  for (auto& worker : retired_) stopping.push_back(worker.get());
  for (auto* worker : stopping) worker->shutdown();
  return stopping;
}

void Scheduler::release() {
  workers_.clear();  // each destructor joins; begin_shutdown() already asked them to stop
  retired_.clear();
}

void Scheduler::shutdown_and_join() {
  for (auto* worker : begin_shutdown()) worker->join();
  release();
}

void Scheduler::abandon(InstrumentWorker* worker) {
  // Never freed: its thread still runs inside the driver.
  for (auto it = workers_.begin(); it != workers_.end(); ++it) {
    if (it->second.get() != worker) continue;
    (void)it->second.release();
    workers_.erase(it);
    return;
  }
  for (auto it = retired_.begin(); it != retired_.end(); ++it) {
    if (it->get() != worker) continue;
    (void)it->release();
    retired_.erase(it);
    return;
  }
}

void Scheduler::set_step_timeout(std::chrono::seconds timeout) {
  step_timeout_ = timeout;
  for (auto& [name, worker] : workers_) worker->set_step_timeout(timeout);
}

void Scheduler::check_deadlines() {
  if (shutting_down_) return;
  for (auto& [name, worker] : workers_) worker->check_deadline();
  for (auto& worker : retired_) worker->check_deadline();
}

void Scheduler::reap_retired() {
  if (shutting_down_) return;
  std::erase_if(retired_, [](const std::unique_ptr<InstrumentWorker>& worker) {
    if (worker->running_job()) return false;
    worker->join();
    return true;
  });
}

}  // namespace assay::daemon
