// assayd's web server (docs/web.md): the dashboard's routes over an HttpServer on the io thread
// (Boost.Beast over the daemon's Asio io_context) and the live event stream at /events. A slow
// or dead browser costs a bounded amount of memory and never blocks the io thread (see
// assay/web/http_server.hpp and web_event_stream.hpp). io thread only, like the rest of Service.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "asio.hpp"
#include "assay/daemon/config.hpp"
#include "assay/web/http_server.hpp"
#include "web_event_stream.hpp"
#include "web_routes.hpp"

namespace assay::daemon {

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
  std::shared_ptr<EventStreams> streams_;
  web::HttpServer server_;
};

}  // namespace assay::daemon
