// Test clients of assayd's web server over real TCP sockets: plain HTTP requests (also raw bytes,
// for malformed ones) and WebSocket event streams (Boost.Beast, each with its own io_context).
#pragma once

#include <utility>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace assay::testing {

struct HttpReply {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

// The port of "http://127.0.0.1:PORT/".
unsigned short port_of(const std::string& url);

// One request on a fresh connection; `headers` added (Host is 127.0.0.1:PORT unless given).
HttpReply http_request(unsigned short port, const std::string& method, const std::string& target,
                       const std::map<std::string, std::string>& headers = {}, const std::string& body = {});
inline HttpReply http_get(unsigned short port, const std::string& target) { return http_request(port, "GET", target); }

// Sends `bytes` as they are and returns everything the server answers until it closes the
// connection or `timeout` passes.
std::string raw_exchange(unsigned short port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A WebSocket client: text messages out and in.
class WebSocketClient {
 public:
  // Connects to ws://127.0.0.1:PORT/TARGET (an Origin header only when `origin` is given).
  WebSocketClient(unsigned short port, const std::string& target, const std::string& origin = {});
  ~WebSocketClient();
  void send(const std::string& text);
  // The next text message, or nullopt on timeout or close (unusable after a timeout).
  std::optional<std::string> next(std::chrono::milliseconds timeout);
  void close();

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  bool open_ = false;
};

// A client of /events.
class EventClient {
 public:
  // since < 0: no since parameter.
  EventClient(unsigned short port, std::int64_t since, const std::string& origin = {});
  // The next message (events, heartbeats, notices), or nullopt on timeout or close.
  std::optional<nlohmann::json> next(std::chrono::milliseconds timeout);
  // The next stored event (heartbeats and notices skipped).
  std::optional<nlohmann::json> next_event(std::chrono::milliseconds timeout);

 private:
  WebSocketClient socket_;
};

}  // namespace assay::testing
