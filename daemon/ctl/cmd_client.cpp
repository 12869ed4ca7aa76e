// assayctl commands that talk to a running assayd: ping, instruments, protocols, submit, jobs,
// job, cancel, continue, results, readings, images, events, watch.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "client.hpp"
#include "commands.hpp"
#include "csv_output.hpp"
#include "event_watch.hpp"
#include "facility_reads.hpp"
#include "facility_submit.hpp"
#include "input_files.hpp"

namespace assay::ctl {
namespace {

using nlohmann::json;

void print_json(const json& value) { std::cout << value.dump(2) << "\n"; }

// The job file, parsed with the same depth bound as assayd's requests: a file nested thousands
// deep is refused here with its reason, before anything walks it (dump() recurses).
json read_job_file(const std::string& path) {
  try {
    return read_json_file(path);
  } catch (const InputError& error) {
    std::cerr << error.what() << "\n";
    exit_with(kExitUsage);
  }
}

void print_job_table(const json& jobs) {
  std::printf("%-9s %-12s %-14s %-12s %5s %-24s %s\n", "JOB", "STATE", "PROTOCOL", "INSTRUMENT",
              "PROG", "SUBMITTED", "NAME");
  for (const auto& job : jobs) {
    std::printf("%-9s %-12s %-14s %-12s %4.0f%% %-24s %s\n", job["job_id"].get<std::string>().c_str(),
                job["state"].get<std::string>().c_str(), job["protocol"].get<std::string>().c_str(),
                job["instrument"].get<std::string>().c_str(), job["progress"].get<double>() * 100.0,
                job["submitted_at"].get<std::string>().c_str(), job["name"].get<std::string>().c_str());
    // A waiting job needs a person: say what to do under its line.
    if (job["state"] == "waiting") {
      std::printf("          waiting for: %s (then: assayctl continue %s)\n",
                  job.value("message", "").c_str(), job["job_id"].get<std::string>().c_str());
    }
  }
}

}  // namespace

void add_client_commands(CLI::App& app, ClientOptions& options) {
  auto* group = "talk to assayd";
  app.add_option("--state-dir", options.state_dir, "the daemon's state directory (sockets in DIR/run)")
      ->envname("ASSAYD_STATE_DIR");
  app.add_option("--api", options.api_endpoint, "API endpoint, e.g. ipc:///run/assayd/api.sock");
  app.add_option("--events", options.events_endpoint, "event endpoint, e.g. ipc:///run/assayd/events.sock");
  app.add_option("--timeout-ms", options.timeout_ms, "how long to wait for a reply")->capture_default_str();
  app.add_option("--curve-server-key", options.curve_server_key, "server public key (z85 or file) for tcp://");
  app.add_option("--curve-client-key", options.curve_client_keys, "this client's key files PREFIX(.key/.pub)");
  app.add_option("--facility", options.facility_conninfo,
                 "jobs, job and results read the facility database (PostgreSQL conninfo) across hosts")
      ->envname("ASSAY_FACILITY");
  app.add_option("--facility-password-file", options.facility_password_file,
                 "file with the facility database password (else libpq's ~/.pgpass or peer auth)");
  app.add_option("--facility-nats", options.facility_nats_url,
                 "submit sends the job through the facility bus (NATS URL) to the host that has its instrument")
      ->envname("ASSAY_FACILITY_NATS");
  app.add_option("--facility-nats-creds", options.facility_nats_credentials,
                 "NATS credentials file (user JWT and nkey seed) for --facility-nats")
      ->envname("ASSAY_FACILITY_NATS_CREDS");
  app.add_option("--facility-nats-ca", options.facility_nats_ca, "trusted CA file: TLS to nats-server");

  app.add_subcommand("ping", "check that assayd answers")->group(group)->callback([&options] {
    ApiClient client(options);
    auto result = client.call("ping");
    std::cout << "assayd " << result["version"].get<std::string>() << " at " << client.endpoints().api
              << ", last event seq " << result["last_seq"] << "\n";
  });

  static bool as_json = false;
  app.add_subcommand("instruments", "list instruments and their state")->group(group)->callback([&options] {
    ApiClient client(options);
    auto result = client.call("instruments.list");
    for (const auto& instrument : result["instruments"]) {
      std::printf("%-14s %-13s %-18s %-8s %s\n", instrument["name"].get<std::string>().c_str(),
                  instrument["kind"].get<std::string>().c_str(),
                  instrument["driver"].get<std::string>().c_str(),
                  instrument["state"].get<std::string>().c_str(),
                  instrument["running_job"].is_null() ? "" : instrument["running_job"].get<std::string>().c_str());
    }
  });

  app.add_subcommand("protocols", "list assay protocols")->group(group)->callback([&options] {
    ApiClient client(options);
    // Held in a variable: a range-for over a member of the temporary reply iterates freed memory
    // (and printed nothing).
    const auto result = client.call("protocols.list");
    for (const auto& p : result["protocols"]) {
      std::string kinds;
      for (const auto& kind : p.value("instrument_kinds", json::array({p["instrument_kind"]}))) {
        kinds += (kinds.empty() ? "" : " or ") + kind.get<std::string>();
      }
      std::cout << p["name"].get<std::string>() << " (" << kinds << "): " << p["description"].get<std::string>()
                << "\n";
    }
  });

  static std::string job_file, request_id, submit_host;
  static bool watch_after = false;
  auto* submit = app.add_subcommand("submit", "submit a job file; prints the job id")->group(group);
  submit->add_option("JOB", job_file, "job file (JSON, see docs/jobs.md)")->required();
  submit->add_option("--request-id", request_id, "resubmitting the same id returns the first job");
  submit->add_flag("--watch", watch_after, "then watch the job until it ends");
  submit->add_option("--host", submit_host, "with --facility-nats: send it to this host (else to the one that has "
                                            "the job's instrument)");
  submit->callback([&options] {
    json fields{{"job", read_job_file(job_file)}};  // a bad file is refused before connecting
    if (!options.facility_nats_url.empty()) {
      if (watch_after) {
        std::cerr << "--watch needs the host's own API; follow a job submitted through the facility with "
                     "`assayctl --facility CONNINFO job HOST/ID`\n";
        exit_with(kExitUsage);
      }
      return facility_submit(options, fields, request_id, submit_host);
    }
    if (!submit_host.empty()) {
      std::cerr << "--host needs --facility-nats URL (a local submit goes to the assayd at --state-dir or --api)\n";
      exit_with(kExitUsage);
    }
    ApiClient client(options);
    if (!request_id.empty()) fields["id"] = request_id;
    auto result = client.call("jobs.submit", fields);
    std::cout << result["job_id"].get<std::string>() << "\n";
    if (result["duplicate"].get<bool>()) std::cerr << "(request id seen before: this is the first job)\n";
    if (watch_after) exit_with(watch_events(client, result["job_id"].get<std::string>(), WatchOutput::automatic));
  });

  static std::string state_filter, instrument_filter, before_job, host_filter;
  static int limit = 50;
  auto* jobs = app.add_subcommand("jobs", "list jobs, newest first")->group(group);
  jobs->add_option("--state", state_filter, "queued, running, waiting, succeeded, failed, cancelled, interrupted");
  jobs->add_option("--instrument", instrument_filter, "only jobs of this instrument");
  jobs->add_option("--limit", limit, "at most this many")->capture_default_str();
  jobs->add_option("--before", before_job, "only jobs submitted before this job id (the next page)");
  jobs->add_flag("--json", as_json, "print JSON");
  jobs->add_option("--host", host_filter, "with --facility: only jobs of this host");
  jobs->callback([&options] {
    if (!options.facility_conninfo.empty()) {
      return facility_jobs(options, host_filter, state_filter, instrument_filter, limit, as_json);
    }
    ApiClient client(options);
    json fields{{"limit", limit}};
    if (!state_filter.empty()) fields["state"] = state_filter;
    if (!instrument_filter.empty()) fields["instrument"] = instrument_filter;
    if (!before_job.empty()) fields["before"] = before_job;
    auto result = client.call("jobs.list", fields);
    as_json ? print_json(result["jobs"]) : print_job_table(result["jobs"]);
    if (result.contains("next") && !as_json) {
      std::cerr << "(more: assayctl jobs --before " << result["next"].get<std::string>() << ")\n";
    }
  });

  static std::string job_id;
  auto* job = app.add_subcommand("job", "show one job in full (JSON)")->group(group);
  job->add_option("ID", job_id, "job id (with --facility: HOST/ID, or ID when one host has it)")->required();
  job->callback([&options] {
    if (!options.facility_conninfo.empty()) return facility_job(options, job_id);
    print_json(ApiClient(options).call("jobs.get", {{"job_id", job_id}}));
  });

  auto* cancel = app.add_subcommand("cancel", "cancel a queued or running job")->group(group);
  cancel->add_option("ID", job_id, "job id")->required();
  cancel->callback([&options] {
    auto result = ApiClient(options).call("jobs.cancel", {{"job_id", job_id}});
    std::cout << result["job_id"].get<std::string>() << " " << result["state"].get<std::string>() << "\n";
  });

  auto* resume = app.add_subcommand("continue",
                                    "continue a job waiting for a manual addition: records now as "
                                    "the addition time and starts the next read")
                     ->group(group);
  resume->add_option("ID", job_id, "job id")->required();
  resume->callback([&options] {
    auto result = ApiClient(options).call("jobs.continue", {{"job_id", job_id}});
    std::cout << result["job_id"].get<std::string>() << " " << result["state"].get<std::string>()
              << " (addition recorded at " << result["added_at"].get<std::string>() << ")\n";
  });

  static bool as_csv = false;
  static std::string kind;
  auto* results = app.add_subcommand("results", "print a job's results (JSON, or CSV)")->group(group);
  results->add_option("ID", job_id, "job id")->required();
  results->add_flag("--csv", as_csv,
                    "CSV: with --kind one row per key and a column per field; without, the long form "
                    "kind,key,field,value");
  results->add_option("--kind", kind, "only rows of this kind (well, series, qc, ...)");
  results->callback([&options] {
    if (!options.facility_conninfo.empty()) return facility_results(options, job_id, kind);
    json fields{{"job_id", job_id}};
    if (!kind.empty()) fields["kind"] = kind;
    auto result = ApiClient(options).call("results.get", fields);
    if (!as_csv) {
      print_json(result);
    } else {
      // Tidy tables: the rows of one kind share their fields (a wide table is readable); rows of
      // every kind only share kind, key, field and value (one line per value).
      std::vector<json> rows;
      for (const auto& row : result["rows"]) {
        json flat{{"kind", row["kind"]}, {"key", row["key"]}};
        if (row["value"].is_object()) {
          flat.update(row["value"]);
        } else {
          flat["value"] = row["value"];
        }
        if (!kind.empty()) flat.erase("kind");
        rows.push_back(std::move(flat));
      }
      kind.empty() ? write_long_csv(std::cout, rows, {"kind", "key"}) : write_csv(std::cout, rows, {"key"});
    }
    if (result["state"] != "succeeded") {
      std::cerr << "job " << job_id << " is " << result["state"].get<std::string>() << "\n";
      exit_with(result["state"] == "failed" || result["state"] == "cancelled" ? kExitRefused : kExitOk);
    }
  });

  auto* readings = app.add_subcommand("readings", "export a job's raw readings as CSV")->group(group);
  readings->add_option("ID", job_id, "job id")->required();
  readings->callback([&options] {
    ApiClient client(options);
    std::cout << "attempt,well,channel,cycle,time_s,value,saturated\n";
    std::int64_t after = 0;
    while (true) {
      auto page = client.call("readings.get", {{"job_id", job_id}, {"after_id", after}, {"limit", 50000}});
      for (const auto& r : page["rows"]) {
        std::cout << r[0] << "," << r[1].get<std::string>() << "," << r[2].get<std::string>() << ","
                  << r[3] << "," << r[4] << "," << r[5] << "," << (r[6].get<bool>() ? 1 : 0) << "\n";
      }
      if (page["rows"].empty()) break;
      after = page["last_id"].get<std::int64_t>();
    }
  });

  auto* images = app.add_subcommand("images", "list a job's stored images as CSV (paths under the state dir)")->group(group);
  images->add_option("ID", job_id, "job id")->required();
  images->callback([&options] {
    const auto result = ApiClient(options).call("images.list", {{"job_id", job_id}});
    std::vector<json> rows(result["images"].begin(), result["images"].end());
    write_csv(std::cout, rows, {"well", "field", "kind", "path"});
  });

  static std::int64_t since = 0;
  auto* events = app.add_subcommand("events", "print stored events after a seq, as JSON lines")->group(group);
  events->add_option("--since", since, "last seq you have (0 = from the start)")->capture_default_str();
  events->callback([&options] {
    ApiClient client(options);
    while (true) {
      auto page = client.call("events.since", {{"seq", since}, {"limit", 1000}});
      for (const auto& event : page["events"]) {
        std::cout << event.dump() << "\n";
        since = event["seq"].get<std::int64_t>();
      }
      if (page["events"].size() < 1000) break;
    }
  });

  static std::string watch_id;
  static bool force_json = false, force_text = false;
  auto* watch = app.add_subcommand("watch", "follow live events (of one job, until it ends)")->group(group);
  watch->add_option("ID", watch_id, "job id; all events when omitted");
  auto* json_flag = watch->add_flag("--json", force_json, "JSON lines even on a terminal");
  watch->add_flag("--text", force_text, "state lines and results in words even when piped")->excludes(json_flag);
  watch->callback([&options] {
    ApiClient client(options);
    exit_with(watch_events(client, watch_id,
                           force_json ? WatchOutput::json : force_text ? WatchOutput::text : WatchOutput::automatic));
  });
}

}  // namespace assay::ctl
