#include "assay/facility/nats_requests.hpp"

#include <nats/nats.h>

#include "nats_common.hpp"

namespace assay::facility {

using detail::check;

namespace {

// A connection for one request from a person at a terminal: one attempt, so that they are told
// at once that the bus is away.
natsConnection* connect_once(const NatsSettings& settings) {
  detail::ConnectOptions options(settings);
  check("reconnect", natsOptions_SetMaxReconnect(options.get(), 0));
  natsConnection* connection = nullptr;
  check("connecting to " + settings.url + " (is nats-server running and reachable?)",
        natsConnection_Connect(&connection, options.get()));
  return connection;
}

void close_connection(natsConnection* connection) {
  natsConnection_Close(connection);
  natsConnection_Destroy(connection);
}

}  // namespace

std::string nats_request(const NatsSettings& settings, const std::string& subject, const std::string& data) {
  natsConnection* connection = connect_once(settings);
  natsMsg* reply = nullptr;
  natsStatus status = natsConnection_Request(&reply, connection, subject.c_str(), data.data(),
                                             static_cast<int>(data.size()), settings.timeout_ms);
  std::string text;
  if (status == NATS_OK) {
    text.assign(natsMsg_GetData(reply), static_cast<std::size_t>(natsMsg_GetDataLength(reply)));
    natsMsg_Destroy(reply);
  }
  close_connection(connection);
  if (status == NATS_NO_RESPONDERS) throw NatsNoResponders("NATS: nobody listens on " + subject);
  if (status == NATS_TIMEOUT) {
    throw NatsRequestTimeout("NATS: no reply on " + subject + " within " + std::to_string(settings.timeout_ms) + " ms");
  }
  check("request on " + subject, status);
  return text;
}

std::vector<std::string> nats_gather(const NatsSettings& settings, const std::string& subject, const std::string& data,
                                     int linger_ms) {
  natsConnection* connection = connect_once(settings);
  natsInbox* inbox = nullptr;
  natsSubscription* subscription = nullptr;
  natsStatus status = natsInbox_Create(&inbox);
  if (status == NATS_OK) status = natsConnection_SubscribeSync(&subscription, connection, inbox);
  if (status == NATS_OK) {
    status = natsConnection_PublishRequest(connection, subject.c_str(), inbox, data.data(),
                                           static_cast<int>(data.size()));
  }
  std::vector<std::string> replies;
  // The first reply may take the whole timeout; the others come within `linger_ms` of the last.
  for (int wait_ms = settings.timeout_ms; status == NATS_OK; wait_ms = linger_ms) {
    natsMsg* reply = nullptr;
    if (natsSubscription_NextMsg(&reply, subscription, wait_ms) != NATS_OK) break;
    if (!natsMsg_IsNoResponders(reply)) {
      replies.emplace_back(natsMsg_GetData(reply), static_cast<std::size_t>(natsMsg_GetDataLength(reply)));
    }
    natsMsg_Destroy(reply);
  }
  natsSubscription_Destroy(subscription);
  natsInbox_Destroy(inbox);
  close_connection(connection);
  check("request on " + subject, status);
  return replies;
}

NatsResponder::NatsResponder(const NatsSettings& settings, Handler on_request) : on_request_(std::move(on_request)) {
  detail::ConnectOptions options(settings);
  // A nats-server that is not there yet is tried again in the background, as after a drop. The
  // callback is what makes it the background: without one, libnats retries inside the connect
  // call, for ever with our reconnect settings, and assayd would never get to serve.
  check("retry on a failed connect",
        natsOptions_SetRetryOnFailedConnect(options.get(), true, &NatsResponder::connected, nullptr));
  natsStatus status = natsConnection_Connect(&connection_, options.get());
  if (status != NATS_OK && status != NATS_NOT_YET_CONNECTED) {
    detail::fail("connecting to " + settings.url + " (is nats-server running and reachable?)", status);
  }
}

NatsResponder::~NatsResponder() {
  {
    std::lock_guard lock(mutex_);
    // A drain returns once the handler is done with the last message, so none runs after this
    // destructor; a request it had taken unanswered is retried by its sender with the same id.
    // Without a server to drain through (it is away), unsubscribing is all there is: nothing
    // can arrive then, and a drain would only wait out its timeout.
    const bool connected = natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED;
    for (auto& [subject, subscription] : subscriptions_) {
      if (connected && natsSubscription_DrainTimeout(subscription, 2000) == NATS_OK) {
        natsSubscription_WaitForDrainCompletion(subscription, 2500);
      } else {
        natsSubscription_Unsubscribe(subscription);
      }
      natsSubscription_Destroy(subscription);
    }
    subscriptions_.clear();
  }
  natsConnection_Close(connection_);
  natsConnection_Destroy(connection_);
}

void NatsResponder::connected(natsConnection*, void*) {}

void NatsResponder::deliver(natsConnection*, natsSubscription*, natsMsg* msg, void* self) {
  const char* reply_to = natsMsg_GetReply(msg);
  std::string subject = natsMsg_GetSubject(msg);
  std::string data(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  std::string reply(reply_to ? reply_to : "");
  natsMsg_Destroy(msg);
  if (reply.empty()) return;  // a publish, not a request: nobody would read an answer
  static_cast<NatsResponder*>(self)->on_request_(subject, std::move(data), std::move(reply));
}

void NatsResponder::listen(const std::string& subject, const std::string& queue_group) {
  std::lock_guard lock(mutex_);
  if (subscriptions_.count(subject)) return;
  natsSubscription* subscription = nullptr;
  check("subscribing to " + subject,
        queue_group.empty()
            ? natsConnection_Subscribe(&subscription, connection_, subject.c_str(), &NatsResponder::deliver, this)
            : natsConnection_QueueSubscribe(&subscription, connection_, subject.c_str(), queue_group.c_str(),
                                            &NatsResponder::deliver, this));
  subscriptions_[subject] = subscription;
}

void NatsResponder::stop_listening(const std::string& subject) {
  std::lock_guard lock(mutex_);
  auto found = subscriptions_.find(subject);
  if (found == subscriptions_.end()) return;
  natsSubscription_Unsubscribe(found->second);
  natsSubscription_Destroy(found->second);
  subscriptions_.erase(found);
}

bool NatsResponder::listening(const std::string& subject) const {
  std::lock_guard lock(mutex_);
  return subscriptions_.count(subject) > 0;
}

void NatsResponder::reply(const std::string& reply_to, const std::string& data) {
  check("replying on " + reply_to, natsConnection_Publish(connection_, reply_to.c_str(), data.data(),
                                                          static_cast<int>(data.size())));
}

}  // namespace assay::facility
