// `assayctl analyze chemotaxis`: the transwell chemotaxis analysis offline, on exported
// absorbance reads (--reads, CSV well,channel,cycle,time_s,value[,saturated][,attempt], as
// `assayctl readings` exports them) or on stained-cell
// counts per field (--counts, CSV well,field,count[,pixel_size_um]), with the plate layout
// (--layout: a job JSON, {"plate":..,"layout":[..]} or a bare layout list on a transwell-24
// plate). It calls the same analysis as the daemon's protocol, so the numbers are the same.
// Input errors name the file and line; they exit with kExitUsage.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "assay/protocols/chemotaxis/absorbance.hpp"
#include "assay/protocols/chemotaxis/analysis.hpp"
#include "assay/protocols/chemotaxis/field_counts.hpp"
#include "assay/protocols/chemotaxis/results.hpp"
#include "assay/protocols/chemotaxis/validate.hpp"
#include "assay/protocols/csv_line.hpp"
#include "assay/protocols/job_spec.hpp"
#include "commands.hpp"
#include "input_files.hpp"

namespace assay::ctl {
namespace {

namespace chemo = protocols::chemotaxis;
using nlohmann::json;

struct Options {
  std::string reads, counts, layout, params, figure;
  bool csv = false;
  bool json = false;
};

// Rows of a CSV with the given leading columns (optional ones may follow), keyed by column name.
struct CsvRow {
  int line = 0;
  std::map<std::string, std::string> cells;
};

std::vector<CsvRow> read_csv(const std::string& path, const std::vector<std::string>& required,
                             const std::vector<std::string>& optional) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open the file");
  std::string line;
  int number = 0;
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    auto cells = protocols::split_csv_line(line);
    if (header.empty()) {
      header = cells;
      for (const auto& column : required) {
        if (std::find(header.begin(), header.end(), column) == header.end()) {
          std::string want;
          for (const auto& c : required) want += (want.empty() ? "" : ",") + c;
          throw InputError(path + " line " + std::to_string(number) + ": the header lacks column '" + column +
                           "'; expected " + want);
        }
      }
      for (const auto& column : header) {
        bool known = std::find(required.begin(), required.end(), column) != required.end() ||
                     std::find(optional.begin(), optional.end(), column) != optional.end();
        if (!known) throw InputError(path + " line " + std::to_string(number) + ": unknown column '" + column + "'");
      }
      continue;
    }
    if (cells.size() != header.size()) {
      throw InputError(path + " line " + std::to_string(number) + ": " + std::to_string(cells.size()) +
                       " values for " + std::to_string(header.size()) + " columns");
    }
    CsvRow row{number, {}};
    for (std::size_t i = 0; i < header.size(); ++i) row.cells[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  if (header.empty()) throw InputError(path + ": the file is empty");
  if (rows.empty()) throw InputError(path + ": no data rows after the header");
  return rows;
}

double number_cell(const std::string& path, const CsvRow& row, const std::string& column) {
  const auto& text = row.cells.at(column);
  std::size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(value)) {
    throw InputError(path + " line " + std::to_string(row.line) + ": " + column + " '" + text + "' is not a number");
  }
  return value;
}

int integer_cell(const std::string& path, const CsvRow& row, const std::string& column) {
  double value = number_cell(path, row, column);
  if (value != std::floor(value) || std::abs(value) > 1e9) {
    throw InputError(path + " line " + std::to_string(row.line) + ": " + column + " '" + row.cells.at(column) +
                     "' is not a whole number");
  }
  return static_cast<int>(value);
}

std::string well_cell(const std::string& path, const CsvRow& row, const protocols::JobSpec& spec) {
  auto position = drivers::parse_well(row.cells.at("well"), spec.plate.geometry);
  if (!position) {
    throw InputError(path + " line " + std::to_string(row.line) + ": '" + row.cells.at("well") +
                     "' is not a well of a " + spec.plate.name + " plate");
  }
  auto well = drivers::well_name(*position);
  if (!spec.layout.find(well)) {
    throw InputError(path + " line " + std::to_string(row.line) + ": well " + well + " is not in the layout");
  }
  return well;
}

protocols::JobSpec load_layout(const Options& options) {
  json doc = read_json_file(options.layout);
  json job{{"protocol", "chemotaxis"}, {"instrument", "offline"}};
  if (doc.is_array()) {
    job["plate"] = {{"format", "transwell-24"}};
    job["layout"] = doc;
  } else if (doc.is_object()) {
    job["plate"] = doc.value("plate", json{{"format", "transwell-24"}});
    job["layout"] = doc.value("layout", json());
    if (doc.contains("params")) job["params"] = doc.at("params");
  } else {
    throw InputError(options.layout + ": must be a layout list or an object with \"layout\"");
  }
  if (!options.params.empty()) job["params"] = read_json_file(options.params);
  try {
    return protocols::JobSpec::from_json(job);
  } catch (const protocols::JobSpecError& e) {
    throw InputError(options.layout + ": " + e.what());
  }
}

// `assayctl readings` exports carry the attempt of each reading: a job read again after a restart
// has the same well, channel and cycle once per attempt, and the analysis (as in the daemon) uses
// the latest attempt's value.
std::vector<drivers::Reading> load_reads(const std::string& path, const protocols::JobSpec& spec) {
  std::vector<drivers::Reading> readings;
  std::map<std::string, int> first_line;
  std::map<std::string, std::pair<int, std::size_t>> latest;  // well|channel|cycle -> attempt, index
  for (const auto& row : read_csv(path, {"well", "channel", "cycle", "time_s", "value"}, {"saturated", "attempt"})) {
    const int attempt = row.cells.count("attempt") ? integer_cell(path, row, "attempt") : 1;
    drivers::Reading r;
    r.well = well_cell(path, row, spec);
    r.channel = row.cells.at("channel");
    r.cycle = integer_cell(path, row, "cycle");
    r.time_s = number_cell(path, row, "time_s");
    r.value = number_cell(path, row, "value");
    if (row.cells.count("saturated")) {
      const auto& s = row.cells.at("saturated");
      r.saturated = s == "1" || s == "true" || s == "yes";
    }
    auto key = r.well + "|" + r.channel + "|" + std::to_string(r.cycle);
    if (auto [it, fresh] = first_line.emplace(key + "|" + std::to_string(attempt), row.line); !fresh) {
      throw InputError(path + " line " + std::to_string(row.line) + ": well " + r.well + " " + r.channel +
                       " cycle " + std::to_string(r.cycle) + " repeats line " + std::to_string(it->second) +
                       "; give one value per well, nothing is averaged silently");
    }
    auto [at, fresh] = latest.emplace(key, std::pair{attempt, readings.size()});
    if (fresh) {
      readings.push_back(std::move(r));
    } else if (attempt > at->second.first) {
      readings[at->second.second] = std::move(r);
      at->second.first = attempt;
    }
  }
  return readings;
}

std::vector<chemo::FieldCount> load_counts(const std::string& path, const protocols::JobSpec& spec) {
  std::vector<chemo::FieldCount> fields;
  for (const auto& row : read_csv(path, {"well", "field", "count"}, {"pixel_size_um"})) {
    chemo::FieldCount f;
    f.well = well_cell(path, row, spec);
    f.field = integer_cell(path, row, "field");
    f.count = integer_cell(path, row, "count");
    if (f.count < 0) throw InputError(path + " line " + std::to_string(row.line) + ": count cannot be negative");
    if (row.cells.count("pixel_size_um") && !row.cells.at("pixel_size_um").empty()) {
      f.pixel_size_um = number_cell(path, row, "pixel_size_um");
    }
    fields.push_back(std::move(f));
  }
  return fields;
}

std::string flags_text(const json& flags) {
  std::string out;
  for (const auto& f : flags) out += (out.empty() ? "" : ";") + f.get<std::string>();
  return out;
}

std::string number_text(const json& value, const char* format) {
  if (!value.is_number()) return "";
  char text[48];
  std::snprintf(text, sizeof text, format, value.get<double>());
  return text;
}

void print_csv(const protocols::AssayResult& result) {
  std::cout << "kind,key,n,mean,sd,cv_percent,migration_percent,migration_sd_percent,inhibition_percent,"
               "ic50_nM,ic50_ci_low_nM,ic50_ci_high_nM,hill_slope,chemotactic_index,z_prime,flags\n";
  for (const auto& row : result.rows) {
    const auto& v = row.value;
    if (row.kind == "condition") {
      std::cout << "condition," << row.key << "," << v["n"] << "," << number_text(v["mean"], "%.6g") << ","
                << number_text(v["sd"], "%.6g") << "," << number_text(v["cv_percent"], "%.4g") << ","
                << number_text(v["migration_percent"], "%.4g") << ","
                << number_text(v["migration_sd_percent"], "%.4g") << ","
                << number_text(v["inhibition_percent"], "%.4g") << ",,,,,,," << flags_text(v["flags"]) << "\n";
    } else if (row.kind == "series") {
      json ci = v.value("ic50_ci_nM", json());
      json hill = v.contains("fit") ? v["fit"].value("hill_slope", json()) : json();
      std::cout << "series," << row.key << ",,,,,,,," << number_text(v.value("ic50_nM", json()), "%.6g") << ","
                << (ci.is_array() ? number_text(ci[0], "%.6g") : "") << ","
                << (ci.is_array() ? number_text(ci[1], "%.6g") : "") << "," << number_text(hill, "%.4g")
                << ",,," << flags_text(v["flags"]) << "\n";
    } else if (row.kind == "qc") {
      std::cout << "qc," << row.key << ",,,,,,,,,,,," << number_text(v["chemotactic_index"], "%.4g") << ","
                << number_text(v["z_prime"], "%.4g") << "," << flags_text(v["flags"]) << "\n";
    }
  }
}

void print_text(const protocols::AssayResult& result) {
  const auto& s = result.summary;
  std::printf("Transwell chemotaxis, %s readout; values in %s\n\n", s["readout"].get<std::string>().c_str(),
              s["unit"].get<std::string>().c_str());
  std::printf("%-34s %3s %10s %10s %7s %11s %12s  %s\n", "condition", "n", "mean", "SD", "CV %", "migration %",
              "inhibition %", "flags");
  for (const auto& row : result.rows) {
    if (row.kind != "condition") continue;
    const auto& v = row.value;
    std::printf("%-34s %3d %10s %10s %7s %11s %12s  %s\n", row.key.c_str(), v["n"].get<int>(),
                number_text(v["mean"], "%.4g").c_str(), number_text(v["sd"], "%.3g").c_str(),
                number_text(v["cv_percent"], "%.1f").c_str(), number_text(v["migration_percent"], "%.1f").c_str(),
                number_text(v["inhibition_percent"], "%.1f").c_str(), flags_text(v["flags"]).c_str());
  }
  std::printf("\nchemotactic index %s (flagged below %s), Z' %s, QC %s\n",
              s["chemotactic_index"].is_number() ? number_text(s["chemotactic_index"], "%.2f").c_str() : "undefined",
              number_text(s["params"]["chemotactic_index_min"], "%.3g").c_str(),
              number_text(s["z_prime"], "%.2f").c_str(), s["qc_pass"].get<bool>() ? "pass" : "FAIL");
  for (const auto& [compound, fit] : s["ic50"].items()) {
    if (fit["ic50_nM"].is_number()) {
      std::printf("%s: IC50 %s nM (95 %% CI %s - %s nM), Hill slope %s, bottom %s %%", compound.c_str(),
                  number_text(fit["ic50_nM"], "%.4g").c_str(), number_text(fit["ic50_ci_nM"][0], "%.4g").c_str(),
                  number_text(fit["ic50_ci_nM"][1], "%.4g").c_str(), number_text(fit["hill_slope"], "%.3g").c_str(),
                  number_text(fit["bottom_percent"], "%.1f").c_str());
    } else {
      std::printf("%s: no usable IC50", compound.c_str());
    }
    std::printf("%s%s\n", fit["flags"].empty() ? "" : "; flags: ", flags_text(fit["flags"]).c_str());
  }
  if (!s["flags"].empty()) std::printf("plate flags: %s\n", flags_text(s["flags"]).c_str());
}

void run_analysis(const Options& options) {
  if (options.reads.empty() == options.counts.empty()) {
    throw InputError("give exactly one of --reads (absorbance CSV) or --counts (cells per field CSV)");
  }
  auto spec = load_layout(options);
  auto params = chemo::parse_chemotaxis_params(spec.params);
  // The files decide the readout; a params file saying otherwise is a mistake worth naming.
  auto readout = options.reads.empty() ? chemo::Readout::imaging : chemo::Readout::absorbance;
  if (spec.params.contains("readout") && params.readout != readout) {
    throw InputError(std::string("params.readout is \"") + chemo::to_string(params.readout) + "\" but " +
                     (options.reads.empty() ? "--counts" : "--reads") + " was given");
  }
  params.readout = readout;
  chemo::validate_chemotaxis_layout(spec.layout, spec.plate, params);

  chemo::ChemotaxisAnalysis analysis;
  protocols::AssayResult result;
  if (readout == chemo::Readout::absorbance) {
    auto readings = load_reads(options.reads, spec);
    auto absorbance = chemo::absorbance_inserts(spec.layout, readings, params.absorbance);
    auto unit = "OD" + std::to_string(params.absorbance.wavelength_nm) +
                (absorbance.blank_subtracted ? " (blank-subtracted)" : "");
    analysis = chemo::analyze_chemotaxis(spec.layout, absorbance.inserts, params.analysis, unit);
    result = chemo::chemotaxis_result(spec.layout, params, analysis, &absorbance, {});
  } else {
    auto fields = load_counts(options.counts, spec);
    for (auto& field : fields) chemo::check_pixel_size(field, params.imaging);
    std::map<std::string, std::size_t> per_insert;
    std::size_t expected = 0;
    for (const auto& field : fields) expected = std::max(expected, ++per_insert[field.well]);
    auto inserts = chemo::combine_field_counts(spec.layout, fields, params.imaging, expected);
    auto unit = params.imaging.combine == chemo::FieldCombine::sum
                    ? "cells per insert (sum of " + std::to_string(expected) + " fields)"
                    : "cells per field (mean)";
    analysis = chemo::analyze_chemotaxis(spec.layout, inserts, params.analysis, unit);
    result = chemo::chemotaxis_result(spec.layout, params, analysis, nullptr, fields);
  }
  if (!options.figure.empty()) {
    if (analysis.series.empty()) throw InputError("--figure: the layout has no antagonist series to plot");
    chemo::write_migration_figure(analysis, options.figure);
  }
  if (options.json) {
    json rows = json::array();
    for (const auto& row : result.rows) rows.push_back({{"kind", row.kind}, {"key", row.key}, {"value", row.value}});
    std::cout << json{{"summary", result.summary}, {"rows", rows}}.dump(2) << "\n";
  } else if (options.csv) {
    print_csv(result);
  } else {
    print_text(result);
  }
}

}  // namespace

