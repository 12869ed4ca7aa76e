// `assayctl --facility CONNINFO jobs|job|results`: the same commands, answered from the
// facility database (PostgreSQL) across every host instead of from one assayd.
#pragma once

#include <string>

#include "commands.hpp"

namespace assay::ctl {

void facility_jobs(const ClientOptions& options, const std::string& host, const std::string& state,
                   const std::string& instrument, int limit, bool as_json);
// `reference`: HOST/JOB, or JOB when only one host has it.
void facility_job(const ClientOptions& options, const std::string& reference);
void facility_results(const ClientOptions& options, const std::string& reference, const std::string& kind);

}  // namespace assay::ctl
