#!/usr/bin/env bash
# The crash-loop test (tests/integration/test_crash_loop.cpp) for a long run: assayd killed with
# SIGKILL at random points CYCLES times (default 300) while plate reader and imager jobs run,
# then every invariant checked. Needs a build (scripts/build.sh). SEED reproduces a run.
#
#   scripts/crashloop.sh [CYCLES] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=${1:-300}
seed=${2:-$RANDOM$RANDOM}
[ -x build/bin/test_integration ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
echo "crash loop: $cycles cycles, seed $seed"
start=$(date +%s)
ASSAY_CRASHLOOP_CYCLES=$cycles ASSAY_CRASHLOOP_SEED=$seed \
  build/bin/test_integration "crash loop: SIGKILL at random points*" \
  --success --reporter compact | tail -3
echo "took $(( $(date +%s) - start )) s"
