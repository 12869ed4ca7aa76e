// What an HTTP request means to a web server of this project and what it answers, free of any
// transport: the HTTP session (http_session.hpp) turns bytes into a WebRequest, hands it to a
// WebResponder and writes the WebResponse. Used by assayd's dashboard and by assay-facility's
// facility view alike.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace assay::web {

struct WebRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;
  std::string host;
  std::string origin;
  std::string authorization;
  std::string idempotency_key;
  std::string body;
  bool websocket = false;  // an Upgrade: websocket request
};

struct WebResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::filesystem::path file;  // set: serve this file instead of `body`
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::int64_t> events_since;  // set: accept the WebSocket, events after this seq
};

// Answers every request; must not throw (an exception becomes a 500 in the session).
class WebResponder {
 public:
  virtual ~WebResponder() = default;
  virtual WebResponse respond(const WebRequest& request) = 0;
};

// A request to fix: `code` for programs, the message for people, answered with `status`.
class WebError : public std::runtime_error {
 public:
  WebError(unsigned status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  unsigned status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  unsigned status_;
  std::string code_;
};

// {"error":{"code":...,"message":...}} with `status`.
WebResponse error_response(unsigned status, const std::string& code, const std::string& message);
// A self-contained HTML page (inline style and script) with a policy that lets it fetch nothing
// from elsewhere than this server.
WebResponse page_response(std::string_view html);
// 405 for a method other than GET on a read-only server; `why` ends the message.
WebResponse read_only_response(const std::string& method, const std::string& why);

}  // namespace assay::web