void add_analyze_chemotaxis(CLI::App& analyze) {
  auto options = std::make_shared<Options>();
  auto* cmd = analyze.add_subcommand("chemotaxis", "transwell chemotaxis: absorbance reads or cell counts per field");
  cmd->add_option("--reads", options->reads,
                  "absorbance CSV: well,channel,cycle,time_s,value[,saturated][,attempt] (`assayctl readings` writes it)");
  cmd->add_option("--counts", options->counts, "stained cells CSV: well,field,count[,pixel_size_um]");
  cmd->add_option("--layout", options->layout, "job JSON, {\"plate\":..,\"layout\":[..]} or a layout list")->required();
  cmd->add_option("--params", options->params, "chemotaxis params JSON (overrides the job's)");
  cmd->add_option("--figure", options->figure, "write the dose-response SVG to this file");
  auto* csv = cmd->add_flag("--csv", options->csv, "print conditions, series and QC as CSV");
  cmd->add_flag("--json", options->json, "print the full result (summary and rows) as JSON")->excludes(csv);
  cmd->callback([options] {
    try {
      run_analysis(*options);
    } catch (const InputError& e) {
      std::cerr << "assayctl analyze chemotaxis: " << e.what() << "\n";
      exit_with(kExitUsage);
    } catch (const protocols::ProtocolError& e) {
      std::cerr << "assayctl analyze chemotaxis: " << e.what() << "\n";
      exit_with(kExitUsage);
    } catch (const std::exception& e) {
      std::cerr << "assayctl analyze chemotaxis: " << e.what() << "\n";
      exit_with(kExitRefused);
    }
  });
}

}  // namespace assay::ctl
