// Who may use the web server: the Host and Origin checks that keep other web sites out of a
// dashboard bound to loopback (DNS rebinding, cross-site WebSocket), and the bearer token of the
// routes that change something. Plain value type; io thread only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace assay::web {

class WebAccess {
 public:
  // `allowed_hosts`: host names besides loopback ones and the listen address. No `token`:
  // read-only.
  WebAccess(std::string listen_host, std::vector<std::string> allowed_hosts,
            std::optional<std::string> token = std::nullopt);

  // Empty when the Host header names this server; else why not.
  std::string refuse_host(std::string_view host) const;
  // Empty when Origin is absent (not a browser) or names the same host as Host; else why not.
  std::string refuse_origin(std::string_view origin, std::string_view host) const;
  bool has_token() const { return token_.has_value(); }
  // True for "Bearer <token>" with the configured token (compared in constant time).
  bool authorized(std::string_view authorization) const;

 private:
  std::string listen_host_;
  std::vector<std::string> allowed_hosts_;
  std::optional<std::string> token_;
};

}  // namespace assay::web
