// The web server: HTTP and WebSocket on the io thread (Boost.Beast over the daemon's Asio
// io_context), serving WebRoutes and the live event stream at /events (docs/web.md).
//
// Every read and write is asynchronous and bounded: request headers 16 KiB, bodies 1 MiB, a
// request must arrive within 30 s, a response be taken within 60 s; a WebSocket client holds at
// most 1 MiB of unsent events, past which it is told it fell behind and is fed from the event
// log (SQLite) from its last seq once it reads again. So a slow or dead browser costs a bounded
// amount of memory and never blocks the io thread. io thread only, like the rest of Service.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "asio.hpp"
#include "assay/daemon/config.hpp"
#include "assay/daemon/store.hpp"
#include "web_routes.hpp"

namespace assay::daemon {

// Where a WebSocket that joined late, asked for `since` or fell behind reads what it missed.
struct WebEventLog {
  std::function<std::vector<StoredEvent>(std::int64_t after_seq, int limit)> since;
  std::function<std::int64_t()> last_seq;
};

class WebServer {
 public:
  WebServer(boost::asio::io_context& io, const WebConfig& config, WebRoutes& routes, WebEventLog log);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds and accepts; throws std::runtime_error naming the address when it cannot bind.
  void start();
  // Stops accepting and closes every connection.
  void stop();
  // "http://HOST:PORT/" with the port actually bound.
  std::string url() const;
  // A stored event for every WebSocket client (in seq order, as the store hands them over).
  void publish(const StoredEvent& event);
  void heartbeat(const nlohmann::json& body);
  std::size_t connection_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace assay::daemon
