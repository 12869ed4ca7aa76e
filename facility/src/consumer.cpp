#include "assay/facility/consumer.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>

#include "assay/facility/apply.hpp"
#include "assay/facility/schema.hpp"

namespace assay::facility {
namespace {

using nlohmann::json;

void reject(PgConnection& pg, const FetchedMessage& message, const std::string& error, ConsumerCounts& counts) {
  spdlog::error("facility: message on {} rejected: {}", message.subject(), error);
  pg.exec("INSERT INTO assay.rejected (subject, error, payload) VALUES ($1, $2, $3)",
          {message.subject(), error, message.data()});
  ++counts.rejected;
}

// One message: stored, a replay, or (malformed) rejected. PgError passes through.
void store_one(PgConnection& pg, const FetchedMessage& message, ConsumerCounts& counts, HostCursors& cursors) {
  json envelope = json::parse(message.data(), nullptr, false);
  if (envelope.is_discarded()) return reject(pg, message, "not JSON", counts);
  try {
    switch (apply_envelope(pg, envelope, cursors)) {
      case Applied::stored: ++counts.stored; break;
      case Applied::replayed: ++counts.replayed; break;
      case Applied::deferred: ++counts.deferred; break;
    }
  } catch (const EnvelopeError& e) {
    reject(pg, message, e.what(), counts);
  } catch (const json::exception& e) {
    reject(pg, message, std::string("missing or mistyped field: ") + e.what(), counts);
  }
}

// The batch in one transaction. A statement PostgreSQL refuses while the connection is fine
// (a value out of range, say) would refuse the whole batch for ever: the batch is then stored
// one message per transaction and the refused message goes to assay.rejected.
void store_batch(PgConnection& pg, const std::vector<FetchedMessage>& batch, ConsumerCounts& counts) {
  try {
    PgTransaction transaction(pg);
    HostCursors cursors;
    for (const auto& message : batch) store_one(pg, message, counts, cursors);
    save_host_cursors(pg, cursors);
    transaction.commit();
    return;
  } catch (const PgError& e) {
    if (!pg.ok()) throw;
    spdlog::warn("facility: a batch was refused ({}); storing its messages one by one", e.what());
  }
  for (const auto& message : batch) {
    try {
      PgTransaction transaction(pg);
      HostCursors cursors;
      store_one(pg, message, counts, cursors);
      save_host_cursors(pg, cursors);
      transaction.commit();
    } catch (const PgError& e) {
      if (!pg.ok()) throw;
      PgTransaction transaction(pg);
      reject(pg, message, e.what(), counts);
      transaction.commit();
    }
  }
}

void pause(std::chrono::milliseconds& backoff, const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + backoff;
  while (!stop && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
}

}  // namespace

void run_consumer(const FacilityConfig& config, const std::atomic<bool>& stop, ConsumerCounts& counts) {
  const std::string password = config.pg_password_file.empty() ? "" : read_secret_file(config.pg_password_file);
  NatsSettings nats_settings = config.nats;
  if (!nats_settings.credentials_file.empty() && nats_settings.credentials_file.rfind("credential:", 0) == 0) {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir) throw FacilityConfigError("nats.credentials_file names a systemd credential but $CREDENTIALS_DIRECTORY is unset");
    nats_settings.credentials_file = std::string(dir) + "/" + nats_settings.credentials_file.substr(11);
  }
  std::unique_ptr<PgConnection> pg;
  std::unique_ptr<NatsLink> nats;
  std::vector<FetchedMessage> pending;  // fetched, not yet committed
  auto backoff = std::chrono::milliseconds(200);
  auto gaps_checked = std::chrono::steady_clock::now();
  while (!stop) {
    try {
      if (!pg) {
        pg = std::make_unique<PgConnection>(config.pg_conninfo, password);
        ensure_schema(*pg);
        spdlog::info("facility: PostgreSQL connected ({})", config.pg_conninfo);
      }
      if (!nats) {
        nats = std::make_unique<NatsLink>(nats_settings);
        nats->ensure_stream(config.stream);
        nats->pull_subscribe(config.stream.name, std::string(config.stream.subjects), config.durable,
                             config.ack_wait_s);
        spdlog::info("facility: consuming stream {} as {} from {}", config.stream.name, config.durable,
                     config.nats.url);
      }
      if (std::chrono::steady_clock::now() - gaps_checked > std::chrono::seconds(10)) {
        counts.given_up += release_stale_gaps(*pg, config.gap_timeout_s);
        gaps_checked = std::chrono::steady_clock::now();
      }
      if (pending.empty()) pending = nats->fetch(config.batch, 1000);
      if (pending.empty()) continue;
      const auto began = std::chrono::steady_clock::now();
      store_batch(*pg, pending, counts);
      spdlog::debug("facility: stored a batch of {} in {} ms", pending.size(),
                    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began).count());
      // Acknowledged only now, after the commit: a crash before this line redelivers the batch,
      // which is then found stored and changes nothing.
      for (std::size_t i = 0; i + 1 < pending.size(); ++i) pending[i].ack_async();
      pending.back().ack();
      pending.clear();
      backoff = std::chrono::milliseconds(200);
    } catch (const PgError& e) {
      spdlog::warn("facility: {}; retrying in {} ms", e.what(), backoff.count());
      pg.reset();
      pause(backoff, stop);
    } catch (const NatsError& e) {
      spdlog::warn("facility: {}; retrying in {} ms", e.what(), backoff.count());
      // Unacknowledged messages come again from the consumer after its ack wait.
      pending.clear();
      nats.reset();
      pause(backoff, stop);
    }
  }
}

}  // namespace assay::facility
