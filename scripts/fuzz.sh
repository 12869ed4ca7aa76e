#!/usr/bin/env bash
# Builds the fuzz targets with Clang's libFuzzer, AddressSanitizer and UBSan into build-fuzz/
# and runs each for SECONDS (default 300) on one core, starting from its seed corpus (plus the
# example jobs, the real CLARIOstar traffic and microscope photographs in ../shared when
# present). New inputs go to build-fuzz/corpus/<target>/; a failing input is written to
# build-fuzz/crash-* and the run stops.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#   RUNS=10000000 scripts/fuzz.sh 0 fuzz_api_request   a number of executions instead of a time
#   JOBS=1 scripts/fuzz.sh ...                         build with fewer cores
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_clariostar_replies fuzz_job_spec fuzz_input_files fuzz_image_files fuzz_api_request)

source scripts/sanitizer_tree.sh
configure_sanitizer_tree
cmake --build build-fuzz -j"${JOBS:-$(nproc)}" --target "${targets[@]}"

for target in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$target
  mkdir -p "$corpus"
  seeds=(tests/fuzz/corpus/$target)
  [ "$target" = fuzz_job_spec ] && seeds+=(examples/jobs)
  [ "$target" = fuzz_clariostar_replies ] && [ -d ../shared/instruments/clariostar-fixtures/extracted ] &&
    seeds+=(../shared/instruments/clariostar-fixtures/extracted)
  [ "$target" = fuzz_image_files ] && [ -d ../shared/data/realsets/dsb2018_stained ] &&
    seeds+=(../shared/data/realsets/dsb2018_stained)
  limit=(-max_total_time="$seconds")
  [ -n "${RUNS:-}" ] && limit=(-runs="$RUNS")
  echo "== $target: ${limit[*]}"
  started=$(date +%s)
  (cd build-fuzz && ./bin/"$target" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 \
     -print_final_stats=1 "../$corpus" "${seeds[@]/#/../}" 2>&1 | grep -E "^#|stat::|ERROR|SUMMARY|Done" | tail -12)
  echo "== $target: $(( $(date +%s) - started )) s"
done
