// JSON text written piece by piece, byte for byte as nlohmann::json's dump() writes the same
// values in a reply (compact, invalid UTF-8 replaced by U+FFFD). For replies written straight from
// SQLite rows: a page of 100 jobs built as a DOM first cost more than the rest of its round trip.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace assay::daemon {

// "text", quoted and escaped.
void append_json_string(std::string& out, std::string_view text);
void append_json_number(std::string& out, std::int64_t value);
// As dump() writes a double: shortest text that reads back the same, "1.0" for a whole number.
void append_json_number(std::string& out, double value);

}  // namespace assay::daemon
