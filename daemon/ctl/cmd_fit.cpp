// `assayctl fit`: offline four-parameter logistic fits of a CSV table, one curve per group,
// printed as JSON (default) or CSV. Bad input exits with kExitUsage and a message naming the
// line and column; see docs/fitting.md.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <system_error>
#include <thread>

#include "assay/protocols/fit/dose_table.hpp"
#include "cli_main.hpp"
#include "commands.hpp"
#include "fit_output.hpp"
#include "mapped_file.hpp"

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

void write_out(std::string_view text) {
  std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// Curves go to every core in blocks of kBlockCurves taken in turn from a shared counter, so a core
// slowed by other work takes fewer. Each block's fits are printed into the block's own buffer on
// the thread that fitted them (formatting 10,000 fits costs about a third of their fitting). This
// thread writes the finished blocks in curve order as it goes and frees them, so their memory is
// used again rather than fresh pages faulted in for 13 MB of JSON. The fit is a pure function and
// each curve's text depends on that curve alone: the output does not depend on the split.
constexpr std::size_t kBlockCurves = 32;

void fit_and_print(const pf::DoseTable& table, const pf::FitOptions& options, bool csv) {
  const std::size_t curves = table.curves.size();
  const std::size_t blocks = (curves + kBlockCurves - 1) / kBlockCurves;
  std::vector<std::string> text(blocks);
  std::vector<std::atomic<bool>> done(blocks);
  std::atomic<std::size_t> next_block{0};
  auto fit_block = [&](std::size_t b, pf::FitLabels& labels) {
    for (std::size_t i = b * kBlockCurves; i < std::min(curves, (b + 1) * kBlockCurves); ++i) {
      const pf::DoseCurveInput& curve = table.curves[i];
      const pf::DoseResponseFit fit = pf::fit_dose_response(curve.points, options);
      if (csv) {
        append_fit_csv_row(text[b], curve.group, fit);
      } else {
        if (!table.group_column.empty()) labels.back().second = curve.group;
        append_fit_json_element(text[b], i, fit, labels);
      }
    }
    done[b].store(true, std::memory_order_release);
  };
  auto work = [&](auto after_block) {
    pf::FitLabels labels{{"x_column", table.x_column}, {"y_column", table.y_column}};
    if (!table.group_column.empty()) labels.emplace_back("group", "");
    for (std::size_t b = next_block++; b < blocks; b = next_block++) {
      fit_block(b, labels);
      after_block();
    }
  };
  std::size_t written = 0;
  auto write_finished = [&] {
    for (; written < blocks && done[written].load(std::memory_order_acquire); ++written) {
      write_out(text[written]);
      std::string().swap(text[written]);
    }
  };

  std::string head;
  if (csv) append_fit_csv_header(head);
  else head = kFitJsonOpen;
  write_out(head);
  const std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, blocks);
  {
    std::vector<std::jthread> helpers;
    for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back([&] { work([] {}); });
    work(write_finished);
  }  // joins the helpers
  write_finished();
  if (!csv) write_out(kFitJsonClose);
}

// The table of `input` (a path, or "-" for stdin). A file is mapped and split in place; stdin, a
// pipe or a device is read as a stream.
pf::DoseTable read_table(const std::string& input, const pf::DoseTableOptions& options) {
  if (input == "-") return pf::read_dose_table(std::cin, "stdin", options);
  try {
    const MappedFile file(input);
    if (file.mapped()) {
      // The table with its index takes somewhat more memory than its text (24 bytes a point, 4
      // for its line, the curves and their index).
      prefault_heap(file.text().size() * 2);
      return pf::read_dose_table(file.text(), input, options);
    }
  } catch (const std::system_error& e) {
    usage_error("cannot open input file '" + input + "': " + e.code().message());
  }
  std::ifstream in(input, std::ios::binary);
  if (!in) usage_error("cannot open input file '" + input + "'");
  return pf::read_dose_table(in, input, options);
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
    table = read_table(c.input, table_options);
  } catch (const pf::DoseTableError& e) {
    usage_error(e.what());
  }
  fit_and_print(table, options, c.csv);
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
