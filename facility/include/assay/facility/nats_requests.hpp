// Core NATS request/reply for jobs submitted through the facility (docs/facility.md): the
// responder end in each assayd and the requester end in `assayctl --facility-nats ... submit`.
//
// Plain request/reply, not JetStream: a submit is answered at once with a job id or the error
// the host's API gives, so a request no host can take fails now ("no responders") instead of
// waiting in a stream for a host that may never come.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "assay/facility/nats_client.hpp"

struct __natsConnection;
struct __natsSubscription;

namespace assay::facility {

// No subscriber at all for the subject: nobody could take the request.
class NatsNoResponders : public NatsError {
 public:
  using NatsError::NatsError;
};

// No reply within the timeout: a responder may have taken the request (retry with the same id).
class NatsRequestTimeout : public NatsError {
 public:
  using NatsError::NatsError;
};

// Sends `data` on `subject` and waits up to settings.timeout_ms for one reply.
std::string nats_request(const NatsSettings& settings, const std::string& subject, const std::string& data);

// Sends `data` on `subject` and gathers every reply: the first within settings.timeout_ms,
// each further one within `linger_ms` of the one before. Empty when nobody answered.
std::vector<std::string> nats_gather(const NatsSettings& settings, const std::string& subject, const std::string& data,
                                     int linger_ms);

// Subscribes to request subjects and hands each request to `on_request` (on a libnats thread;
// it must return quickly). reply() may be called later from any thread. The connection is
// made in the background and kept up for ever: a nats-server that is down at start or goes
// away later only delays the subscriptions, it never ends them.
class NatsResponder final {
 public:
  using Handler = std::function<void(const std::string& subject, std::string data, std::string reply_to)>;

  NatsResponder(const NatsSettings& settings, Handler on_request);
  ~NatsResponder();  // drains (at most ~2 s; just unsubscribes when nats-server is away) and closes
  NatsResponder(const NatsResponder&) = delete;
  NatsResponder& operator=(const NatsResponder&) = delete;

  // Members of one queue group share a subject's requests: each request reaches one of them.
  // An empty group: every subscriber gets every request.
  void listen(const std::string& subject, const std::string& queue_group);
  void stop_listening(const std::string& subject);
  bool listening(const std::string& subject) const;
  // Publishes `data` to a request's reply subject (buffered; never waits for the network).
  void reply(const std::string& reply_to, const std::string& data);

 private:
  static void connected(__natsConnection*, void*);
  static void deliver(__natsConnection*, __natsSubscription*, struct __natsMsg* msg, void* self);

  Handler on_request_;
  __natsConnection* connection_ = nullptr;
  mutable std::mutex mutex_;
  std::map<std::string, __natsSubscription*> subscriptions_;
};

}  // namespace assay::facility
