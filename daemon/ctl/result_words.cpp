#include "result_words.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace assay::ctl {
namespace {

using nlohmann::json;

// Three significant figures, the precision an IC50 or a Z' is read at.
std::string number_text(const json& value) {
  if (!value.is_number()) return "n/a";
  const double x = value.get<double>();
  if (!std::isfinite(x)) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", x);
  return text;
}

std::string join_strings(const json& list, const char* separator = ", ") {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    out += (out.empty() ? "" : separator) + (item.is_string() ? item.get<std::string>() : item.dump());
  }
  return out;
}

// An IC50 in any of the summary shapes: {"ic50": {"value", "ci_low", "ci_high", "unit", ...}},
// or the older flat keys ic50_nM with ic50_ci95_nM / ic50_ci_nM as [low, high].
struct Ic50Words {
  json value, low, high;
  std::string unit = "nM";
  std::string ci = "95% CI";
};

Ic50Words ic50_of(const json& series) {
  Ic50Words out;
  if (series.contains("ic50") && series["ic50"].is_object()) {
    const auto& ic50 = series["ic50"];
    out.value = ic50.value("value", json());
    out.low = ic50.value("ci_low", json());
    out.high = ic50.value("ci_high", json());
    out.unit = ic50.value("unit", out.unit);
    if (ic50.contains("ci_method") && ic50["ci_method"].is_string()) {
      out.ci = "95% CI (" + ic50["ci_method"].get<std::string>() + ")";
    }
    return out;
  }
  out.value = series.value("ic50_nM", json());
  for (const char* key : {"ic50_ci95_nM", "ic50_ci_nM"}) {
    if (series.contains(key) && series[key].is_array() && series[key].size() == 2) {
      out.low = series[key][0];
      out.high = series[key][1];
    }
  }
  return out;
}

std::string series_line(const std::string& compound, const json& series) {
  std::ostringstream line;
  line << compound << ": ";
  auto ic50 = ic50_of(series);
  if (ic50.value.is_number()) {
    line << "IC50 " << number_text(ic50.value) << " " << ic50.unit;
    if (ic50.low.is_number() || ic50.high.is_number()) {
      line << " (" << ic50.ci << " " << number_text(ic50.low) << " to " << number_text(ic50.high) << " "
           << ic50.unit << ")";
    }
    if (series.contains("hill_slope")) line << ", Hill slope " << number_text(series["hill_slope"]);
    if (series.contains("r2")) line << ", R² " << number_text(series["r2"]);
  } else {
    line << "no IC50";
  }
  if (series.contains("n")) line << ", n " << series["n"].dump();
  if (series.contains("flags") && !series["flags"].empty()) line << " [" << join_strings(series["flags"]) << "]";
  return line.str();
}

std::string z_prime_text(const json& z_prime, const json& pass, const json& threshold) {
  std::string out = "Z' " + number_text(z_prime);
  if (pass.is_boolean()) {
    out += pass.get<bool>() ? " (pass" : " (FAIL";
    out += threshold.is_number() ? ", needs >= " + number_text(threshold) + ")" : ")";
  }
  return out;
}

void describe_calcium(const json& s, const std::string& indent, std::ostringstream& out) {
  out << indent << "calcium flux, " << s.value("wells", 0) << " wells on " << s.value("channel", "?") << ", "
      << s.value("cycles", 0) << " cycles; ";
  const json qc = s.value("qc", json());
  out << (qc.is_object() ? z_prime_text(qc.value("z_prime", json()), qc.value("pass", json()),
                                        qc.value("threshold", json()))
                         : "no Z' (no controls)");
  out << "; " << s.value("flagged_wells", 0) << " wells flagged, " << s.value("excluded_wells", 0)
      << " excluded\n";
  const json all_series = s.value("series", json::object());  // held: items() of a temporary dangles
  for (const auto& [compound, series] : all_series.items()) {
    out << indent << "  " << series_line(compound, series) << "\n";
  }
}

void describe_chemotaxis(const json& s, const std::string& indent, std::ostringstream& out) {
  out << indent << "chemotaxis (" << s.value("readout", "?") << ", " << s.value("unit", "?") << "); "
      << z_prime_text(s.value("z_prime", json()), s.value("qc_pass", json()), json())
      << "; chemotactic index " << number_text(s.value("chemotactic_index", json()));
  if (s.value("chemotactic_index_ok", true) == false) out << " (too low)";
  out << "\n";
  const json all_series = s.value("ic50", json::object());
  for (const auto& [compound, series] : all_series.items()) {
    out << indent << "  " << series_line(compound, series) << "\n";
  }
}

