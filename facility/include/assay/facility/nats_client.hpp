// RAII over the NATS C client (libnats) for the two ends of the facility bus: a JetStream
// publisher (assayd's bridge) and a durable pull consumer (assay-facility).
//
// Every call returns or throws NatsError with the server's or library's words and what to
// check; nothing here retries: callers own their backoff. One NatsLink belongs to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

struct __natsConnection;
struct __jsCtx;
struct __natsSubscription;
struct __natsMsg;

namespace assay::facility {

class NatsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NatsSettings {
  std::string url = "nats://127.0.0.1:4222";  // one or more, comma separated
  std::string credentials_file;                // NATS user credentials (JWT + nkey seed); empty = none
  std::string ca_file;                         // TLS: trusted CAs; set => the connection is TLS
  std::string client_name = "assayd";
  int timeout_ms = 5000;                       // connect and each JetStream request
};

struct StreamSettings {
  std::string name = "ASSAY";
  std::string subjects = "assay.>";
  std::int64_t max_age_s = 0;  // 0 = keep until removed by hand
};

// One message fetched by a pull consumer; ack() after the data is safely stored.
class FetchedMessage final {
 public:
  explicit FetchedMessage(__natsMsg* msg) : msg_(msg) {}
  ~FetchedMessage();
  FetchedMessage(FetchedMessage&& other) noexcept;
  FetchedMessage& operator=(FetchedMessage&&) = delete;
  FetchedMessage(const FetchedMessage&) = delete;

  std::string subject() const;
  std::string data() const;
  void ack();  // synchronous: returns once the server recorded it; throws NatsError
  void ack_async();  // sent, not waited for (a later ack() on the same link flushes it)

 private:
  __natsMsg* msg_ = nullptr;
};

class NatsLink final {
 public:
  // Connects (one attempt; the library reconnects on its own afterwards).
  explicit NatsLink(const NatsSettings& settings);
  ~NatsLink();
  NatsLink(const NatsLink&) = delete;
  NatsLink& operator=(const NatsLink&) = delete;

  bool connected() const;
  // Creates the stream when it does not exist; an existing one is used as it is.
  void ensure_stream(const StreamSettings& stream);
  // Publishes and waits for the stream's ack. Returns true when JetStream saw the id before.
  bool publish(const std::string& subject, const std::string& data, const std::string& msg_id);
  // Binds (creating when needed) the durable pull consumer `durable` on `stream`.
  void pull_subscribe(const std::string& stream, const std::string& subject_filter, const std::string& durable,
                      std::int64_t ack_wait_s);
  // Up to `batch` messages, waiting at most `timeout_ms`; empty when none came.
  std::vector<FetchedMessage> fetch(int batch, int timeout_ms);

 private:
  NatsSettings settings_;
  __natsConnection* connection_ = nullptr;
  __jsCtx* js_ = nullptr;
  __natsSubscription* subscription_ = nullptr;
};

}  // namespace assay::facility
