// The API's ROUTER socket: frames in, one reply out per request, never a crash.
//
// Accepts DEALER clients ([identity, body]) and REQ clients ([identity, "", body]). Bodies over
// max_message_bytes get a "message_too_large" error reply; libzmq drops peers beyond a hard cap
// of 16x that, so a hostile peer cannot make us buffer without bound. io thread only.
#pragma once

#include <memory>
#include <string>

#include <zmq.hpp>

#include "api_handler.hpp"
#include "socket_watcher.hpp"

namespace assay::daemon {

class ApiServer {
 public:
  // `secure` (may be empty) configures the socket before it binds (CURVE for tcp endpoints).
  ApiServer(boost::asio::io_context& io, zmq::context_t& context, const std::string& endpoint,
            std::size_t max_message_bytes, ApiHandler& handler,
            const std::function<void(zmq::socket_t&)>& secure);
  zmq::socket_t& socket() { return socket_; }
  void start() { watcher_->start(); }
  void stop() { watcher_->stop(); }
  void set_max_message_bytes(std::size_t bytes) { max_message_bytes_ = bytes; }

 private:
  void on_message();
  std::string reply_for(const zmq::message_t& body, std::string client);

  zmq::socket_t socket_;
  std::size_t max_message_bytes_;
  ApiHandler& handler_;
  std::string instance_;  // random per start; prefixes routing ids used as client names
  std::unique_ptr<SocketWatcher> watcher_;
};

}  // namespace assay::daemon
