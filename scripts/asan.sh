#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build of the whole project and the whole test
# suite on it. It shares build-fuzz/ with scripts/fuzz.sh (same compiler and flags: Clang 14,
# ASan, UBSan, and libFuzzer's coverage instrumentation, inert outside the fuzz targets), so
# one sanitizer tree serves both. Every process (the test binaries and each assayd or assayctl
# they start) writes its reports to build-fuzz/asan-reports/; the script fails when any report
# exists, even if every test passed, and prints the first ones. Undefined behaviour stops the
# process (-fno-sanitize-recover), so it also fails its test. Each test case may take 900 s
# instead of 300 s (the sanitized build runs several times slower).
#
#   scripts/asan.sh [CTEST_REGEX]     default: every test
#   JOBS=1 scripts/asan.sh            build and test with fewer cores
set -euo pipefail
cd "$(dirname "$0")/.."
regex=${1:-.}
jobs=${JOBS:-$(nproc)}

source scripts/sanitizer_tree.sh
configure_sanitizer_tree -DASSAY_TEST_TIMEOUT=900
started=$(date +%s)
cmake --build build-fuzz -j"$jobs"
built=$(date +%s)

reports=$PWD/build-fuzz/asan-reports
rm -rf "$reports" && mkdir -p "$reports"
export ASAN_OPTIONS="log_path=$reports/asan detect_leaks=1 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="log_path=$reports/ubsan print_stacktrace=1 halt_on_error=1 ${UBSAN_OPTIONS:-}"
status=0
ctest --test-dir build-fuzz -R "$regex" -j"$jobs" --output-on-failure --timeout 900 || status=$?
finished=$(date +%s)
echo "asan: build $((built - started)) s, tests $((finished - built)) s"

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
