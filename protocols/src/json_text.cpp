#include "assay/protocols/json_text.hpp"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace assay::protocols {

void JsonText::new_line() {
  out_ += '\n';
  out_.append((static_cast<std::size_t>(depth_) + open_empty_.size()) * static_cast<std::size_t>(indent_), ' ');
}

// An array element starts on a line of its own; a member's value follows its key.
void JsonText::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (open_empty_.empty()) return;  // the document's top value
  if (!open_empty_.back()) out_ += ',';
  open_empty_.back() = false;
  new_line();
}

void JsonText::key(std::string_view name) {
  if (!open_empty_.back()) out_ += ',';
  open_empty_.back() = false;
  new_line();
  write_string(name);
  out_ += ": ";
  after_key_ = true;
}

void JsonText::begin_object() {
  before_value();
  out_ += '{';
  open_empty_.push_back(true);
}

void JsonText::begin_array() {
  before_value();
  out_ += '[';
  open_empty_.push_back(true);
}

void JsonText::end_object() {
  const bool empty = open_empty_.back();
  open_empty_.pop_back();
  if (!empty) new_line();
  out_ += '}';
}

void JsonText::end_array() {
  const bool empty = open_empty_.back();
  open_empty_.pop_back();
  if (!empty) new_line();
  out_ += ']';
}

void JsonText::number(double value) {
  before_value();
  if (!std::isfinite(value)) {
    out_ += "null";
    return;
  }
  // nlohmann's shortest round-trip formatter (Grisu2, "1.0", "1e-05"): the one dump() uses.
  char buffer[64];
  out_.append(buffer, nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, value));
}

void JsonText::integer(long long value) {
  before_value();
  char buffer[24];
  out_.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
}

void JsonText::boolean(bool value) {
  before_value();
  out_ += value ? "true" : "false";
}

void JsonText::null() {
  before_value();
  out_ += "null";
}

void JsonText::string(std::string_view value) {
  before_value();
  write_string(value);
}

void JsonText::write_string(std::string_view value) {
  // Printable ASCII without quote or backslash is written as it is; anything else (escapes,
  // UTF-8, invalid bytes) goes through nlohmann's own escaping.
  for (const unsigned char c : value) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      out_ += nlohmann::json(std::string(value)).dump();
      return;
    }
  }
  out_ += '"';
  out_ += value;
  out_ += '"';
}

}  // namespace assay::protocols
