// What both assayctl programs do in main(): malloc settings for a short-lived process, and parsing
// the command line into one of the subcommands registered on `app` with assayctl's exit codes.
#pragma once

#include <cstddef>

#include <CLI/CLI.hpp>

namespace assay::ctl {

// Buffers up to 32 MiB come from the heap and stay there for reuse instead of being mapped and
// faulted in afresh each time (the exit gives everything back).
void tune_malloc_for_short_run();

// Maps `bytes` (at most 32 MiB) of heap in one call and hands them back to malloc, which gives
// them out again: a process about to allocate that much in small pieces then takes no page fault
// for each 4 KiB page (in a virtual machine a fault costs microseconds). Call it after
// tune_malloc_for_short_run, whose trim threshold keeps the memory in the heap.
void prefault_heap(std::size_t bytes);

// Parses and runs the subcommand; returns the process's exit code (commands.hpp, ExitCode).
int parse_and_run(CLI::App& app, int argc, char** argv);

}  // namespace assay::ctl
