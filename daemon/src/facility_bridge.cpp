#include "facility_bridge.hpp"

#include <algorithm>
#include <memory>

#include <spdlog/spdlog.h>

#include "assay/facility/nats_client.hpp"
#include "curve_auth.hpp"
#include "facility_outbox.hpp"

namespace assay::daemon {
namespace {

constexpr int kBatchEvents = 128;  // events read from SQLite per step
constexpr auto kSaveEvery = std::chrono::milliseconds(500);  // the cursor is written at most this often
constexpr auto kIdleCheck = std::chrono::seconds(5);         // a missed wake-up costs at most this
constexpr auto kLongestPause = std::chrono::milliseconds(30000);

}  // namespace

FacilityBridge::FacilityBridge(FacilityBridgeConfig config, Store& store) : config_(std::move(config)), store_(store) {}

FacilityBridge::~FacilityBridge() { stop(); }

void FacilityBridge::start() { thread_ = std::thread([this] { run(); }); }

void FacilityBridge::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_one();
}

void FacilityBridge::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void FacilityBridge::wait_for(std::chrono::milliseconds pause, bool until_notified) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, pause, [&] { return stopping_ || (until_notified && notified_); });
  notified_ = false;
}

void FacilityBridge::run() {
  const std::string target = config_.stream + "/" + config_.host;
  facility::NatsSettings settings;
  settings.url = config_.nats_url;
  settings.ca_file = config_.ca_file;
  settings.client_name = "assayd " + config_.host;
  settings.timeout_ms = 2000;
  facility::StreamSettings stream;
  stream.name = config_.stream;
  std::unique_ptr<facility::NatsLink> link;
  std::unique_ptr<FacilityOutbox> outbox;
  std::int64_t acked = 0, saved = 0;
  auto saved_at = std::chrono::steady_clock::now();
  auto pause = std::chrono::milliseconds(250);
  std::string last_error;
  auto save = [&](bool now) {
    if (acked == saved) return;
    if (!now && std::chrono::steady_clock::now() - saved_at < kSaveEvery) return;
    store_.set_facility_acked_seq(target, acked);
    saved = acked;
    saved_at = std::chrono::steady_clock::now();
  };
  auto stopping = [&] {
    std::lock_guard lock(mutex_);
    return stopping_;
  };
  while (!stopping()) {
    try {
      if (!outbox) {
        outbox = std::make_unique<FacilityOutbox>(store_.path(), config_.host);
        acked = saved = store_.facility_acked_seq(target);
        if (!config_.credentials_file.empty()) settings.credentials_file = resolve_key_path(config_.credentials_file).string();
      }
      if (!link) {
        link = std::make_unique<facility::NatsLink>(settings);
        link->ensure_stream(stream);
        spdlog::info("facility: sending events of host {} to stream {} at {}, from seq {} ({} to catch up)",
                     config_.host, config_.stream, config_.nats_url, acked + 1, std::max<std::int64_t>(0, store_.last_seq() - acked));
        last_error.clear();
      }
      auto batch = outbox->after(acked, kBatchEvents);
      if (batch.empty()) {
        save(true);
        wait_for(kIdleCheck, /*until_notified=*/true);
        continue;
      }
      for (const auto& message : batch) {
        link->publish(message.subject, message.payload, message.msg_id);
        acked = message.seq;
        if (stopping()) break;
      }
      save(false);
      pause = std::chrono::milliseconds(250);
    } catch (const std::exception& e) {
      // Whatever was acknowledged stays acknowledged; the rest goes when the stream is back.
      try {
        save(true);
      } catch (const std::exception& save_error) {
        spdlog::error("facility: cannot record the acknowledged seq {}: {}", acked, save_error.what());
      }
      if (e.what() != last_error) {
        spdlog::warn("facility: {}; events are kept in SQLite and sent from seq {} when it works again "
                     "(retrying every {} s at most)", e.what(), acked + 1, kLongestPause.count() / 1000);
        last_error = e.what();
      }
      link.reset();
      wait_for(pause, /*until_notified=*/false);
      pause = std::min(pause * 2, kLongestPause);
    }
  }
  try {
    save(true);
  } catch (const std::exception& e) {
    spdlog::error("facility: cannot record the acknowledged seq {} at stop: {}", acked, e.what());
  }
}

}  // namespace assay::daemon
