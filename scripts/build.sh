#!/usr/bin/env bash
# Configures and builds into build/ (binaries in build/bin). BUILD_TYPE overrides RelWithDebInfo;
# ASSAY_BUILD_BENCH=ON also builds the benchmarks in bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DASSAY_BUILD_BENCH="${ASSAY_BUILD_BENCH:-OFF}" > build-configure.log 2>&1 || {
  cat build-configure.log; exit 1; }
rm -f build-configure.log
cmake --build build -j"$(nproc)"
