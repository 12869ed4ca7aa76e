// `assayctl watch`: follows live events. On a terminal it draws a progress bar per job; piped,
// it prints one JSON event per line. With a job id it first catches up from the store
// (events.since, the clone pattern), then follows the live tail, and returns when the job ends:
// kExitOk when it succeeded, kExitRefused when it failed or was cancelled.
#pragma once

#include <string>

#include "client.hpp"

namespace assay::ctl {

int watch_events(ApiClient& client, const std::string& job_id, bool force_json);

}  // namespace assay::ctl
