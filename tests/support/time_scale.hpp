// How much longer a test may take in a slower build. The sanitizer builds (scripts/tsan.sh,
// scripts/asan.sh) run assayd, the analysis and the tests themselves several times slower, and
// set ASSAY_TEST_TIME_SCALE to say how much; a test whose deadline, timeout or throughput
// threshold is set for a normal build multiplies it by time_scale(). Unset, the factor is 1,
// so a normal build (and CI) keeps every limit exactly as written.
//
//   daemon.wait_for_state(id, "succeeded", scaled(std::chrono::seconds(240)));
//   CHECK(p99_ms < 500.0 * time_scale());
//
// Scale only limits on elapsed time (and rates derived from it); what a test counts, orders or
// compares with itself stays as it is.
#pragma once

#include <chrono>

namespace assay::testing {

// ASSAY_TEST_TIME_SCALE, a number from 1 to 100; 1 when unset or empty. Any other value throws
// std::invalid_argument naming the variable and the value, so a typo fails the test loudly
// instead of running it with the normal limits.
double time_scale();

// `limit` multiplied by time_scale().
std::chrono::milliseconds scaled(std::chrono::milliseconds limit);

}  // namespace assay::testing
