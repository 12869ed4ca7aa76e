// Skipping a test whose precondition this machine lacks (no USB stack, no optional tool).
//
// CTest runs each Catch2 case in its own process and every test area sets SKIP_RETURN_CODE 77,
// so the case shows as skipped, never as passed. Use it only for what the machine lacks;
// anything the build should have provided is a failure (REQUIRE), not a skip.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace assay::testing {

inline constexpr int kSkipExitCode = 77;

[[noreturn]] inline void skip_test(const std::string& why) {
  std::printf("SKIPPED: %s\n", why.c_str());
  std::fflush(stdout);
  std::_Exit(kSkipExitCode);
}

}  // namespace assay::testing
