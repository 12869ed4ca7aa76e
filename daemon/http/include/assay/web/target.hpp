// An HTTP request target taken apart: path segments (each percent-decoded on its own, so an
// encoded "/" never splits a segment) and query parameters. Plain functions, no I/O.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace assay::web {

struct RequestTarget {
  std::vector<std::string> segments;  // "/api/v1/jobs/J1" -> api, v1, jobs, J1
  std::vector<std::pair<std::string, std::string>> query;
};

// nullopt with `why` set for a target that is not an origin-form path ("/..."), holds a broken
// %-escape, or decodes to a NUL byte.
std::optional<RequestTarget> parse_target(std::string_view target, std::string& why);

// %XX escapes decoded; '+' is a space when `plus_is_space` (query strings). nullopt if broken.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// True when the path is exactly `path`, a "*" matching any one segment.
bool target_is(const RequestTarget& target, std::initializer_list<const char*> path);

// "/a/b/c" again, for messages.
std::string target_path(const RequestTarget& target);

// The query parameters a view takes: each becomes a field of the JSON object returned, an
// integer or text. Anything else, a parameter given twice or an integer that is not one throws
// WebError (400: unknown_field, bad_request or wrong_type), as the API refuses unknown fields.
struct QueryParameter {
  std::string field;
  bool integer = false;
};
nlohmann::json query_fields(const RequestTarget& target, const std::map<std::string, QueryParameter>& known);

}  // namespace assay::web
