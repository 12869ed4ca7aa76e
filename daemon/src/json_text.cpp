#include "json_text.hpp"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

namespace assay::daemon {
namespace {

using nlohmann::json;

// Printable ASCII that JSON leaves as it is: the text needs no escape and holds no UTF-8.
bool plain(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  if (!plain(text)) {
    // Escapes and UTF-8 (and its replacement) exactly as every other reply: by the library.
    out += json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

void append_json_number(std::string& out, std::int64_t value) {
  char text[24];
  auto end = std::to_chars(text, text + sizeof text, value).ptr;
  out.append(text, end);
}

void append_json_number(std::string& out, double value) { out += json(value).dump(); }

}  // namespace assay::daemon
