// Input files of assayctl (job files to submit, inputs of the offline commands analyze and
// count): a failure names the file and what is wrong with it, and the command exits with
// kExitUsage. JSON is parsed with the depth bound of bounded_json.hpp.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace assay::ctl {

struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The JSON document in `path`; InputError "<path>: cannot open the file" or
// "<path>: not valid JSON: <where>".
nlohmann::json read_json_file(const std::string& path);

}  // namespace assay::ctl
