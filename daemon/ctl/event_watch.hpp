// `assayctl watch`: follows live events. On a terminal it prints a line per job state change, a
// progress bar, and the result in words (result_words.hpp); piped, or with --json, one JSON
// event per line; with --text, the words (without the bar) even when piped. With a job id it first catches up from the store
// (events.since, the clone pattern), then follows the live tail, and returns when the job ends:
// kExitOk when it succeeded, kExitRefused when it failed or was cancelled.
#pragma once

#include <string>

#include "client.hpp"

namespace assay::ctl {

enum class WatchOutput { automatic, json, text };

int watch_events(ApiClient& client, const std::string& job_id, WatchOutput output);

}  // namespace assay::ctl
