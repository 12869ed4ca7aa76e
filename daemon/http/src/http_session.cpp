#include <utility>

#include "assay/web/http_session.hpp"

#include <spdlog/spdlog.h>

namespace assay::web {
namespace {

template <class Body>
void set_headers(http::response<Body>& message, const WebResponse& response, bool keep_alive,
                 const std::string& server_name) {
  message.set(http::field::server, server_name);
  message.set(http::field::content_type, response.content_type);
  message.set(http::field::cache_control, "no-store");
  message.set("X-Content-Type-Options", "nosniff");
  message.set("Referrer-Policy", "no-referrer");
  for (const auto& [name, value] : response.headers) message.set(name, value);
  message.keep_alive(keep_alive);
  message.prepare_payload();
}

// The status and words of a request Beast could not read.
std::pair<unsigned, std::string> refusal_for(const beast::error_code& error) {
  if (error == http::error::header_limit) {
    return {431, "the request's header is over " + std::to_string(kWebHeaderLimit / 1024) + " KiB"};
  }
  if (error == http::error::body_limit) {
    return {413, "the request's body is over " + std::to_string(kWebBodyLimit >> 20) + " MiB"};
  }
  if (error == beast::error::timeout) {
    return {408, "the request did not arrive within " + std::to_string(kWebRequestTimeout.count()) + " s"};
  }
  return {400, "malformed HTTP request: " + error.message()};
}

}  // namespace

HttpSession::HttpSession(tcp::socket socket, std::shared_ptr<WebContext> context)
    : stream_(std::move(socket)), context_(std::move(context)) {
  context_->connections.insert(this);
}

HttpSession::~HttpSession() { context_->connections.erase(this); }

void HttpSession::start() { read_request(); }

void HttpSession::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
}

// Closing a socket with unread request bytes (a refused body or header) makes the kernel send a
// reset, which can destroy the answer before the client reads it: half-close, then read and drop
// what the client still sends for a short while.
void HttpSession::linger_close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds(2));
  drain();
}

void HttpSession::drain() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(16 * 1024), [self = shared_from_this()](beast::error_code error, std::size_t) {
    if (error) return self->close();
    self->drain();
  });
}

void HttpSession::refuse_busy() {
  WebResponse response = error_response(503, "busy", "too many connections (max_connections); try again");
  response.headers.emplace_back("Retry-After", "5");
  send(response, false);
}

void HttpSession::read_request() {
  parser_.emplace();
  parser_->header_limit(kWebHeaderLimit);
  parser_->body_limit(kWebBodyLimit);
  stream_.expires_after(kWebRequestTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_read(error); });
}

void HttpSession::on_read(beast::error_code error) {
  if (error == http::error::end_of_stream || error == boost::asio::error::operation_aborted || !context_->responder) {
    return close();
  }
  if (error) {
    // An idle keep-alive connection that times out, or a peer that vanished, gets no answer.
    const bool unreadable = error.category() == http::make_error_code(http::error::bad_target).category();
    const bool too_slow = error == beast::error::timeout && (parser_->got_some() || buffer_.size() > 0);
    if (!unreadable && !too_slow) return close();
    auto [status, message] = refusal_for(error);
    spdlog::debug("web: refused a request from {}: {}", [&] {
      beast::error_code ignored;
      auto peer = stream_.socket().remote_endpoint(ignored);
      return ignored ? std::string("?") : peer.address().to_string();
    }(), message);
    return send(error_response(status, status == 400 ? "bad_request" : "request_refused", message), false);
  }
  auto& request = parser_->get();
  version_ = request.version();
  WebRequest web;
  web.method = std::string(request.method_string());
  web.target = std::string(request.target());
  web.host = std::string(request[http::field::host]);
  web.origin = std::string(request[http::field::origin]);
  web.authorization = std::string(request[http::field::authorization]);
  web.idempotency_key = std::string(request["Idempotency-Key"]);
  web.body = std::move(request.body());
  web.websocket = websocket::is_upgrade(request);
  auto response = context_->responder->respond(web);
  if (web.websocket && response.events_since && context_->upgrade) {
    stream_.expires_never();
    context_->upgrade(std::move(stream_), parser_->release(), *response.events_since);
    return;
  }
  send(response, request.keep_alive() && !web.websocket);
}

void HttpSession::send(const WebResponse& response, bool keep_alive) {
  if (!response.file.empty()) {
    http::file_body::value_type body;
    beast::error_code error;
    body.open(response.file.c_str(), beast::file_mode::scan, error);
    if (!error) {
      auto message = std::make_shared<http::response<http::file_body>>(
          std::piecewise_construct, std::make_tuple(std::move(body)), std::make_tuple(http::status::ok, version_));
      set_headers(*message, response, keep_alive, context_->server_name);
      return write(std::move(message));
    }
    return send(error_response(404, "not_found", "cannot open the file: " + error.message()), keep_alive);
  }
  auto message = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), version_);
  message->body() = response.body;
  set_headers(*message, response, keep_alive, context_->server_name);
  write(std::move(message));
}

template <class Body>
void HttpSession::write(std::shared_ptr<http::response<Body>> message) {
  stream_.expires_after(kWebWriteTimeout);
  const bool keep_alive = message->keep_alive();
  http::async_write(stream_, *message,
                    [self = shared_from_this(), message, keep_alive](beast::error_code error, std::size_t) {
                      if (error || !self->context_->responder) return self->close();
                      if (!keep_alive) return self->linger_close();
                      self->read_request();
                    });
}

}  // namespace assay::web
