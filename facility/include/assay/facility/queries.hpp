// Facility-wide reads for `assayctl --facility`: jobs of every host, one job, its results.
// Answers are JSON shaped like assayd's own API answers, with "host" added.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "assay/facility/pg.hpp"

namespace assay::facility {

struct FacilityJobFilter {
  std::string host;   // empty = every host
  std::string state;  // empty = every state
  std::string instrument;  // empty = every instrument
  int limit = 100;
};

// Newest first.
nlohmann::json facility_jobs(PgConnection& pg, const FacilityJobFilter& filter);
// "HOST/JOB" or "JOB" (then it must be unique across hosts). Throws std::runtime_error when
// there is no such job or the id is ambiguous (the message lists the hosts that have it).
nlohmann::json facility_job(PgConnection& pg, const std::string& reference);
nlohmann::json facility_results(PgConnection& pg, const std::string& reference, const std::string& kind);

}  // namespace assay::facility
