// A job as submitted: protocol, instrument, plate, layout, acquisition parameters.
//
// JobSpec::from_json checks the shape of the whole request (types, required fields, well names,
// plate format) and throws JobSpecError naming the JSON path at fault. Protocol-specific
// parameters are checked later by the protocol's validate().
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "assay/protocols/layout.hpp"
#include "assay/protocols/plate.hpp"

namespace assay::protocols {

class JobSpecError : public std::invalid_argument {
 public:
  JobSpecError(std::string path, const std::string& message)
      : std::invalid_argument(path + ": " + message), path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct JobSpec {
  std::string protocol;
  std::string instrument;
  int priority = 0;  // higher runs first within an instrument's queue
  std::string name;  // free text for people
  PlateFormat plate;
  std::string plate_barcode;
  PlateLayout layout;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json simulation = nlohmann::json::object();
  nlohmann::json raw;  // the request as given

  static JobSpec from_json(const nlohmann::json& job);
  drivers::LoadedPlate loaded_plate() const;
};

}  // namespace assay::protocols
