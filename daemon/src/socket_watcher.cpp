#include "socket_watcher.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>

namespace assay::daemon {
namespace {

// Fairness: after this many messages, yield to other handlers and continue later.
constexpr int kMessagesPerTurn = 64;

}  // namespace

SocketWatcher::SocketWatcher(boost::asio::io_context& io, zmq::socket_t& socket,
                             std::function<void()> on_readable)
    : io_(io),
      socket_(socket),
      on_readable_(std::move(on_readable)),
      // A duplicate, so that Asio may close its descriptor without closing ZeroMQ's.
      descriptor_(io, ::dup(socket.get(zmq::sockopt::fd))) {}

void SocketWatcher::start() { drain(); }

void SocketWatcher::kick() {
  // Inside drain() (a reply sent by the handler) the loop reads ZMQ_EVENTS again after the
  // handler returns, which is what a kick is for: posting another drain would cost a turn of
  // the io loop and one more ZMQ_EVENTS check (a poll and a getpid in libzmq) per request.
  if (draining_) return;
  boost::asio::post(io_, [this] { drain(); });
}

void SocketWatcher::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  descriptor_.cancel(ignored);
}

void SocketWatcher::arm() {
  descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [this](const boost::system::error_code& error) {
                           if (!error) drain();
                         });
}

void SocketWatcher::drain() {
  if (stopped_) return;
  for (int handled = 0; handled < kMessagesPerTurn; ++handled) {
    if (!(socket_.get(zmq::sockopt::events) & ZMQ_POLLIN)) {
      arm();
      return;
    }
    draining_ = true;
    try {
      on_readable_();
    } catch (const std::exception& e) {
      spdlog::error("socket handler failed: {}", e.what());
    }
    draining_ = false;
  }
  kick();
}

}  // namespace assay::daemon
