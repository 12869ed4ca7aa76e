// An HTTP request target taken apart: path segments (each percent-decoded on its own, so an
// encoded "/" never splits a segment) and query parameters. Plain functions, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace assay::daemon {

struct RequestTarget {
  std::vector<std::string> segments;  // "/api/v1/jobs/J1" -> api, v1, jobs, J1
  std::vector<std::pair<std::string, std::string>> query;
};

// nullopt with `why` set for a target that is not an origin-form path ("/..."), holds a broken
// %-escape, or decodes to a NUL byte.
std::optional<RequestTarget> parse_target(std::string_view target, std::string& why);

// %XX escapes decoded; '+' is a space when `plus_is_space` (query strings). nullopt if broken.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace assay::daemon
