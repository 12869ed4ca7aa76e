// `assayctl fit`: offline four-parameter logistic fits of a CSV table, one curve per group,
// printed as JSON (default) or CSV. Bad input exits with kExitUsage and a message naming the
// line and column; see docs/fitting.md.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "assay/protocols/fit/dose_table.hpp"
#include "assay/protocols/fit/fit_json_text.hpp"
#include "commands.hpp"

namespace assay::ctl {
namespace {

namespace pf = assay::protocols::fit;

struct FitCommandOptions {
  std::string input;
  std::string x_column, y_column, group_column;
  std::string fix;      // top=100,bottom=0,hill_slope=-1
  std::string bounds;   // log_ic50=-10:-5,hill_slope=:0
  std::string weights = "none";
  double confidence = 0.95;
  bool no_profile = false;
  bool csv = false;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "assayctl fit: " << message << "\n";
  exit_with(kExitUsage);
}

double parse_value(const std::string& text, const std::string& what) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used != text.size() || !std::isfinite(v)) throw std::invalid_argument(text);
    return v;
  } catch (const std::exception&) {
    usage_error(what + ": '" + text + "' is not a number");
  }
}

// name=value pairs separated by commas.
std::vector<std::pair<std::string, std::string>> parse_pairs(const std::string& text,
                                                             const char* flag) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      usage_error(std::string(flag) + ": expected name=value, got '" + item + "'");
    pairs.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return pairs;
}

pf::Bounds* bounds_of(pf::FitOptions& o, const std::string& name, const char* flag) {
  if (name == "top") return &o.top;
  if (name == "bottom") return &o.bottom;
  if (name == "log_ic50") return &o.log_ic50;
  if (name == "hill_slope") return &o.hill_slope;
  usage_error(std::string(flag) + ": unknown parameter '" + name +
              "' (use top, bottom, log_ic50, hill_slope)");
}

pf::FitOptions make_fit_options(const FitCommandOptions& c, std::string& weight_column) {
  pf::FitOptions o;
  o.confidence = c.confidence;
  if (!(c.confidence > 0 && c.confidence < 1)) usage_error("--confidence must be between 0 and 1");
  o.profile_ci = !c.no_profile;
  for (const auto& [name, value] : parse_pairs(c.fix, "--fix")) {
    const double v = parse_value(value, "--fix " + name);
    if (name == "top") o.fixed_top = v;
    else if (name == "bottom") o.fixed_bottom = v;
    else if (name == "hill_slope") o.fixed_hill_slope = v;
    else usage_error("--fix: can fix top, bottom or hill_slope, not '" + name + "'");
  }
  for (const auto& [name, range] : parse_pairs(c.bounds, "--bounds")) {
    pf::Bounds* b = bounds_of(o, name, "--bounds");
    const auto colon = range.find(':');
    if (colon == std::string::npos)
      usage_error("--bounds " + name + ": expected LOW:HIGH (either may be empty), got '" + range + "'");
    if (colon > 0) b->lower = parse_value(range.substr(0, colon), "--bounds " + name + " lower");
    if (colon + 1 < range.size())
      b->upper = parse_value(range.substr(colon + 1), "--bounds " + name + " upper");
    if (b->lower && b->upper && *b->lower > *b->upper)
      usage_error("--bounds " + name + ": the lower bound is above the upper bound");
  }
  if (c.weights == "none" || c.weights.empty()) {
    o.weighting = pf::Weighting::none;
  } else if (c.weights == "1/y2" || c.weights == "1/y^2" || c.weights == "inverse_y_squared") {
    o.weighting = pf::Weighting::inverse_y_squared;
  } else if (c.weights == "1/ycurve2" || c.weights == "1/ycurve^2" ||
             c.weights == "inverse_fit_squared") {
    o.weighting = pf::Weighting::inverse_fit_squared;
  } else {
    o.weighting = pf::Weighting::given;
    weight_column = c.weights;
  }
  return o;
}

// Output is built in a buffer and written a megabyte at a time: ten thousand fits are 13 MB of
// JSON, and formatting them through iostreams or a DOM cost more than the fits.
constexpr std::size_t kOutputChunkBytes = 1 << 20;

void write_out(std::string& buffer) {
  std::cout.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  buffer.clear();
}

// 10 significant digits, as printf's %.10g; empty when not finite.
void csv_number(std::string& out, double v) {
  if (!std::isfinite(v)) return;
  char buffer[32];
  out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::general, 10).ptr);
}

void csv_field(std::string& out, const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char ch : text) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  out += '"';
}

