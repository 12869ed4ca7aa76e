// JSON text written as it goes, for outputs too large to build as a DOM first (`assayctl fit`
// on 10,000 curves). The text is byte for byte what nlohmann::json::dump(indent) gives for the
// same document, provided the caller writes each object's members in sorted key order (the
// order of nlohmann's std::map): numbers go through nlohmann's own formatter, strings through
// its escaping, and the layout (newlines, indent, ", ", ": ", "{}" and "[]" when empty) is its.
// A test holds the two side by side. Not thread-safe: one writer per output.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace assay::protocols {

class JsonText {
 public:
  // Appends to `out`; `indent` spaces per level (dump(indent) with indent >= 0). With `depth` > 0
  // the value written is one that sits that many levels deep in a larger document, its lines
  // indented to match: pieces of one document written apart (on several threads) and joined.
  explicit JsonText(std::string& out, int indent = 2, int depth = 0)
      : out_(out), indent_(indent), depth_(depth) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);  // inside an object, before each value

  void number(double value);  // null when not finite, as nlohmann writes it
  void integer(long long value);
  void boolean(bool value);
  void string(std::string_view value);  // throws nlohmann's error on invalid UTF-8, as dump() does
  void null();

 private:
  void before_value();
  void new_line();
  void write_string(std::string_view value);

  std::string& out_;
  int indent_;
  int depth_;
  std::vector<bool> open_empty_;  // per open object or array: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace assay::protocols
