// assayctl: runs `assayctl fit` itself and hands every other command to assayctl-full, the
// program beside it. A fit of a CSV table needs the fit engine alone; the full tool links OpenCV,
// ZeroMQ, SQLite, PostgreSQL and TLS (some 60 libraries), and loading them took longer than
// reading 240,000 rows. The full tool runs as this process (exec), with the same arguments,
// streams and exit code.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "cli_main.hpp"
#include "commands.hpp"

namespace {

constexpr const char* kFullTool = "assayctl-full";

[[noreturn]] void run_full_tool(char** argv) {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  const std::string full = (error ? std::filesystem::path(argv[0]) : self).parent_path() / kFullTool;
  execv(full.c_str(), argv);
  std::cerr << "assayctl: cannot run " << full << ": " << std::strerror(errno)
            << " (it is installed beside assayctl; reinstall assayd)\n";
  std::exit(127);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace assay::ctl;
  if (argc < 2 || std::string_view(argv[1]) != "fit") run_full_tool(argv);
  tune_malloc_for_short_run();
  CLI::App app{"assayctl: client of assayd and offline assay analysis"};
  add_fit_command(app);
  return parse_and_run(app, argc, argv);
}
