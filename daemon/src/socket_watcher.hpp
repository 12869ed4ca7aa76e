// Integrates a ZeroMQ socket with a Boost.Asio io_context through the socket's file descriptor.
//
// ZMQ_FD is edge-triggered: it signals that ZMQ_EVENTS may have changed, so after every wake-up
// (and after every send on the socket) the watcher drains messages while ZMQ_EVENTS says POLLIN,
// then waits again. Nothing polls on a timer: an idle daemon sleeps in epoll. io thread only.
#pragma once

#include <functional>

#include <zmq.hpp>

#include "asio.hpp"

namespace assay::daemon {

class SocketWatcher {
 public:
  // `on_readable` must receive exactly one message (non-blocking) each time it is called.
  SocketWatcher(boost::asio::io_context& io, zmq::socket_t& socket, std::function<void()> on_readable);
  void start();
  // Call after sending on the socket: the send may have consumed the edge. Free from inside the
  // handler (the drain loop checks again after it).
  void kick();
  void stop();

 private:
  void arm();
  void drain();

  boost::asio::io_context& io_;
  zmq::socket_t& socket_;
  std::function<void()> on_readable_;
  boost::asio::posix::stream_descriptor descriptor_;
  bool stopped_ = false;
  bool draining_ = false;  // inside on_readable_: the drain loop checks ZMQ_EVENTS next anyway
};

}  // namespace assay::daemon