void print_csv(const pf::DoseTable& table, const std::vector<pf::DoseResponseFit>& fits) {
  std::string out =
      "group,n,df,top,bottom,log_ic50,ic50,hill_slope,se_top,se_bottom,se_log_ic50,"
      "se_hill_slope,ci_log_ic50_low,ci_log_ic50_high,ci_ic50_low,ci_ic50_high,"
      "profile_log_ic50_low,profile_log_ic50_high,rss,r2,iterations,converged,usable,flags\n";
  for (std::size_t i = 0; i < fits.size(); ++i) {
    const pf::DoseResponseFit& f = fits[i];
    const bool no_ic50 = f.has_flag(pf::kFlagInactive) || f.has_flag(pf::kFlagAmbiguous) ||
                         f.has_flag(pf::kFlagPlateauAtLimit);
    // Each value followed by its comma; an IC50 figure is left empty when there is no IC50.
    auto number = [&](double v) {
      csv_number(out, v);
      out += ',';
    };
    auto ic = [&](double v) { number(no_ic50 ? NAN : v); };
    auto integer = [&](int v) { out += std::to_string(v) + ','; };
    auto boolean = [&](bool v) { out += v ? "true," : "false,"; };
    std::string flags;
    for (const auto& flag : f.flags) flags += (flags.empty() ? "" : ";") + flag;
    csv_field(out, table.curves[i].group);
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
    csv_field(out, flags);
    out += '\n';
    if (out.size() >= kOutputChunkBytes) write_out(out);
  }
  write_out(out);
}

// The JSON array of to_json(fit) plus group, x_column and y_column, as nlohmann's dump(2)
// prints it, written without building the DOM.
void print_json(const pf::DoseTable& table, const std::vector<pf::DoseResponseFit>& fits) {
  std::string out;
  protocols::JsonText json(out, 2);
  pf::FitLabels labels{{"x_column", table.x_column}, {"y_column", table.y_column}};
  if (!table.group_column.empty()) labels.emplace_back("group", "");
  json.begin_array();
  for (std::size_t i = 0; i < fits.size(); ++i) {
    if (!table.group_column.empty()) labels.back().second = table.curves[i].group;
    pf::write_json(json, fits[i], labels);
    if (out.size() >= kOutputChunkBytes) write_out(out);
  }
  json.end_array();
  out += '\n';
  write_out(out);
}

// The curves are independent and the fit is a pure function: they are fitted on every core, each
// thread taking every n-th curve; the results do not depend on the split.
std::vector<pf::DoseResponseFit> fit_all(const pf::DoseTable& table, const pf::FitOptions& options) {
  std::vector<pf::DoseResponseFit> fits(table.curves.size());
  const std::size_t threads =
      std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, (fits.size() + 99) / 100);
  std::vector<std::jthread> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (std::size_t i = t; i < fits.size(); i += threads)
        fits[i] = pf::fit_dose_response(table.curves[i].points, options);
    });
  }
  workers.clear();  // joins them
  return fits;
}

void run_fit(const FitCommandOptions& c) {
  std::string weight_column;
  const pf::FitOptions options = make_fit_options(c, weight_column);
  pf::DoseTableOptions table_options;
  table_options.x_column = c.x_column;
  table_options.y_column = c.y_column;
  table_options.group_column = c.group_column;
  table_options.weight_column = weight_column;
  table_options.min_points = 4 - (options.fixed_top ? 1 : 0) - (options.fixed_bottom ? 1 : 0) -
                             (options.fixed_hill_slope ? 1 : 0);
  pf::DoseTable table;
  try {
    if (c.input == "-") {
      table = pf::read_dose_table(std::cin, "stdin", table_options);
    } else {
      std::ifstream in(c.input);
      if (!in) usage_error("cannot open input file '" + c.input + "'");
      table = pf::read_dose_table(in, c.input, table_options);
    }
  } catch (const pf::DoseTableError& e) {
    usage_error(e.what());
  }
  const std::vector<pf::DoseResponseFit> fits = fit_all(table, options);
  if (c.csv) {
    print_csv(table, fits);
  } else {
    print_json(table, fits);
  }
}

}  // namespace

void add_fit_command(CLI::App& app) {
  auto options = std::make_shared<FitCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "fit", "Fit four-parameter logistic dose-response curves to a CSV table (offline)");
  cmd->add_option("--input,-i", options->input, "CSV file with a header row ('-' for stdin)")
      ->required();
  cmd->add_option("--x", options->x_column,
                  "concentration column (default: conc/concentration/dose/x or the first column); "
                  "0 = vehicle control");
  cmd->add_option("--y", options->y_column, "response column (default: response/y/value)");
  cmd->add_option("--group", options->group_column, "column whose values split the curves");
  cmd->add_option("--fix", options->fix, "fixed parameters, e.g. top=100,bottom=0,hill_slope=-1");
  cmd->add_option("--bounds", options->bounds,
                  "parameter bounds LOW:HIGH, e.g. log_ic50=-10:-4,hill_slope=:0");
  cmd->add_option("--weights", options->weights,
                  "none (default), 1/y2 (1/Y^2 of the observed Y), 1/ycurve2 (1/Y^2 of the "
                  "fitted curve: Prism's relative weighting), or a column of given weights");
  cmd->add_option("--confidence", options->confidence, "confidence level of the intervals")
      ->capture_default_str();
  cmd->add_flag("--no-profile", options->no_profile, "skip the profile-likelihood interval");
  cmd->add_flag("--csv", options->csv, "print CSV instead of JSON");
  cmd->callback([options] { run_fit(*options); });
}

}  // namespace assay::ctl
