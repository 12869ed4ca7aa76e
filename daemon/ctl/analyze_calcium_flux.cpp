// `assayctl analyze calcium_flux`: the calcium-flux analysis offline on exported kinetic reads
// (--reads, CSV well,channel,cycle,time_s,value[,saturated]; extra columns such as attempt are
// ignored) with the plate layout (--layout: a job JSON, {"plate":..,"layout":[..]} or a bare
// layout list with --plate). Parameters come from --params, else the job file's "params". It
// calls the daemon's own validation and analysis (protocols/calcium/offline.hpp), so the numbers
// are the same. Prints a readable summary, --json (summary and rows, as `assayctl results`) or
// --csv (one line per well and per compound). Input errors name the file, line and column and
// exit with kExitUsage.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_set>

#include "assay/protocols/calcium/offline.hpp"
#include "assay/protocols/calcium/protocol.hpp"
#include "assay/protocols/calcium/readings_csv.hpp"
#include "assay/protocols/job_spec.hpp"
#include "commands.hpp"
#include "input_files.hpp"

namespace assay::ctl {
namespace {

namespace calcium = protocols::calcium;
using nlohmann::json;

struct Options {
  std::string reads, layout, params, figures, plate;
  bool csv = false;
  bool json = false;
};

std::string num(const json& v, const char* format = "%.4g") {
  if (!v.is_number()) return "";
  char text[48];
  std::snprintf(text, sizeof text, format, v.get<double>());
  return text;
}

std::string flags_text(const json& flags) {
  std::string out;
  for (const auto& f : flags) out += (out.empty() ? "" : ";") + f.get<std::string>();
  return out;
}

void print_csv(const protocols::AssayResult& result) {
  std::cout << "kind,key,role,compound,conc_nM,f0,response,percent_response,percent_inhibition,"
               "ic50_nM,ic50_ci_low_nM,ic50_ci_high_nM,hill_slope,r2,z_prime,qc_pass,excluded,flags\n";
  for (const auto& row : result.rows) {
    const auto& v = row.value;
    if (row.kind == "well") {
      std::cout << "well," << row.key << ',' << v["role"].get<std::string>() << ','
                << v.value("compound", "") << ',' << num(v["conc_nM"], "%.6g") << ','
                << num(v["f0"], "%.6g") << ',' << num(v["response"], "%.6g") << ','
                << num(v["percent_response"], "%.5g") << ',' << num(v["percent_inhibition"], "%.5g")
                << ",,,,,,,," << (v["excluded"].get<bool>() ? 1 : 0) << ',' << flags_text(v["flags"])
                << '\n';
    } else if (row.kind == "series") {
      std::cout << "series," << row.key << ",," << row.key << ",,,,,," << num(v["ic50"], "%.6g")
                << ',' << num(v["ci95"]["ic50"][0], "%.6g") << ',' << num(v["ci95"]["ic50"][1], "%.6g")
                << ',' << num(v["hill_slope"], "%.4g") << ',' << num(v["r2"], "%.4g") << ",,,,"
                << flags_text(v["flags"]) << '\n';
    } else if (row.kind == "qc") {
      std::cout << "qc," << row.key << ",,,,,,,,,,,,," << num(v["z_prime"], "%.4g") << ','
                << (v["pass"].get<bool>() ? 1 : 0) << ",," << flags_text(v["flags"]) << '\n';
    }
  }
}

void print_text(const protocols::AssayResult& result) {
  const auto& s = result.summary;
  std::printf("Calcium flux (%s, %s, normalised to %s): %d wells, %d cycles, %d flagged, %d excluded\n",
              s["channel"].get<std::string>().c_str(), s["metric"].get<std::string>().c_str(),
              s["normalisation"].get<std::string>().c_str(), s["wells"].get<int>(),
              s["cycles"].get<int>(), s["flagged_wells"].get<int>(), s["excluded_wells"].get<int>());
  if (s["qc"].is_object()) {
    std::printf("Plate QC: Z' %s (threshold %s): %s\n", num(s["qc"]["z_prime"], "%.3f").c_str(),
                num(s["qc"]["threshold"], "%.2g").c_str(), s["qc"]["pass"].get<bool>() ? "pass" : "FAIL");
  }
  for (const auto& [compound, fit] : s["series"].items()) {
    if (fit["ic50_nM"].is_number()) {
      std::printf("%-20s IC50 %s nM (95 %% CI %s - %s), Hill %s, R2 %s", compound.c_str(),
                  num(fit["ic50_nM"]).c_str(), num(fit["ic50_ci95_nM"][0]).c_str(),
                  num(fit["ic50_ci95_nM"][1]).c_str(), num(fit["hill_slope"], "%.3g").c_str(),
                  num(fit["r2"], "%.3f").c_str());
    } else {
      std::printf("%-20s no usable IC50", compound.c_str());
    }
    std::printf("%s%s\n", fit["flags"].empty() ? "" : "; flags: ", flags_text(fit["flags"]).c_str());
  }
  for (const auto& row : result.rows) {
    if (row.kind == "well" && !row.value["flags"].empty()) {
      std::printf("well %-5s %s%s\n", row.key.c_str(), flags_text(row.value["flags"]).c_str(),
                  row.value["excluded"].get<bool>() ? " (excluded)" : "");
    }
  }
  for (const auto& w : s["warnings"]) std::printf("warning: %s\n", w.get<std::string>().c_str());
  for (const auto& f : result.figures) std::printf("figure: %s\n", f.c_str());
}

// A few layout wells without readings are dropped reads, flagged per well by the analysis; most
// of them missing, or readings of wells the layout lacks, mean the files belong to different
// plates (a 384-well layout on a 96-well read), which is said once instead of per well.
void check_reads_match_layout(const std::vector<drivers::Reading>& readings, const calcium::OfflineInput& input,
                              const Options& options) {
  std::unordered_set<std::string_view> names;  // each well's name once, then normalised once
  for (const auto& r : readings) names.insert(r.well);
  std::set<std::string> read_wells;
  for (const auto name : names) {
    auto position = drivers::parse_well(name, input.plate.geometry);
    read_wells.insert(position ? drivers::well_name(*position) : std::string(name));
  }
  const auto layout_wells = calcium::wells_to_read(input.layout, input.plate, input.params);
  std::vector<std::string> unread, unknown;
  for (const auto& well : layout_wells) {
    if (!read_wells.count(well)) unread.push_back(well);
  }
  const std::set<std::string> in_layout(layout_wells.begin(), layout_wells.end());
  for (const auto& well : read_wells) {
    if (!in_layout.count(well)) unknown.push_back(well);
  }
  if (unknown.empty() && unread.size() * 4 <= layout_wells.size()) return;
  auto some = [](const std::vector<std::string>& wells) {
    std::string out;
    for (std::size_t i = 0; i < wells.size() && i < 4; ++i) out += (i ? ", " : "") + wells[i];
    return out + (wells.size() > 4 ? ", ..." : "");
  };
  std::string message = options.reads + " and " + options.layout + " disagree: the readings name " +
                        std::to_string(read_wells.size()) + " wells, the layout (" + input.plate.name +
                        " plate) " + std::to_string(layout_wells.size());
  if (!unread.empty()) message += "; " + std::to_string(unread.size()) + " layout wells have no readings (" + some(unread) + ")";
  if (!unknown.empty()) message += "; " + std::to_string(unknown.size()) + " read wells are not in the layout (" + some(unknown) + ")";
  throw InputError(message + ". Give the layout of the plate that was read.");
}

void run_analysis(const Options& options) {
  auto layout_document = read_json_file(options.layout);
  json params = options.params.empty() ? json(nullptr) : read_json_file(options.params);
  if (params.is_object() && params.contains("params") && params.size() == 1) params = params["params"];
  std::optional<std::string> plate;
  if (!options.plate.empty()) plate = options.plate;
  calcium::OfflineInput input;
  try {
    input = calcium::offline_input(layout_document, params, plate);
  } catch (const protocols::JobSpecError& e) {
    throw InputError(options.layout + ": " + e.what());
  }
  std::vector<drivers::Reading> readings;
  try {
    readings = calcium::read_readings_csv(options.reads);
  } catch (const calcium::ReadingsCsvError& e) {
    throw InputError(e.what());
  }
  check_reads_match_layout(readings, input, options);
  std::optional<std::filesystem::path> figures;
  if (!options.figures.empty()) figures = options.figures;
  auto result = calcium::analyze_offline(readings, input, figures);
  if (options.json) {
    json rows = json::array();
    for (const auto& row : result.rows) {
      rows.push_back({{"kind", row.kind}, {"key", row.key}, {"value", row.value}});
    }
    json figure_list = json::array();
    for (const auto& f : result.figures) figure_list.push_back(f.string());
    std::cout << json{{"summary", result.summary}, {"rows", rows}, {"figures", figure_list}}.dump(2)
              << "\n";
  } else if (options.csv) {
    print_csv(result);
  } else {
    print_text(result);
  }
}

}  // namespace

void add_analyze_calcium_flux(CLI::App& analyze) {
  auto options = std::make_shared<Options>();
  auto* cmd = analyze.add_subcommand(
      "calcium_flux", "calcium flux: per-well responses, % inhibition, IC50 per compound, Z'");
  cmd->add_option("--reads", options->reads, "kinetic reads CSV: well,channel,cycle,time_s,value[,saturated]")
      ->required();
  cmd->add_option("--layout", options->layout,
                  "job JSON, {\"plate\":..,\"layout\":[..]} or a layout list (then --plate)")
      ->required();
  cmd->add_option("--params", options->params, "calcium_flux params JSON (overrides the job's)");
  cmd->add_option("--plate", options->plate, "plate format for a bare layout list: 96, 384, 1536");
  cmd->add_option("--figures", options->figures, "write dose_response.svg and kinetic_traces.svg here");
  auto* csv = cmd->add_flag("--csv", options->csv, "print wells, series and QC as CSV");
  cmd->add_flag("--json", options->json, "print the full result (summary and rows) as JSON")->excludes(csv);
  cmd->callback([options] {
    try {
      run_analysis(*options);
    } catch (const InputError& e) {
      std::cerr << "assayctl analyze calcium_flux: " << e.what() << "\n";
      exit_with(kExitUsage);
    } catch (const protocols::ProtocolError& e) {
      std::cerr << "assayctl analyze calcium_flux: " << e.what() << "\n";
      exit_with(e.code() == "invalid_params" ? kExitUsage : kExitRefused);
    } catch (const std::filesystem::filesystem_error& e) {
      std::cerr << "assayctl analyze calcium_flux: " << e.what() << "\n";
      exit_with(kExitUsage);
    } catch (const std::runtime_error& e) {
      std::cerr << "assayctl analyze calcium_flux: " << e.what() << "\n";
      exit_with(kExitRefused);
    }
  });
}

}  // namespace assay::ctl
