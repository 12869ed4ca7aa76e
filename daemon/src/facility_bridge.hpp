// The facility bridge: forwards assayd's stored event log, in seq order, to the facility's
// NATS JetStream stream (docs/facility.md).
//
// Its own thread, its own read-only SQLite connection (FacilityOutbox), its own NATS link: it
// never runs on the io thread or a worker, and they never wait for it. Progress is the last seq
// the stream acknowledged, kept in SQLite (facility_cursor), so after any outage of the network,
// NATS or assayd it resumes there; the backlog is the local event log itself. Each message has
// the id "<host>:<seq>", so JetStream drops a republished one, and the facility store is
// idempotent on (host, seq) besides.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "assay/daemon/config.hpp"
#include "assay/daemon/store.hpp"

namespace assay::daemon {

class FacilityBridge {
 public:
  FacilityBridge(FacilityBridgeConfig config, Store& store);
  ~FacilityBridge();  // stop()
  FacilityBridge(const FacilityBridge&) = delete;
  FacilityBridge& operator=(const FacilityBridge&) = delete;

  void start();
  // An event was stored: cheap, any thread (called from the store's listener).
  void notify();
  // Ends the thread after the message in flight (bounded by the NATS timeout, 2 s).
  void stop();

 private:
  void run();
  void wait_for(std::chrono::milliseconds pause, bool until_notified);

  FacilityBridgeConfig config_;
  Store& store_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool notified_ = false;
  bool stopping_ = false;
};

}  // namespace assay::daemon
