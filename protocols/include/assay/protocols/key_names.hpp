// Names of keys a person typed, checked against the names a reader knows: a misspelt key in a
// job file or a config is refused with the nearest valid name ("did you mean `role`?") instead of
// being ignored. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace assay::protocols {

// The known name closest to `name` (case-insensitive edit distance, a swap of two neighbouring
// letters counting once), or "" when none is close enough to be a likely typo.
std::string nearest_name(std::string_view name, const std::vector<std::string>& known);

// "unknown key; did you mean `role`? (known: wells, role, ...)", without the suggestion when no
// name is close.
std::string unknown_key_message(std::string_view name, const std::vector<std::string>& known);

// The first key of `object` (a JSON object) not in `known`, or "" when every key is known.
std::string first_unknown_key(const nlohmann::json& object, const std::vector<std::string>& known);

// Throws JobSpecError("PATH.KEY", unknown_key_message(...)) for the first unknown key of `object`.
void refuse_unknown_keys(const nlohmann::json& object, const std::string& path,
                         const std::vector<std::string>& known);

}  // namespace assay::protocols
