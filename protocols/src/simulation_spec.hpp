// Checks a job's `simulation` object at submit: only the keys the simulators read
// (drivers/simulation_keys.hpp), each of the type and range it must have. Throws JobSpecError
// naming the path, e.g. `simulation.compounds.balixafortide.true_ic50_nm`.
#pragma once

#include <nlohmann/json.hpp>

namespace assay::protocols {

void check_simulation(const nlohmann::json& simulation);

}  // namespace assay::protocols
