#include "assay/web/message.hpp"

#include <nlohmann/json.hpp>

namespace assay::web {

WebResponse error_response(unsigned status, const std::string& code, const std::string& message) {
  WebResponse response;
  response.status = status;
  const nlohmann::json body{{"error", {{"code", code}, {"message", message}}}};
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

WebResponse page_response(std::string_view html) {
  WebResponse page;
  page.content_type = "text/html; charset=utf-8";
  page.body = std::string(html);
  page.headers.emplace_back("Content-Security-Policy",
                            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                            "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                            "frame-ancestors 'none'");
  return page;
}

WebResponse read_only_response(const std::string& method, const std::string& why) {
  auto response = error_response(405, "method_not_allowed", method + " is not served here; this server is read-only" + why);
  response.headers.emplace_back("Allow", "GET");
  return response;
}

}  // namespace assay::web
