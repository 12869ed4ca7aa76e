#include "event_publisher.hpp"

#include <spdlog/spdlog.h>

namespace assay::daemon {

EventPublisher::EventPublisher(zmq::context_t& context, const std::string& endpoint, int backlog_per_subscriber,
                               const std::function<void(zmq::socket_t&)>& secure)
    : socket_(context, zmq::socket_type::pub) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::sndhwm, backlog_per_subscriber);
  if (secure) secure(socket_);
  socket_.bind(endpoint);
}

void EventPublisher::send(const std::string& topic, const std::string& body) {
  try {
    socket_.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    socket_.send(zmq::buffer(body), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    spdlog::warn("could not publish {}: {}", topic, e.what());
  }
}

void EventPublisher::publish(const StoredEvent& event) {
  last_seq_ = event.seq;
  send(event.topic, *event.text);  // stored UTF-8 JSON: the store's dump refused anything else
}

nlohmann::json EventPublisher::heartbeat(const nlohmann::json& status) {
  nlohmann::json body = status;
  body["topic"] = "heartbeat";
  body["seq"] = last_seq_.load();
  body["time"] = utc_now();
  send("heartbeat", body.dump());
  return body;
}

}  // namespace assay::daemon
