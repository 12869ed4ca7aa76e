#include "assay/protocols/job_spec.hpp"

#include "assay/protocols/key_names.hpp"
#include "simulation_spec.hpp"

namespace assay::protocols {
namespace {

using nlohmann::json;

std::string required_string(const json& job, const char* key) {
  if (!job.contains(key)) throw JobSpecError(key, "is missing");
  if (!job.at(key).is_string() || job.at(key).get<std::string>().empty()) {
    throw JobSpecError(key, "must be a non-empty string");
  }
  return job.at(key).get<std::string>();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

JobSpec JobSpec::from_json(const json& job) {
  if (!job.is_object()) throw JobSpecError("job", "must be a JSON object");
  refuse_unknown_keys(job, "", {"protocol", "instrument", "name", "priority", "plate", "layout", "params", "simulation"});
  JobSpec spec;
  spec.raw = job;
  spec.protocol = required_string(job, "protocol");
  spec.instrument = required_string(job, "instrument");
  if (job.contains("name")) {
    if (!job.at("name").is_string()) throw JobSpecError("name", "must be a string");
    spec.name = job.at("name").get<std::string>();
  }
  if (job.contains("priority")) {
    if (!job.at("priority").is_number_integer()) throw JobSpecError("priority", "must be an integer");
    spec.priority = job.at("priority").get<int>();
  }

  if (!job.contains("plate")) throw JobSpecError("plate", "is missing");
  const auto& plate = job.at("plate");
  if (!plate.is_object()) throw JobSpecError("plate", "must be an object like {\"format\": \"96\"}");
  refuse_unknown_keys(plate, "plate", {"format", "barcode", "id"});
  if (!plate.contains("format")) throw JobSpecError("plate.format", "is missing");
  const auto& format = plate.at("format");
  std::string format_name = format.is_number_integer() ? std::to_string(format.get<int>())
                            : format.is_string()       ? format.get<std::string>()
                                                       : "";
  auto found = find_plate_format(format_name);
  if (!found) {
    throw JobSpecError("plate.format", "'" + (format_name.empty() ? format.dump() : format_name) +
                                           "' is not a plate format; use one of " +
                                           join(known_plate_formats()));
  }
  spec.plate = *found;
  for (const char* key : {"barcode", "id"}) {
    if (plate.contains(key)) {
      if (!plate.at(key).is_string()) throw JobSpecError(std::string("plate.") + key, "must be a string");
      spec.plate_barcode = plate.at(key).get<std::string>();
    }
  }

  if (!job.contains("layout")) throw JobSpecError("layout", "is missing");
  spec.layout = PlateLayout::from_json(job.at("layout"), spec.plate);

  for (auto [key, target] : {std::pair{"params", &spec.params}, {"simulation", &spec.simulation}}) {
    if (!job.contains(key)) continue;
    if (!job.at(key).is_object()) throw JobSpecError(key, "must be an object");
    *target = job.at(key);
  }
  check_simulation(spec.simulation);
  return spec;
}

drivers::LoadedPlate JobSpec::loaded_plate() const {
  drivers::LoadedPlate plate;
  plate.barcode = plate_barcode;
  plate.format = this->plate.name;
  plate.geometry = this->plate.geometry;
  plate.wells = layout.contents();
  plate.simulation = simulation;
  return plate;
}

}  // namespace assay::protocols
