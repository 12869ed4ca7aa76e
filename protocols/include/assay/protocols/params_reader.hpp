// Reads a protocol's "params" object with checks: each getter returns the default when the key
// is absent and throws ProtocolError("invalid_params", "params.KEY: ...") when it is wrong.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/protocols/protocol.hpp"

namespace assay::protocols {

class ParamsReader {
 public:
  ParamsReader(const nlohmann::json& params, std::string path);

  // Refuses keys not in `known`, so a misspelt parameter is not silently ignored.
  void only_keys(std::initializer_list<const char*> known) const;
  double number(const char* key, double fallback, double min_value, double max_value) const;
  int integer(const char* key, int fallback, int min_value, int max_value) const;
  bool boolean(const char* key, bool fallback) const;
  std::string one_of(const char* key, std::initializer_list<const char*> allowed,
                     const std::string& fallback) const;
  std::vector<int> int_list(const char* key, const std::vector<int>& fallback, int min_value,
                            int max_value) const;
  bool has(const char* key) const;

 private:
  [[noreturn]] void fail(const char* key, const std::string& message) const;
  nlohmann::json params_;  // a copy: readers are often built from temporaries
  std::string path_;
};

}  // namespace assay::protocols
