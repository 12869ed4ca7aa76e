// The routes of the web server (docs/web.md): the dashboard page, the read-only JSON views of
// /api/v1 (the same results as the ZeroMQ API's ops, through ApiHandler), a job's files, and,
// only when a token is configured, submit and cancel. Transport-free: a WebRequest in, a
// WebResponse out; the HTTP session does the I/O. Never throws. io thread only.
#pragma once

#include <filesystem>

#include "api_handler.hpp"
#include "assay/web/access.hpp"
#include "assay/web/message.hpp"
#include "assay/web/target.hpp"

namespace assay::daemon {

using web::error_response;
using web::RequestTarget;
using web::WebAccess;
using web::WebRequest;
using web::WebResponse;

class WebRoutes final : public web::WebResponder {
 public:
  WebRoutes(ApiHandler& handler, std::filesystem::path state_dir, const WebAccess& access);
  WebResponse respond(const WebRequest& request) override;

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
