// Parsing JSON that comes from outside (API requests, job files, reply frames) with a bound on
// how deeply arrays and objects nest, so that nothing that walks the value afterwards (copies,
// dump(), validation) can be driven into unbounded recursion by its input. The parse itself is
// iterative. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace assay::protocols {

// Deep enough for every job, config table and reply we define (they nest 5 or 6 levels).
inline constexpr std::size_t kMaxJsonDepth = 64;

struct BoundedJson {
  nlohmann::json value;  // discarded unless ok()
  std::string error;     // empty when ok: what is wrong and where (byte offset)
  bool too_deep = false;  // the input nests deeper than the limit (error says so)
  bool ok() const { return error.empty(); }
};

// Parses `text`; refuses it (without building the deep part) as soon as an array or object
// opens deeper than `max_depth` levels (the outermost value is level 1).
BoundedJson parse_bounded_json(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

}  // namespace assay::protocols
