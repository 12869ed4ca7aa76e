// The PUB socket: the live tail of the event log. Each event is two frames, [topic, json].
//
// publish() and heartbeat() run on the io thread only; other threads reach it through
// boost::asio::post (Service wires the store's event listener that way), so events go out in
// seq order. Heartbeats are not stored: they carry the seq of the last stored event, so a
// subscriber that sees a larger seq than it has knows it missed something and asks events.since.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include <zmq.hpp>

#include "assay/daemon/store.hpp"

namespace assay::daemon {

class EventPublisher {
 public:
  // `secure` (may be empty) configures the socket before it binds (CURVE for tcp endpoints).
  // `backlog_per_subscriber`: events libzmq holds for a subscriber that does not read; past it
  // that subscriber misses events (it sees the gap in seq and catches up with events.since), so
  // one stalled dashboard cannot grow assayd's memory without bound.
  EventPublisher(zmq::context_t& context, const std::string& endpoint, int backlog_per_subscriber,
                 const std::function<void(zmq::socket_t&)>& secure);
  zmq::socket_t& socket() { return socket_; }
  void publish(const StoredEvent& event);
  // Returns the body it sent (for other listeners of the live tail).
  nlohmann::json heartbeat(const nlohmann::json& status);
  std::int64_t last_seq() const { return last_seq_.load(); }
  void set_last_seq(std::int64_t seq) { last_seq_ = seq; }

 private:
  void send(const std::string& topic, const std::string& body);

  zmq::socket_t socket_;
  std::atomic<std::int64_t> last_seq_{0};
};

}  // namespace assay::daemon
