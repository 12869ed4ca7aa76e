// An HTTP server on a caller's Boost.Asio io_context (Boost.Beast): accepts connections, reads
// each request within bounds (headers 16 KiB, body 1 MiB, 30 s to arrive, 60 s to be taken),
// asks a WebResponder for the answer and writes it. A WebSocket request the responder accepts is
// handed to the upgrade hook. Nothing blocks the io thread. io thread only.
#pragma once

#include <utility>  // before Asio (GCC 12, C++20)

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "assay/web/http_session.hpp"

namespace assay::web {

struct HttpListen {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal
  unsigned short port = 0;         // 0 = any free port
  int max_connections = 512;       // more at once are answered 503
  std::string config_key = "[web] listen";  // what to change when it cannot bind, for the message
};

// "HOST:PORT" with an IPv4 literal or a bracketed IPv6 one; the port may be 0 (any free port).
// False (host and port unchanged) for anything else.
bool parse_listen(const std::string& text, std::string& host, unsigned short& port);

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpListen listen, WebResponder& responder, std::string server_name,
             WebUpgrade upgrade = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and accepts; throws std::runtime_error naming the address when it cannot bind.
  void start();
  // Stops accepting and closes every connection (WebSockets too, when they register in
  // context()->connections).
  void stop();
  // "http://HOST:PORT/" with the port actually bound.
  std::string url() const;
  std::size_t connection_count() const;
  const std::shared_ptr<WebContext>& context() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace assay::web
