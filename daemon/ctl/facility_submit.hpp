// `assayctl --facility-nats URL submit JOB.json`: the job goes through the facility bus to the
// assayd that has its instrument (or to --host), which answers as its API answers jobs.submit.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "commands.hpp"

namespace assay::ctl {

// `fields` holds "job". Prints HOST/JOB_ID (what `assayctl --facility CONNINFO job` takes);
// exits 1 on an error reply, 4 when no host has the instrument (or host), 3 without an answer.
void facility_submit(const ClientOptions& options, nlohmann::json fields, const std::string& request_id,
                     const std::string& host);

}  // namespace assay::ctl
