#include "assay/web/access.hpp"

#include <algorithm>
#include <utility>
#include <cctype>

namespace assay::web {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// "name:port", "[v6]:port" or "name" -> the name (brackets kept off).
std::string host_name(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    return lower(host.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  const auto colon = host.rfind(':');
  return lower(host.substr(0, colon));
}

bool is_loopback_name(const std::string& name) {
  return name == "localhost" || name == "::1" || name.rfind("127.", 0) == 0;
}

}  // namespace

WebAccess::WebAccess(std::string listen_host, std::vector<std::string> allowed_hosts,
                     std::optional<std::string> token)
    : listen_host_(lower(listen_host)), token_(std::move(token)) {
  for (const auto& host : allowed_hosts) allowed_hosts_.push_back(host_name(host));
}

std::string WebAccess::refuse_host(std::string_view host) const {
  if (host.empty()) return "the request has no Host header";
  const auto name = host_name(host);
  if (is_loopback_name(name) || name == listen_host_) return {};
  if (std::find(allowed_hosts_.begin(), allowed_hosts_.end(), name) != allowed_hosts_.end()) return {};
  return "Host '" + std::string(host) + "' is not a name of this server; add it to [web] allowed_hosts "
         "if a proxy serves the dashboard under it";
}

std::string WebAccess::refuse_origin(std::string_view origin, std::string_view host) const {
  if (origin.empty()) return {};
  const auto scheme = origin.find("://");
  const auto origin_host = scheme == std::string_view::npos ? origin : origin.substr(scheme + 3);
  if (lower(origin_host) == lower(host)) return {};
  // Behind a TLS proxy the page's origin is https://name while Host may carry the port.
  if (host_name(origin_host) == host_name(host) && refuse_host(origin_host).empty()) return {};
  return "Origin '" + std::string(origin) + "' is another site than '" + std::string(host) + "'";
}

bool WebAccess::authorized(std::string_view authorization) const {
  if (!token_) return false;
  constexpr std::string_view prefix = "Bearer ";
  if (authorization.size() < prefix.size() || lower(authorization.substr(0, prefix.size())) != "bearer ") {
    return false;
  }
  const auto given = authorization.substr(prefix.size());
  const auto& expected = *token_;
  unsigned char difference = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    difference |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
  }
  return difference == 0;
}

}  // namespace assay::web
