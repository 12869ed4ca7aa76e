// A job's result summary in words for a person at a terminal: what `assayctl watch` prints when a
// job's result arrives. Calcium flux and chemotaxis give each compound's IC50 with its CI and
// unit and the plate's Z'; CFU gives the colonies of every dish; any other protocol a compact
// JSON line. Missing or null values read "n/a": a summary of an older daemon still prints.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace assay::ctl {

// `protocol` may be empty: the summary's own keys then tell which assay it is.
// Returns lines ending in '\n', each indented by `indent`.
std::string describe_result(const nlohmann::json& summary, const std::string& protocol,
                            const std::string& indent = "  ");

// One job state event ({"state":..., "error":{...}, "attempt":...}) as a line without '\n'.
std::string describe_state(const nlohmann::json& event);

}  // namespace assay::ctl
