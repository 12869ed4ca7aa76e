// The contract every fuzz target checks: bad input ends in the documented error type of the
// parser under test (which names what to fix), never in a crash, a hang or another exception.
// An unexpected exception aborts, so libFuzzer (or the replay runner) reports it with the input.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

namespace assay::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void unexpected(const char* target, const std::exception& e) {
  std::fprintf(stderr, "%s: unexpected exception: %s\n", target, e.what());
  std::abort();
}

}  // namespace assay::fuzz
