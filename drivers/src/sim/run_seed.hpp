// The seed of one simulated run: the job's simulation.seed when it gives one, else the driver's
// configured seed (a rig that must repeat itself), else a new seed drawn for this run. The
// simulators report it in their truth, so a run can be repeated by setting simulation.seed.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

namespace assay::drivers::sim {

std::uint64_t run_seed(const nlohmann::json& simulation, std::optional<std::uint64_t> configured);

}  // namespace assay::drivers::sim
