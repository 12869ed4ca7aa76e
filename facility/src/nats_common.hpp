// Internal to the facility bus library: libnats status checks and the connection options every
// NATS connection of the facility shares (server list, credentials, TLS, reconnect for ever).
#pragma once

#include <nats/nats.h>

#include <string>

#include "assay/facility/nats_client.hpp"

namespace assay::facility::detail {

// Throws NatsError: what was being done, the library's words and its last error text (it names
// the server's reason).
[[noreturn]] void fail(const std::string& doing, natsStatus status, jsErrCode js_error = static_cast<jsErrCode>(0));

inline void check(const std::string& doing, natsStatus status, jsErrCode js_error = static_cast<jsErrCode>(0)) {
  if (status != NATS_OK) fail(doing, status, js_error);
}

// Owns a natsOptions set from `settings` for the time of a connect.
class ConnectOptions {
 public:
  explicit ConnectOptions(const NatsSettings& settings);
  ~ConnectOptions() { natsOptions_Destroy(options_); }
  ConnectOptions(const ConnectOptions&) = delete;
  ConnectOptions& operator=(const ConnectOptions&) = delete;
  natsOptions* get() const { return options_; }

 private:
  natsOptions* options_ = nullptr;
};

}  // namespace assay::facility::detail
