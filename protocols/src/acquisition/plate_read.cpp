// Protocol "plate_read": a plain absorbance or fluorescence endpoint read of the plate, with
// blank subtraction and per-role means. The building block labs use for any endpoint assay.
//
// Resumable: after an interruption, wells already read by an earlier attempt are not read again.
#include <map>
#include <set>

#include "builtin_protocols.hpp"
#include "assay/protocols/driver_callbacks.hpp"
#include "assay/protocols/params_reader.hpp"
#include "assay/protocols/reading_coverage.hpp"

namespace assay::protocols {
namespace {

using nlohmann::json;

struct PlateReadParams {
  std::string mode = "absorbance";  // absorbance | fluorescence
  std::vector<int> wavelengths_nm{590};
  int excitation_nm = 485;
  int emission_nm = 528;
  int gain = 1000;
  int flashes = 10;
};

PlateReadParams parse_params(const json& params) {
  ParamsReader reader(params, "params");
  reader.only_keys({"mode", "wavelengths_nm", "excitation_nm", "emission_nm", "gain", "flashes"});
  PlateReadParams p;
  p.mode = reader.one_of("mode", {"absorbance", "fluorescence"}, p.mode);
  p.wavelengths_nm = reader.int_list("wavelengths_nm", p.wavelengths_nm, 200, 1000);
  p.excitation_nm = reader.integer("excitation_nm", p.excitation_nm, 250, 900);
  p.emission_nm = reader.integer("emission_nm", p.emission_nm, 250, 900);
  if (p.mode == "fluorescence" && p.emission_nm <= p.excitation_nm) {
    throw ProtocolError("invalid_params", "params.emission_nm must be longer than params.excitation_nm");
  }
  p.gain = reader.integer("gain", p.gain, 0, 4095);
  p.flashes = reader.integer("flashes", p.flashes, 1, 200);
  return p;
}

class PlateRead final : public Protocol {
 public:
  std::string name() const override { return "plate_read"; }
  std::string description() const override {
    return "absorbance or fluorescence endpoint read with blank subtraction";
  }
  drivers::InstrumentKind instrument_kind() const override { return drivers::InstrumentKind::plate_reader; }

  void validate(const JobSpec& job) const override {
    parse_params(job.params);
    if (job.layout.wells().empty()) throw ProtocolError("invalid_params", "layout names no wells to read");
  }

  AssayResult run(const JobSpec& job, RunContext& ctx) const override {
    auto params = parse_params(job.params);
    auto& reader = ctx.require_instrument<drivers::PlateReader>();
    std::vector<drivers::Reading> all = ctx.earlier_readings();
    std::set<std::string> done;
    for (const auto& r : all) done.insert(r.well + "/" + r.channel);
    auto store_page = [&](std::span<const drivers::Reading> page) {
      ctx.store_readings(page);
      all.insert(all.end(), page.begin(), page.end());
    };
    auto report = [&](double fraction, const std::string& message) { ctx.progress(fraction, message); };
    auto channels = channel_names(params);
    // Resumable: read each channel only in the wells an earlier attempt did not read.
    for (std::size_t c = 0; c < channels.size(); ++c) {
      std::vector<std::string> wells;
      for (const auto& well : job.layout.well_names()) {
        if (!done.count(well + "/" + channels[c])) wells.push_back(well);
      }
      if (wells.empty()) {
        ctx.log_info(channels[c] + " was read completely by an earlier attempt");
        continue;
      }
      DriverCallbacks callbacks(ctx.stop());
      auto sink = callbacks.sink(store_page);
      auto progress = callbacks.progress(report);
      drivers::Status status;
      if (params.mode == "absorbance") {
        status = reader.read_absorbance({wells, {params.wavelengths_nm[c]}, params.flashes}, sink,
                                        progress, callbacks.stop());
      } else {
        status = reader.read_fluorescence({wells, params.excitation_nm, params.emission_nm,
                                           params.gain, params.flashes},
                                          sink, progress, callbacks.stop());
      }
      callbacks.check(status, "the " + params.mode + " read (" + channels[c] + ") on " + reader.name());
    }
    // Over all attempts each planned (well, channel) must be present before anything is analysed.
    require_complete(endpoint_plan(job.layout.well_names(), channels), all, "the " + params.mode + " read");
    ctx.progress(1.0, "analysed");
    return analyse(job, all, channels);
  }

 private:
  static std::vector<std::string> channel_names(const PlateReadParams& p) {
    std::vector<std::string> names;
    if (p.mode == "absorbance") {
      for (int wl : p.wavelengths_nm) names.push_back("abs" + std::to_string(wl));
    } else {
      names.push_back("fl" + std::to_string(p.excitation_nm) + "-" + std::to_string(p.emission_nm));
    }
    return names;
  }

  static AssayResult analyse(const JobSpec& job, const std::vector<drivers::Reading>& readings,
                             const std::vector<std::string>& channels) {
    // Latest value per well and channel (a resumed run may hold older attempts' values too).
    std::map<std::pair<std::string, std::string>, double> value;
    for (const auto& r : readings) value[{r.well, r.channel}] = r.value;
    AssayResult result;
    json blanks = json::object();
    for (const auto& channel : channels) {
      double sum = 0.0;
      int n = 0;
      for (const auto* well : job.layout.with_role(kRoleBlank)) {
        auto it = value.find({well->well, channel});
        if (it != value.end()) {
          sum += it->second;
          ++n;
        }
      }
      blanks[channel] = n ? sum / n : 0.0;
    }
    std::map<std::string, std::map<std::string, std::pair<double, int>>> by_role;
    for (const auto& well : job.layout.wells()) {
      json row{{"role", well.role}, {"compound", well.compound}, {"conc_nM", well.conc_nM}};
      for (const auto& channel : channels) {
        auto it = value.find({well.well, channel});
        if (it == value.end()) {
          row[channel] = nullptr;
          continue;
        }
        double corrected = it->second - blanks[channel].get<double>();
        row[channel] = it->second;
        row[channel + "_blanked"] = corrected;
        auto& [sum, n] = by_role[well.role][channel];
        sum += corrected;
        ++n;
      }
      result.rows.push_back({"well", well.well, std::move(row)});
    }
    json means = json::object();
    for (const auto& [role, per_channel] : by_role) {
      for (const auto& [channel, acc] : per_channel) means[role][channel] = acc.first / acc.second;
    }
    result.summary = {{"protocol", "plate_read"},
                      {"wells", job.layout.wells().size()},
                      {"channels", channels},
                      {"blank_mean", blanks},
                      {"mean_blanked_by_role", means}};
    return result;
  }
};

}  // namespace

void register_plate_read(ProtocolRegistry& registry) { registry.add(std::make_shared<PlateRead>()); }

}  // namespace assay::protocols