void describe_cfu(const json& s, const std::string& indent, std::ostringstream& out) {
  out << indent << "CFU, " << s.value("wells", 0) << " dishes, " << s.value("total_colonies", 0)
      << " colonies";
  if (s.contains("mean_cfu_per_1e5_cells")) {
    out << ", mean " << number_text(s["mean_cfu_per_1e5_cells"]) << " CFU per 1e5 cells";
  }
  out << "\n";
  const json dishes = s.value("dishes", json::array());
  for (const auto& dish : dishes) {
    out << indent << "  " << dish.value("well", "?");
    if (auto sample = dish.value("sample", std::string()); !sample.empty()) out << " (" << sample << ")";
    out << ": " << dish.value("colonies", 0) << " colonies";
    if (dish.contains("cfu_per_1e5_cells") && dish["cfu_per_1e5_cells"].is_number()) {
      out << ", " << number_text(dish["cfu_per_1e5_cells"]) << " per 1e5 cells";
    }
    if (dish.value("too_many_to_count", false)) out << " (too many to count)";
    out << "\n";
  }
  const json samples = s.value("samples", json::array());
  for (const auto& sample : samples) {
    std::string name = sample.value("sample", std::string());
    if (auto group = sample.value("group", std::string()); !group.empty()) name += (name.empty() ? "" : ", ") + group;
    out << indent << "  " << (name.empty() ? "(no sample name)" : name) << ": " << number_text(sample.value("mean_colonies", json()))
        << " ± " << number_text(sample.value("sd_colonies", json())) << " colonies per dish (mean ± SD, n "
        << sample.value("n", 0) << ")";
    if (sample.value("mean_cfu_per_1e5_cells", json()).is_number()) {
      out << ", " << number_text(sample["mean_cfu_per_1e5_cells"]) << " ± " << number_text(sample.value("sd_cfu_per_1e5_cells", json()))
          << " CFU per 1e5 cells";
    }
    out << "\n";
  }
  const json by_class = s.value("colonies_by_class", json::object());
  if (!by_class.empty()) {
    std::string classes;
    for (const auto& [name, n] : by_class.items()) classes += (classes.empty() ? "" : ", ") + name + " " + n.dump();
    out << indent << "  by class: " << classes << "\n";
  }
}

}  // namespace

std::string describe_result(const json& summary, const std::string& protocol, const std::string& indent) {
  std::ostringstream out;
  const std::string kind = !protocol.empty() ? protocol : summary.value("protocol", "");
  if (kind == "calcium_flux" || (kind.empty() && summary.contains("series"))) {
    describe_calcium(summary, indent, out);
  } else if (kind == "chemotaxis" || (kind.empty() && summary.contains("readout"))) {
    describe_chemotaxis(summary, indent, out);
  } else if (kind == "cfu" || (kind.empty() && summary.contains("total_colonies"))) {
    describe_cfu(summary, indent, out);
  } else {
    json brief = summary;
    brief.erase("figures");
    out << indent << (kind.empty() ? "result" : kind) << ": " << brief.dump() << "\n";
  }
  const json warnings = summary.value("warnings", json::array());
  if (warnings.is_array() && !warnings.empty()) out << indent << "warnings: " << join_strings(warnings, "; ") << "\n";
  const json flags = summary.value("flags", json::array());
  if (flags.is_array() && !flags.empty()) out << indent << "flags: " << join_strings(flags) << "\n";
  return out.str();
}

std::string describe_state(const json& event) {
  std::string line = event.value("job_id", "?") + " " + event.value("state", "?");
  if (event.contains("protocol")) {
    line += " (" + event["protocol"].get<std::string>() + " on " + event.value("instrument", "?") + ")";
  }
  if (event.contains("attempt")) line += " (attempt " + event["attempt"].dump() + ")";
  if (event.value("state", "") == "waiting" && event.contains("message")) {
    line += ": " + event.value("message", "") + " (then: assayctl continue " + event.value("job_id", "?") + ")";
  }
  if (event.contains("added_at")) line += ": addition recorded at " + event.value("added_at", "");
  if (event.contains("error") && event["error"].is_object()) {
    line += ": " + event["error"].value("message", "") + " [" + event["error"].value("code", "") + "]";
  }
  return line;
}

}  // namespace assay::ctl
