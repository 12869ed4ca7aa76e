// The set of instruments and their workers; routes submitted jobs and cancels to them.
//
// Owned and called by the io thread only (workers run on their own threads). Reload replaces
// the set: new instruments start, removed ones retire after their current job, changed ones are
// rebuilt when idle.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "assay/daemon/config.hpp"
#include "assay/daemon/store.hpp"
#include "assay/drivers/registry.hpp"
#include "protocol_catalog.hpp"
#include "instrument_worker.hpp"

namespace assay::daemon {

// The instrument of one [[instrument]] table, built from its settings but not connected (what
// start, reload and --check-config do); throws ConfigError naming the file and line at fault.
std::unique_ptr<drivers::Instrument> build_instrument(const InstrumentConfig& config,
                                                      const drivers::DriverRegistry& drivers);

class Scheduler {
 public:
  Scheduler(Store& store, const drivers::DriverRegistry& drivers,
            const ProtocolCatalog& protocols, std::filesystem::path state_dir);
  ~Scheduler();

  // Builds every instrument first and starts them only when all succeeded; throws ConfigError
  // naming the instrument at fault otherwise, leaving the current set untouched.
  void apply(const std::vector<InstrumentConfig>& instruments);
  InstrumentWorker* find(const std::string& name);
  std::vector<InstrumentWorker*> workers();
  void wake(const std::string& instrument);
  bool cancel_running(const std::string& job_id);
  // The addition stamp when a worker had `job_id` waiting for a manual addition (see
  // InstrumentWorker::continue_job); nullopt when none had.
  std::optional<AdditionGate::Stamp> continue_waiting(const std::string& job_id);
  int running_count();
  // Asks every worker to stop at the next safe point and joins them (blocking).
  void shutdown_and_join();
  // Graceful stop in three steps so the io thread never waits and never reads a worker being
  // destroyed: begin_shutdown() (io thread) asks every worker to stop and returns them; another
  // thread joins those; then release() (io thread, after the API stopped) destroys them. Once
  // shutdown began, apply() and reap_retired() do nothing.
  std::vector<InstrumentWorker*> begin_shutdown();
  void release();
  // At stop, a worker stuck in a driver call that ignores stop (it did not join in time): it is
  // never destroyed, since its thread still runs inside the driver, so release() does not wait
  // for it. io thread.
  void abandon(InstrumentWorker* worker);
  // policy.step_timeout_s, for every worker now and later.
  void set_step_timeout(std::chrono::seconds timeout);
  // Enforces every running job's step deadline (see InstrumentWorker::check_deadline).
  void check_deadlines();
  // Joins workers retired by an earlier apply() that have finished.
  void reap_retired();

 private:
  std::unique_ptr<InstrumentWorker> build(const InstrumentConfig& config);

  Store& store_;
  const drivers::DriverRegistry& drivers_;
  const ProtocolCatalog& protocols_;
  std::filesystem::path state_dir_;
  std::map<std::string, std::unique_ptr<InstrumentWorker>> workers_;
  std::vector<std::unique_ptr<InstrumentWorker>> retired_;
  bool shutting_down_ = false;
  std::chrono::seconds step_timeout_{300};
};

}  // namespace assay::daemon
