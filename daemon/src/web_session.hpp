// The connections of WebServer (private to it): an HTTP session per accepted socket, which turns
// into an EventStream when a browser upgrades to WebSocket at /events. Both hold the shared
// WebContext, so a connection that outlives the server (its last handler still queued on the
// io_context) never touches freed state. io thread only.
#pragma once

#include <utility>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>

#include "web_server.hpp"

namespace assay::daemon {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

inline constexpr std::size_t kWebHeaderLimit = 16 * 1024;
inline constexpr std::size_t kWebBodyLimit = 1 << 20;
inline constexpr auto kWebRequestTimeout = std::chrono::seconds(30);
inline constexpr auto kWebWriteTimeout = std::chrono::seconds(60);
inline constexpr std::size_t kWebMaxQueuedBytes = 1 << 20;  // unsent events per WebSocket client

class WebConnection {
 public:
  virtual ~WebConnection() = default;
  virtual void close() = 0;
};

class EventStream;

struct WebContext {
  WebRoutes* routes = nullptr;  // null once the server stopped
  WebEventLog log;
  std::set<WebConnection*> connections;
  std::set<EventStream*> streams;
};

class HttpSession final : public WebConnection, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, std::shared_ptr<WebContext> context);
  ~HttpSession() override;
  void start();
  // Answers 503 and closes: the server is at [web] max_connections.
  void refuse_busy();
  void close() override;

 private:
  void read_request();
  void on_read(beast::error_code error);
  void send(const WebResponse& response, bool keep_alive);
  void linger_close();
  void drain();
  template <class Body>
  void write(std::shared_ptr<http::response<Body>> message);

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{64 * 1024};
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<WebContext> context_;
  unsigned version_ = 11;
};

class EventStream final : public WebConnection, public std::enable_shared_from_this<EventStream> {
 public:
  // `since` < 0: live events only; else every stored event after it first.
  EventStream(beast::tcp_stream stream, std::shared_ptr<WebContext> context, std::int64_t since);
  ~EventStream() override;
  void start(http::request<http::string_body> request);
  // `text` is the event's JSON, made once and shared by every stream.
  void deliver(std::int64_t seq, const std::shared_ptr<const std::string>& text);
  void deliver_heartbeat(const std::shared_ptr<const std::string>& text);
  void close() override;

 private:
  struct Message {
    std::int64_t seq = 0;  // 0: not a stored event (heartbeat, notice)
    std::shared_ptr<const std::string> text;
  };
  void read_loop();
  void pump();
  void enqueue(std::int64_t seq, std::shared_ptr<const std::string> text);
  void fall_behind();
  void read_from_log();

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<WebContext> context_;
  std::deque<Message> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool open_ = false;
  bool catching_up_ = false;
  std::int64_t cursor_ = 0;    // the last stored event queued
  std::int64_t sent_seq_ = 0;  // the last stored event handed to the socket
  beast::flat_buffer read_buffer_;
};

}  // namespace assay::daemon
