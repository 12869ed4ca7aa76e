#include "assay/web/target.hpp"

#include <charconv>

#include "assay/web/message.hpp"

namespace assay::web {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      const char decoded = static_cast<char>(high * 16 + low);
      if (decoded == '\0') return std::nullopt;
      out += decoded;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<RequestTarget> parse_target(std::string_view target, std::string& why) {
  if (target.empty() || target.front() != '/') {
    why = "the request target must be a path starting with '/'";
    return std::nullopt;
  }
  RequestTarget out;
  const auto question = target.find('?');
  const auto path = target.substr(0, question);
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto segment = percent_decode(path.substr(start, end - start), false);
    if (!segment) {
      why = "the path holds a broken %-escape or an encoded NUL";
      return std::nullopt;
    }
    if (!segment->empty() || end < path.size()) out.segments.push_back(std::move(*segment));
    start = end + 1;
  }
  if (question == std::string_view::npos) return out;
  auto query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto equals = pair.find('=');
    auto key = percent_decode(pair.substr(0, equals), true);
    auto value = percent_decode(equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1), true);
    if (!key || !value) {
      why = "the query string holds a broken %-escape or an encoded NUL";
      return std::nullopt;
    }
    out.query.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

bool target_is(const RequestTarget& target, std::initializer_list<const char*> path) {
  if (target.segments.size() != path.size()) return false;
  std::size_t i = 0;
  for (const char* part : path) {
    if (*part != '*' && target.segments[i] != part) return false;
    ++i;
  }
  return true;
}

std::string target_path(const RequestTarget& target) {
  std::string path;
  for (const auto& segment : target.segments) path += "/" + segment;
  return path.empty() ? "/" : path;
}

nlohmann::json query_fields(const RequestTarget& target, const std::map<std::string, QueryParameter>& known) {
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& [key, value] : target.query) {
    auto found = known.find(key);
    if (found == known.end()) {
      std::string names;
      for (const auto& [name, parameter] : known) names += (names.empty() ? "" : ", ") + name;
      throw WebError(400, "unknown_field", "query parameter '" + key + "' is not one of this view's: " +
                                               (names.empty() ? "none" : names));
    }
    if (fields.contains(found->second.field)) {
      throw WebError(400, "bad_request", "query parameter '" + key + "' is given twice");
    }
    if (!found->second.integer) {
      fields[found->second.field] = value;
      continue;
    }
    std::int64_t number = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (value.empty() || error != std::errc() || end != value.data() + value.size()) {
      throw WebError(400, "wrong_type", "query parameter '" + key + "' must be an integer (got '" + value + "')");
    }
    fields[found->second.field] = number;
  }
  return fields;
}

}  // namespace assay::web
