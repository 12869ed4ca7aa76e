#include "cli_main.hpp"

#include <malloc.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "commands.hpp"

namespace assay::ctl {

void exit_with(int code) { throw CLI::RuntimeError(code); }

void tune_malloc_for_short_run() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

void prefault_heap(std::size_t bytes) {
  bytes = std::min<std::size_t>(bytes, (32 << 20) - 4096);  // below M_MMAP_THRESHOLD: heap memory
  char* block = static_cast<char*>(std::malloc(bytes));
  if (block == nullptr) return;
  const std::uintptr_t page = 4096;
  const std::uintptr_t first = (reinterpret_cast<std::uintptr_t>(block) + page - 1) & ~(page - 1);
  const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(block) + bytes) & ~(page - 1);
  if (end > first) madvise(reinterpret_cast<void*>(first), end - first, MADV_POPULATE_WRITE);
  std::free(block);  // kept by malloc (below M_TRIM_THRESHOLD) for the allocations to come
}

int parse_and_run(CLI::App& app, int argc, char** argv) {
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return (code != 0 && dynamic_cast<const CLI::RuntimeError*>(&e) == nullptr) ? kExitUsage : code;
  }
  return 0;
}

}  // namespace assay::ctl
