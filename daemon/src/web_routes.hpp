// The routes of the web server (docs/web.md): the dashboard page, the read-only JSON views of
// /api/v1 (the same results as the ZeroMQ API's ops, through ApiHandler), a job's files, and,
// only when a token is configured, submit and cancel. Transport-free: a WebRequest in, a
// WebResponse out; the HTTP session does the I/O. Never throws. io thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api_handler.hpp"
#include "web_access.hpp"
#include "web_target.hpp"

namespace assay::daemon {

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

// {"error":{"code":...,"message":...}} with `status`.
WebResponse error_response(unsigned status, const std::string& code, const std::string& message);

class WebRoutes {
 public:
  WebRoutes(ApiHandler& handler, std::filesystem::path state_dir, const WebAccess& access);
  WebResponse respond(const WebRequest& request);

 private:
  WebResponse route(const WebRequest& request, const RequestTarget& target);
  WebResponse api_get(const RequestTarget& target);
  WebResponse api_post(const WebRequest& request, const RequestTarget& target);
  WebResponse events_upgrade(const RequestTarget& target);
  WebResponse call(nlohmann::json request, unsigned success_status = 200);

  ApiHandler& handler_;
  std::filesystem::path state_dir_;
  const WebAccess& access_;
};

}  // namespace assay::daemon
