#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build of the whole project and the whole test
# suite on it. It shares build-fuzz/ with scripts/fuzz.sh (same compiler and flags: Clang 14,
# ASan, UBSan, and libFuzzer's coverage instrumentation, inert outside the fuzz targets), so
# one sanitizer tree serves both. Every process (the test binaries and each assayd or assayctl
# they start) writes its reports to build-fuzz/asan-reports/; the script fails when any report
# exists, even if every test passed, and prints the first ones. Undefined behaviour stops the
# process (-fno-sanitize-recover), so it also fails its test. The sanitized build runs several
# times slower, so the tests' time limits are multiplied by ASSAY_TEST_TIME_SCALE
# (tests/support/time_scale.hpp; 3 here), and each test case may take as many times its normal
# 300 s.
#
#   scripts/asan.sh [CTEST_REGEX]     default: every test
#   JOBS=1 scripts/asan.sh            build and test with fewer cores
#   ASSAY_TEST_TIME_SCALE=5 scripts/asan.sh    a more loaded machine
set -euo pipefail
cd "$(dirname "$0")/.."
regex=${1:-.}
jobs=${JOBS:-$(nproc)}
export ASSAY_TEST_TIME_SCALE=${ASSAY_TEST_TIME_SCALE:-3}
test_timeout=$(awk -v scale="$ASSAY_TEST_TIME_SCALE" 'BEGIN { printf "%d", 300 * scale }')

source scripts/sanitizer_tree.sh
configure_sanitizer_tree -DASSAY_TEST_TIMEOUT="$test_timeout"
started=$(date +%s)
cmake --build build-fuzz -j"$jobs"
built=$(date +%s)

reports=$PWD/build-fuzz/asan-reports
rm -rf "$reports" && mkdir -p "$reports"
export ASAN_OPTIONS="log_path=$reports/asan detect_leaks=1 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="log_path=$reports/ubsan print_stacktrace=1 halt_on_error=1 ${UBSAN_OPTIONS:-}"
status=0
ctest --test-dir build-fuzz -R "$regex" -j"$jobs" --output-on-failure --timeout "$test_timeout" || status=$?
finished=$(date +%s)
echo "asan: build $((built - started)) s, tests $((finished - built)) s (time limits x$ASSAY_TEST_TIME_SCALE)"

if compgen -G "$reports/*san.*" >/dev/null; then
  echo "asan: $(ls "$reports" | wc -l) process(es) reported errors; the first reports:"
  for file in $(ls "$reports"/*san.* | head -3); do
    echo "== $file"
    head -60 "$file"
  done
  exit 1
fi
echo "asan: no error reported"
exit $status
