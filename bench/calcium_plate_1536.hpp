// The benchmarks' calcium-flux plate: 1536 wells (32 compounds x 44 points in 2-fold dilutions,
// duplicate; controls in columns 1-2 and 47-48), read every second for 180 s from the simulated
// reader with a fixed seed, so every run analyses the same readings.
#pragma once

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/drivers/sim/sim_plate_reader.hpp"
#include "assay/protocols/calcium/protocol.hpp"
#include "assay/protocols/job_spec.hpp"

namespace assay::bench {

struct CalciumPlate1536 {
  nlohmann::json job;  // the job file
  protocols::JobSpec spec;
  protocols::calcium::CalciumFluxParams params;
  std::vector<drivers::Reading> readings;
};

inline CalciumPlate1536 make_calcium_plate_1536() {
  using nlohmann::json;
  json layout = json::array({{{"wells", "A1:AF2"}, {"role", "positive_control"}},
                             {{"wells", "A47:AF48"}, {"role", "negative_control"}}});
  for (int row = 0; row < 32; ++row) {
    std::string r = row < 26 ? std::string(1, static_cast<char>('A' + row))
                             : "A" + std::string(1, static_cast<char>('A' + row - 26));
    layout.push_back({{"wells", r + "3:" + r + "46"},
                      {"compound", "cmpd-" + std::to_string(row + 1)},
                      {"dilution", {{"top_nM", 10000}, {"factor", 2}, {"replicates", 2}}}});
  }
  json job{{"protocol", "calcium_flux"}, {"instrument", "sim-reader"},
           {"plate", {{"format", "1536"}, {"barcode", "BENCH-1536"}}}, {"layout", layout},
           {"params", {{"interval_s", 1.0}, {"baseline_s", 15.0}, {"injection", {{"time_s", 15.0}}},
                       {"duration_s", 180.0}}}};
  CalciumPlate1536 out{job, protocols::JobSpec::from_json(job), {}, {}};
  out.params = protocols::calcium::parse_calcium_flux_params(out.spec.params);
  auto settings = drivers::sim::SimPlateReaderSettings::from_json(
      {{"time_scale", 0.0}, {"fast_interval_factor", 1.0}, {"seed", 42}});
  drivers::sim::SimPlateReader reader("sim-reader", settings.value());
  (void)reader.connect();
  (void)reader.load_plate(out.spec.loaded_plate());
  auto plan = protocols::calcium::kinetic_plan(out.params, {});
  auto status = reader.read_kinetic_fluorescence(
      plan,
      [&](std::span<const drivers::Reading> page) {
        out.readings.insert(out.readings.end(), page.begin(), page.end());
        return drivers::Status::ok();
      },
      {}, {});
  if (!status) {
    std::cerr << "simulated read failed: " << status.to_string() << "\n";
    std::exit(1);
  }
  return out;
}

}  // namespace assay::bench
