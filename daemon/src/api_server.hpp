// The API's ROUTER socket: frames in, one reply out per request, never a crash.
//
// Accepts DEALER clients ([identity, body]) and REQ clients ([identity, "", body]). Bodies over
// max_message_bytes get a "message_too_large" error reply; libzmq drops peers beyond a hard cap
// of 16x that, so a hostile peer cannot make us buffer without bound. io thread only, but for
// deferred replies (report.get): those are made one at a time on a thread of the server's own,
// at most kMaxDeferred waiting (more get "busy"), and sent from the io thread when ready, so a
// long report never holds up other requests. Replies not yet made when assayd stops are dropped.
#pragma once

#include <memory>
#include <string>

#include <zmq.hpp>

#include "api_handler.hpp"
#include "api_reply.hpp"
#include "asio.hpp"
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
  ~ApiServer();

 private:
  static constexpr int kMaxDeferred = 8;

  void on_message();
  void send_reply(const zmq::message_t& identity, bool from_req, const std::string& reply);
  // Makes `later` on the deferred-reply thread and sends it from the io thread.
  void defer_reply(zmq::message_t identity, bool from_req, ApiReply reply);

  zmq::socket_t socket_;
  std::size_t max_message_bytes_;
  ApiHandler& handler_;
  std::string instance_;  // random per start; prefixes routing ids used as client names
  std::unique_ptr<SocketWatcher> watcher_;
  boost::asio::io_context& io_;
  int deferred_ = 0;  // waiting or being made; counted on the io thread only
  boost::asio::thread_pool deferred_thread_{1};  // last: joined first, before the rest goes
};

}  // namespace assay::daemon
