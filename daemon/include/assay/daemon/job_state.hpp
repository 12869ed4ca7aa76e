// The states of a job and their text form, defined here once.
//
//   queued -> running -> succeeded | failed | cancelled
//   running -> waiting (a step waits for a person, e.g. a manual agonist addition) -> running
//              (jobs.continue) | failed (timeout) | cancelled
//   running | waiting -> interrupted (assayd stopped) -> queued again or failed, by policy, at the
//              next start
//
// The text form is what the store writes into jobs.state (the schema's CHECK lists the same
// names; a test keeps the two equal), what the API accepts and answers, and what events carry.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace assay::daemon {

enum class JobState { queued, running, waiting, succeeded, failed, cancelled, interrupted };

inline constexpr std::array<JobState, 7> kJobStates{
    JobState::queued, JobState::running,   JobState::waiting,    JobState::succeeded,
    JobState::failed, JobState::cancelled, JobState::interrupted};

const char* to_string(JobState state);
// nullopt for a text that names no state.
std::optional<JobState> parse_job_state(std::string_view text);
// "queued, running, waiting, succeeded, failed, cancelled or interrupted", for error messages.
std::string job_state_names();
// succeeded, failed and cancelled never change again.
constexpr bool is_final(JobState state) {
  return state == JobState::succeeded || state == JobState::failed || state == JobState::cancelled;
}

}  // namespace assay::daemon
