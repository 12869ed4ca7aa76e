# The sanitizer build tree build-fuzz/ that scripts/fuzz.sh and scripts/asan.sh share: Clang 14,
# AddressSanitizer, UBSan (undefined behaviour stops the process) and libFuzzer's coverage
# instrumentation (inert outside the fuzz targets). Sourced by both, so the tree is configured
# with the same flags whichever runs first; extra CMake arguments are passed on.
configure_sanitizer_tree() {
  local sanitizers="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
  local link="-fsanitize=address,undefined"
  cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_CXX_FLAGS="$sanitizers" -DCMAKE_C_FLAGS="$sanitizers" \
    -DCMAKE_EXE_LINKER_FLAGS="$link" -DCMAKE_SHARED_LINKER_FLAGS="$link" -DCMAKE_MODULE_LINKER_FLAGS="$link" \
    -DASSAY_FUZZ=ON -DASSAY_BUILD_BENCH=OFF "$@" >/dev/null
}
