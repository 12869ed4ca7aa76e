// ClariostarReader: absorbance endpoint and spectrum, fluorescence endpoint (clariostar.md §9.2).
#include <algorithm>
#include <cmath>

#include "assay/drivers/clariostar/clariostar_reader.hpp"

namespace assay::drivers::clariostar {

namespace {

double seconds_since(const Clock& clock, Clock::time_point start) {
  return std::chrono::duration<double>(clock.now() - start).count();
}

Status well_count_mismatch(int returned, std::size_t asked) {
  return {StatusCode::protocol_error, "CLARIOstar returned " + std::to_string(returned) + " wells, " +
                                          std::to_string(asked) + " were asked for"};
}

// One page of readings per wavelength (or spectrum point), channel "abs<nm>". A well no light
// reached reports the largest OD the read can resolve, marked saturated.
Status emit_absorbance(const AbsorbanceTable& table, const std::vector<WellPosition>& wells,
                       const std::vector<int>& wavelengths_nm, double time_s, const ReadingSink& sink) {
  for (int k = 0; k < table.wavelengths; ++k) {
    std::vector<Reading> page;
    page.reserve(static_cast<std::size_t>(table.wells));
    for (int w = 0; w < table.wells; ++w) {
      Reading r;
      r.well = well_name(wells[static_cast<std::size_t>(w)]);
      r.channel = "abs" + std::to_string(wavelengths_nm[static_cast<std::size_t>(k)]);
      r.time_s = time_s;
      r.value = table.od(k, w);
      if (!std::isfinite(r.value)) {
        r.saturated = true;
        r.value = std::log10(std::max<double>(1.0, table.cal_hi[static_cast<std::size_t>(k)]));
      }
      page.push_back(r);
    }
    if (Status s = sink(page); !s) return s;
  }
  return Status::ok();
}

}  // namespace

Status ClariostarReader::read_absorbance(const AbsorbancePlan& plan, const ReadingSink& sink,
                                         const ProgressSink& progress, std::stop_token stop) {
  std::lock_guard lock(session_mutex_);
  if (Status s = require_online(); !s) return s;
  auto wells = wells_for(plan.wells);
  if (!wells) return wells.status();
  AbsorbanceRun run;
  run.plate = RunPlate::from(plate_->geometry);
  run.wells = *wells;
  run.wavelengths_nm = plan.wavelengths_nm;
  run.scan = settings_.scan;
  run.flashes = plan.flashes;
  auto payload = absorbance_run(run);
  if (!payload) return payload.status();
  if (Status s = prepare_plate(stop); !s) return s;

  set_state(InstrumentState::busy, "absorbance read");
  const auto start = clock_.now();
  if (progress) progress(0.0, "absorbance: starting the run");
  if (Status s = start_run(*payload, stop); !s) return end_run(s);
  auto data = collect_endpoint_data("absorbance read", progress, stop, true);
  if (!data) return end_run(data.status());
  std::vector<Bytes> pages{std::move(data).value()};
  auto table = decode_absorbance(pages, static_cast<int>(plan.wavelengths_nm.size()));
  if (!table) return end_run(table.status());
  if (table->wells != static_cast<int>(wells->size())) return end_run(well_count_mismatch(table->wells, wells->size()));
  if (Status s = emit_absorbance(*table, *wells, plan.wavelengths_nm, seconds_since(clock_, start), sink); !s) return end_run(s);
  if (progress) progress(1.0, "absorbance read done");
  return end_run(Status::ok());
}

Status ClariostarReader::read_absorbance_spectrum(const AbsorbanceSpectrumPlan& plan, const ReadingSink& sink,
                                                  const ProgressSink& progress, std::stop_token stop) {
  std::lock_guard lock(session_mutex_);
  if (Status s = require_online(); !s) return s;
  auto wells = wells_for(plan.wells);
  if (!wells) return wells.status();
  AbsorbanceRun run;
  run.plate = RunPlate::from(plate_->geometry);
  run.wells = *wells;
  run.spectrum = SpectrumRange{plan.start_nm, plan.end_nm, plan.step_nm};
  run.scan = settings_.scan;
  run.flashes = plan.flashes;
  auto payload = absorbance_run(run);
  if (!payload) return payload.status();
  if (Status s = prepare_plate(stop); !s) return s;

  set_state(InstrumentState::busy, "absorbance spectrum");
  const auto start = clock_.now();
  if (Status s = start_run(*payload, stop); !s) return end_run(s);
  // Spectra give no progressive data: poll STATUS until busy clears (§8.6).
  if (progress) progress(0.05, "spectrum: measuring");
  if (Status s = wait_idle(settings_.measurement_timeout, settings_.poll_interval, stop, "absorbance spectrum"); !s) {
    return end_run(abort_run(s));
  }
  const int n = run.spectrum->points();
  auto pages = download_spectrum(static_cast<std::size_t>(n + 3) * (wells->size() + 2), progress, stop);
  if (!pages) return end_run(pages.status());
  auto table = decode_absorbance(*pages, n);
  if (!table) return end_run(table.status());
  if (table->wells != static_cast<int>(wells->size())) return end_run(well_count_mismatch(table->wells, wells->size()));
  std::vector<int> wavelengths_nm;
  for (int k = 0; k < n; ++k) wavelengths_nm.push_back(plan.start_nm + k * plan.step_nm);
  if (Status s = emit_absorbance(*table, *wells, wavelengths_nm, seconds_since(clock_, start), sink); !s) return end_run(s);
  if (progress) progress(1.0, "spectrum done");
  return end_run(Status::ok());
}

Status ClariostarReader::read_fluorescence(const FluorescenceEndpointPlan& plan, const ReadingSink& sink,
                                           const ProgressSink& progress, std::stop_token stop) {
  std::lock_guard lock(session_mutex_);
  if (Status s = require_online(); !s) return s;
  auto wells = wells_for(plan.wells);
  if (!wells) return wells.status();
  auto chromatic = FluorescenceChromatic::monochromator(
      plan.excitation_nm, settings_.fluorescence_excitation_bw_nm, plan.emission_nm,
      settings_.fluorescence_emission_bw_nm, plan.gain);
  if (!chromatic) return chromatic.status();
  FluorescenceRun run;
  run.plate = RunPlate::from(plate_->geometry);
  run.wells = *wells;
  run.scan = settings_.scan;
  run.focal_height_mm = settings_.focal_height_mm;
  run.chromatics = {*chromatic};
  run.flashes = plan.flashes;
  auto payload = fluorescence_run(run);
  if (!payload) return payload.status();
  if (Status s = prepare_plate(stop); !s) return s;

  set_state(InstrumentState::busy, "fluorescence read");
  const auto start = clock_.now();
  if (Status s = start_run(*payload, stop); !s) return end_run(s);
  auto data = collect_endpoint_data("fluorescence read", progress, stop, false);
  if (!data) return end_run(data.status());
  auto table = decode_fluorescence(*data);
  if (!table) return end_run(table.status());
  if (table->wells != static_cast<int>(wells->size())) {
    return end_run(well_count_mismatch(table->wells, wells->size()));
  }
  const double time_s = seconds_since(clock_, start);
  std::vector<Reading> page;
  for (int w = 0; w < table->wells; ++w) {
    double sum = 0.0;
    bool saturated = false;
    for (int p = 0; p < table->positions; ++p) {
      std::uint32_t c = table->count(0, w, p);
      saturated = saturated || (table->overflow_counts != 0 && c >= table->overflow_counts);
      sum += c;
    }
    Reading r;
    r.well = well_name((*wells)[static_cast<std::size_t>(w)]);
    r.channel = "fl" + std::to_string(plan.excitation_nm) + "-" + std::to_string(plan.emission_nm);
    r.time_s = time_s;
    r.value = sum / table->positions;
    r.saturated = saturated;
    page.push_back(r);
  }
  if (Status s = sink(page); !s) return end_run(s);
  if (progress) progress(1.0, "fluorescence read done");
  return end_run(Status::ok());
}

Status ClariostarReader::read_kinetic_fluorescence(const KineticFluorescencePlan&, const ReadingSink&,
                                                   const ProgressSink&, std::stop_token) {
  // Nothing is sent: a guessed command must never reach a real instrument.
  return {StatusCode::unsupported,
          "CLARIOstar kinetic fluorescence is not supported by this driver: " + std::string(kKineticGap) +
              "; injector commands are not decoded either. A fluorescence endpoint read of 96 wells "
              "takes 91-125 s on the real instrument, far too slow to stand in for 1 s cycles; run "
              "calcium flux on a reader with kinetic support (docs/instruments.md)"};
}

}  // namespace assay::drivers::clariostar
