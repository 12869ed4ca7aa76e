// The connections of an HttpServer: an HTTP session per accepted socket, which may be handed
// over (HttpServer's upgrade hook) to a WebSocket when its responder accepts one. Every
// connection holds the shared WebContext, so one that outlives the server (its last handler
// still queued on the io_context) never touches freed state. io thread only.
#pragma once

#include <utility>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "assay/web/message.hpp"

namespace assay::web {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

inline constexpr std::size_t kWebHeaderLimit = 16 * 1024;
inline constexpr std::size_t kWebBodyLimit = 1 << 20;
inline constexpr auto kWebRequestTimeout = std::chrono::seconds(30);
inline constexpr auto kWebWriteTimeout = std::chrono::seconds(60);

class WebConnection {
 public:
  virtual ~WebConnection() = default;
  virtual void close() = 0;
};

// Takes over a connection whose request the responder accepted as a WebSocket
// (WebResponse::events_since set).
using WebUpgrade = std::function<void(beast::tcp_stream stream, http::request<http::string_body> request,
                                      std::int64_t events_since)>;

struct WebContext {
  WebResponder* responder = nullptr;  // null once the server stopped
  WebUpgrade upgrade;                 // empty: WebSocket requests are refused
  std::string server_name;            // the Server header, e.g. "assayd/0.1.0"
  std::set<WebConnection*> connections;
};

class HttpSession final : public WebConnection, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, std::shared_ptr<WebContext> context);
  ~HttpSession() override;
  void start();
  // Answers 503 and closes: the server is at its max_connections.
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

}  // namespace assay::web
