#include "facility_reads.hpp"

#include <cstdio>
#include <iostream>
#include <memory>

#include "assay/facility/pg.hpp"
#include "assay/facility/queries.hpp"

namespace assay::ctl {
namespace {

using nlohmann::json;

std::unique_ptr<facility::PgConnection> connect(const ClientOptions& options) {
  try {
    const auto password = options.facility_password_file.empty()
                              ? std::string()
                              : facility::read_secret_file(options.facility_password_file);
    return std::make_unique<facility::PgConnection>(options.facility_conninfo, password);
  } catch (const facility::PgError& e) {
    std::cerr << e.what() << "\n";
    exit_with(kExitUnreachable);
  }
}

// Query errors (no such job, an ambiguous id) are the user's to fix: said, then exit 4.
template <typename Query>
json ask(const ClientOptions& options, Query query) {
  auto pg = connect(options);
  try {
    return query(*pg);
  } catch (const facility::PgError& e) {
    std::cerr << e.what() << "\n";
    exit_with(kExitRefused);
  } catch (const std::runtime_error& e) {
    std::cerr << e.what() << "\n";
    exit_with(kExitNotFound);
  }
}

}  // namespace

void facility_jobs(const ClientOptions& options, const std::string& host, const std::string& state,
                   const std::string& instrument, int limit, bool as_json) {
  facility::FacilityJobFilter filter{host, state, instrument, limit};
  auto jobs = ask(options, [&](facility::PgConnection& pg) { return facility::facility_jobs(pg, filter); });
  if (as_json) {
    std::cout << jobs.dump(2) << "\n";
    return;
  }
  std::printf("%-16s %-9s %-12s %-14s %-12s %5s %-32s %s\n", "HOST", "JOB", "STATE", "PROTOCOL", "INSTRUMENT",
              "PROG", "SUBMITTED", "NAME");
  for (const auto& job : jobs) {
    std::printf("%-16s %-9s %-12s %-14s %-12s %4.0f%% %-32s %s\n", job["host"].get<std::string>().c_str(),
                job["job_id"].get<std::string>().c_str(), job["state"].get<std::string>().c_str(),
                job["protocol"].get<std::string>().c_str(), job["instrument"].get<std::string>().c_str(),
                job["progress"].get<double>() * 100.0, job["submitted_at"].get<std::string>().c_str(),
                job["name"].get<std::string>().c_str());
  }
}

void facility_job(const ClientOptions& options, const std::string& reference) {
  auto job = ask(options, [&](facility::PgConnection& pg) { return facility::facility_job(pg, reference); });
  std::cout << job.dump(2) << "\n";
}

void facility_results(const ClientOptions& options, const std::string& reference, const std::string& kind) {
  auto results =
      ask(options, [&](facility::PgConnection& pg) { return facility::facility_results(pg, reference, kind); });
  std::cout << results.dump(2) << "\n";
}

}  // namespace assay::ctl
