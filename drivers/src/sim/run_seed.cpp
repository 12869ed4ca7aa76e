#include "run_seed.hpp"

#include <random>

namespace assay::drivers::sim {

std::uint64_t run_seed(const nlohmann::json& simulation, std::optional<std::uint64_t> configured) {
  if (simulation.is_object() && simulation.contains("seed") && simulation.at("seed").is_number_integer()) {
    return simulation.at("seed").get<std::uint64_t>();
  }
  if (configured) return *configured;
  // Kept below 2^53 so that the seed survives JSON readers that hold numbers as doubles.
  std::random_device device;
  const std::uint64_t seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  return seed & ((1ull << 53) - 1);
}

}  // namespace assay::drivers::sim
