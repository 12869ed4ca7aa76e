#include "assay/protocols/key_names.hpp"

#include <algorithm>
#include <cctype>

#include "assay/protocols/job_spec.hpp"

namespace assay::protocols {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Optimal string alignment distance, ignoring case.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

}  // namespace

std::string nearest_name(std::string_view name, const std::vector<std::string>& known) {
  std::string best;
  if (name.size() > 64) return best;  // no typo of a key is that long; spare the distance table
  // A third of the name's letters may be wrong (at least one, at most three): "rol" -> "role",
  // "simulaton" -> "simulation", "true_ic50_nm" -> "true_ic50_nM"; "xyz" matches nothing.
  std::size_t best_distance = std::clamp<std::size_t>(name.size() / 3, 1, 3) + 1;
  for (const auto& candidate : known) {
    const std::size_t gap = name.size() > candidate.size() ? name.size() - candidate.size() : candidate.size() - name.size();
    if (gap >= best_distance) continue;
    const std::size_t distance = edit_distance(name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string unknown_key_message(std::string_view name, const std::vector<std::string>& known) {
  std::string message = "unknown key";
  if (auto nearest = nearest_name(name, known); !nearest.empty()) message += "; did you mean `" + nearest + "`?";
  std::string names;
  for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
  return message + " (known: " + names + ")";
}

std::string first_unknown_key(const nlohmann::json& object, const std::vector<std::string>& known) {
  if (!object.is_object()) return {};
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) return key;
  }
  return {};
}

void refuse_unknown_keys(const nlohmann::json& object, const std::string& path,
                         const std::vector<std::string>& known) {
  auto key = first_unknown_key(object, known);
  if (key.empty()) return;
  throw JobSpecError(path.empty() ? key : path + "." + key, unknown_key_message(key, known));
}

}  // namespace assay::protocols
