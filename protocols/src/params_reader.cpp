#include "assay/protocols/params_reader.hpp"

#include "assay/protocols/key_names.hpp"

#include <algorithm>
#include <cmath>

namespace assay::protocols {
namespace {

std::string format_number(double value) {
  auto text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

ParamsReader::ParamsReader(const nlohmann::json& params, std::string path)
    : params_(params), path_(std::move(path)) {
  if (!params_.is_object()) throw ProtocolError("invalid_params", path_ + " must be an object");
}

void ParamsReader::fail(const char* key, const std::string& message) const {
  throw ProtocolError("invalid_params", path_ + "." + key + ": " + message);
}

bool ParamsReader::has(const char* key) const { return params_.contains(key); }

void ParamsReader::only_keys(std::initializer_list<const char*> known) const {
  for (const auto& [key, value] : params_.items()) {
    if (std::none_of(known.begin(), known.end(), [&name = key](const char* k) { return name == k; })) {
      throw ProtocolError("invalid_params", path_ + "." + key + ": " +
                                                unknown_key_message(key, std::vector<std::string>(known.begin(), known.end())));
    }
  }
}

double ParamsReader::number(const char* key, double fallback, double min_value, double max_value) const {
  if (!params_.contains(key)) return fallback;
  const auto& value = params_.at(key);
  if (!value.is_number()) fail(key, "must be a number");
  double number = value.get<double>();
  if (!std::isfinite(number) || number < min_value || number > max_value) {
    fail(key, format_number(number) + " is outside " + format_number(min_value) + ".." + format_number(max_value));
  }
  return number;
}

int ParamsReader::integer(const char* key, int fallback, int min_value, int max_value) const {
  if (!params_.contains(key)) return fallback;
  const auto& value = params_.at(key);
  if (!value.is_number_integer()) fail(key, "must be a whole number");
  auto number = value.get<long long>();
  if (number < min_value || number > max_value) {
    fail(key, std::to_string(number) + " is outside " + std::to_string(min_value) + ".." +
                  std::to_string(max_value));
  }
  return static_cast<int>(number);
}

bool ParamsReader::boolean(const char* key, bool fallback) const {
  if (!params_.contains(key)) return fallback;
  if (!params_.at(key).is_boolean()) fail(key, "must be true or false");
  return params_.at(key).get<bool>();
}

std::string ParamsReader::one_of(const char* key, std::initializer_list<const char*> allowed,
                                 const std::string& fallback) const {
  if (!params_.contains(key)) return fallback;
  if (!params_.at(key).is_string()) fail(key, "must be a string");
  auto value = params_.at(key).get<std::string>();
  std::string names;
  for (const char* a : allowed) {
    if (value == a) return value;
    names += (names.empty() ? "" : ", ") + std::string(a);
  }
  fail(key, "'" + value + "' is not one of " + names);
}

std::vector<int> ParamsReader::int_list(const char* key, const std::vector<int>& fallback,
                                        int min_value, int max_value) const {
  if (!params_.contains(key)) return fallback;
  const auto& value = params_.at(key);
  if (value.is_number_integer()) {
    ParamsReader single(nlohmann::json{{key, value}}, path_);
    return {single.integer(key, 0, min_value, max_value)};
  }
  if (!value.is_array() || value.empty()) fail(key, "must be a whole number or a non-empty list of them");
  std::vector<int> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    std::string item_key = std::string(key) + "[" + std::to_string(i) + "]";
    ParamsReader single(nlohmann::json{{item_key, value[i]}}, path_);
    out.push_back(single.integer(item_key.c_str(), 0, min_value, max_value));
  }
  return out;
}

}  // namespace assay::protocols
