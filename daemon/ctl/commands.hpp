// assayctl subcommands. Each add_*_command registers one CLI11 subcommand; its callback returns
// normally on success and throws CLI::RuntimeError(exit_code) otherwise (see ExitCode).
#pragma once

#include <CLI/CLI.hpp>

namespace assay::ctl {

// Exit codes of assayctl, documented in docs/assayctl.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitRefused = 1,      // the daemon answered with an error, or a job ended failed/cancelled
  kExitUsage = 2,        // bad command line or bad input file
  kExitUnreachable = 3,  // no answer from the daemon within the timeout
  kExitNotFound = 4,     // no such job / result
};

[[noreturn]] void exit_with(int code);

// Options shared by the commands that talk to the daemon.
struct ClientOptions {
  std::string state_dir;
  std::string api_endpoint;
  std::string events_endpoint;
  int timeout_ms = 5000;
  std::string curve_server_key;   // for tcp:// endpoints
  std::string curve_client_keys;  // file with this client's key pair
  // --facility: jobs, job and results read the facility database instead (docs/facility.md).
  std::string facility_conninfo;
  std::string facility_password_file;
  // --facility-nats: submit sends the job through the facility bus to the host that has its
  // instrument (docs/facility.md).
  std::string facility_nats_url;
  std::string facility_nats_credentials;  // NATS .creds file
  std::string facility_nats_ca;           // trusted CAs: TLS to nats-server
};

void add_client_commands(CLI::App& app, ClientOptions& options);  // ping, submit, jobs, ...
void add_report_command(CLI::App& app, ClientOptions& options);   // report ID: one HTML page
void add_fit_command(CLI::App& app);                                // offline dose-response fit
void add_count_command(CLI::App& app);                              // offline colony/cell counts
void add_analyze_command(CLI::App& app);                            // offline assay analysis
void add_keygen_command(CLI::App& app);                             // CURVE key pairs

// `assayctl analyze <protocol>` subcommands, one per assay.
void add_analyze_calcium_flux(CLI::App& analyze);
void add_analyze_chemotaxis(CLI::App& analyze);

}  // namespace assay::ctl
