#include "assay/daemon/job_state.hpp"

namespace assay::daemon {

const char* to_string(JobState state) {
  switch (state) {
    case JobState::queued: return "queued";
    case JobState::running: return "running";
    case JobState::waiting: return "waiting";
    case JobState::succeeded: return "succeeded";
    case JobState::failed: return "failed";
    case JobState::cancelled: return "cancelled";
    case JobState::interrupted: return "interrupted";
  }
  return "unknown";
}

std::optional<JobState> parse_job_state(std::string_view text) {
  for (auto state : kJobStates) {
    if (text == to_string(state)) return state;
  }
  return std::nullopt;
}

std::string job_state_names() {
  std::string out;
  for (std::size_t i = 0; i < kJobStates.size(); ++i) {
    if (i > 0) out += i + 1 == kJobStates.size() ? " or " : ", ";
    out += to_string(kJobStates[i]);
  }
  return out;
}

}  // namespace assay::daemon
