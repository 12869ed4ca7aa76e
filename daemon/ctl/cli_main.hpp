// What both assayctl programs do in main(): malloc settings for a short-lived process, and parsing
// the command line into one of the subcommands registered on `app` with assayctl's exit codes.
#pragma once

#include <CLI/CLI.hpp>

namespace assay::ctl {

// Buffers up to 32 MiB come from the heap and stay there for reuse instead of being mapped and
// faulted in afresh each time (the exit gives everything back).
void tune_malloc_for_short_run();

// Parses and runs the subcommand; returns the process's exit code (commands.hpp, ExitCode).
int parse_and_run(CLI::App& app, int argc, char** argv);

}  // namespace assay::ctl
