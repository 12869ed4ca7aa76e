#!/usr/bin/env bash
# ThreadSanitizer build of assayd and the tests that run it (integration, plugins, CLARIOstar)
# into build-tsan/, then runs them. Every process (the test binaries and each assayd they start)
# writes its race reports to build-tsan/tsan-reports/; the script fails when any report exists,
# even if every test passed, and prints the first ones.
#
# ThreadSanitizer makes assayd, the image analysis and the tests 5-15 times slower, so the tests'
# time limits are multiplied by ASSAY_TEST_TIME_SCALE (tests/support/time_scale.hpp; 10 here),
# and each test case may take as many times its normal 300 s.
#
#   scripts/tsan.sh [CTEST_REGEX]     default: the integration, plugins and clariostar areas
#   JOBS=1 scripts/tsan.sh            build with fewer cores
#   ASSAY_TEST_TIME_SCALE=15 scripts/tsan.sh    a more loaded machine
set -euo pipefail
cd "$(dirname "$0")/.."
regex=${1:-"^(integration|plugins|clariostar):"}
jobs=${JOBS:-$(nproc)}
export ASSAY_TEST_TIME_SCALE=${ASSAY_TEST_TIME_SCALE:-10}
test_timeout=$(awk -v scale="$ASSAY_TEST_TIME_SCALE" 'BEGIN { printf "%d", 300 * scale }')

flags="-fsanitize=thread -fno-omit-frame-pointer"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread \
  -DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=thread -DASSAY_BUILD_BENCH=OFF \
  -DASSAY_TEST_TIMEOUT="$test_timeout" >/dev/null
started=$(date +%s)
cmake --build build-tsan -j"$jobs" --target assayd assayctl assay_example_plugins \
  test_integration test_plugins test_clariostar
built=$(date +%s)

reports=$PWD/build-tsan/tsan-reports
rm -rf "$reports" && mkdir -p "$reports"
# Plugins are dlopen()ed for good (never closed), so TSan keeps their symbols.
export TSAN_OPTIONS="log_path=$reports/tsan second_deadlock_stack=1 history_size=4 suppressions=$PWD/scripts/tsan.supp ${TSAN_OPTIONS:-}"
status=0
ctest --test-dir build-tsan -R "$regex" -j"$jobs" --output-on-failure --timeout "$test_timeout" || status=$?
finished=$(date +%s)
echo "tsan: build $((built - started)) s, tests $((finished - built)) s (time limits x$ASSAY_TEST_TIME_SCALE)"

if compgen -G "$reports/tsan.*" >/dev/null; then
  echo "tsan: $(ls "$reports" | wc -l) process(es) reported races; the first reports:"
  for file in $(ls "$reports"/tsan.* | head -3); do
    echo "== $file"
    head -60 "$file"
  done
  exit 1
fi
echo "tsan: no race reported"
exit $status
