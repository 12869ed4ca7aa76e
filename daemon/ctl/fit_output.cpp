#include "fit_output.hpp"

#include <charconv>
#include <cmath>

#include "assay/protocols/json_text.hpp"

namespace assay::ctl {
namespace {

namespace pf = assay::protocols::fit;

// 10 significant digits, as printf's %.10g; empty when not finite.
void csv_number(std::string& out, double v) {
  if (!std::isfinite(v)) return;
  char buffer[32];
  out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::general, 10).ptr);
}

void csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

}  // namespace

void append_fit_csv_header(std::string& out) {
  out +=
      "group,n,df,top,bottom,log_ic50,ic50,hill_slope,se_top,se_bottom,se_log_ic50,"
      "se_hill_slope,ci_log_ic50_low,ci_log_ic50_high,ci_ic50_low,ci_ic50_high,"
      "profile_log_ic50_low,profile_log_ic50_high,rss,r2,iterations,converged,usable,flags\n";
}

void append_fit_csv_row(std::string& out, std::string_view group, const pf::DoseResponseFit& f) {
  const bool no_ic50 = f.has_flag(pf::kFlagInactive) || f.has_flag(pf::kFlagAmbiguous) ||
                       f.has_flag(pf::kFlagPlateauAtLimit);
  // Each value followed by its comma; an IC50 figure is left empty when there is no IC50.
  auto number = [&](double v) {
    csv_number(out, v);
    out += ',';
  };
  auto ic = [&](double v) { number(no_ic50 ? NAN : v); };
  auto integer = [&](int v) {
    char buffer[16];
    out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, v).ptr);
    out += ',';
  };
  auto boolean = [&](bool v) { out += v ? "true," : "false,"; };
  csv_field(out, group);
  out += ',';
  integer(f.n);
  integer(f.df);
  number(f.top.value);
  number(f.bottom.value);
  ic(f.log_ic50.value);
  ic(f.ic50);
  number(f.hill_slope.value);
  number(f.top.se);
  number(f.bottom.se);
  ic(f.log_ic50.se);
  number(f.hill_slope.se);
  ic(f.log_ic50.ci_low);
  ic(f.log_ic50.ci_high);
  ic(f.ic50_ci_low);
  ic(f.ic50_ci_high);
  ic(f.log_ic50_profile_low.value_or(NAN));
  ic(f.log_ic50_profile_high.value_or(NAN));
  number(f.rss);
  number(f.r2);
  integer(f.iterations);
  boolean(f.converged);
  boolean(f.usable());
  std::string flags;
  for (const auto& flag : f.flags) flags += (flags.empty() ? "" : ";") + flag;
  csv_field(out, flags);
  out += '\n';
}

void append_fit_json_element(std::string& out, std::size_t index, const pf::DoseResponseFit& fit,
                             const pf::FitLabels& labels) {
  // As JsonText writes an array element: a comma after the one before, then a line of its own
  // one level in.
  out += index == 0 ? "\n  " : ",\n  ";
  protocols::JsonText json(out, 2, 1);
  pf::write_json(json, fit, labels);
}

}  // namespace assay::ctl
