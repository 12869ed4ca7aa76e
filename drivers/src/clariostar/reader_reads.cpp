// ClariostarReader: absorbance endpoint and spectrum, fluorescence endpoint (clariostar.md §9.2).
#include <cmath>
#include <algorithm>
#include <set>

#include "assay/drivers/clariostar/clariostar_reader.hpp"

namespace assay::drivers::clariostar {

using std::chrono::milliseconds;
using clock = std::chrono::steady_clock;

namespace {

double seconds_since(clock::time_point start) {
  return std::chrono::duration<double>(clock::now() - start).count();
}

}  // namespace

Result<std::vector<WellPosition>> ClariostarReader::wells_for(const std::vector<std::string>& names) const {
  if (!plate_) {
    return Status{StatusCode::invalid_argument,
                  "no plate loaded on CLARIOstar '" + name_ + "': call load_plate first"};
  }
  const PlateGeometry& g = plate_->geometry;
  std::vector<WellPosition> wells;
  std::set<int> seen;
  if (names.empty()) {
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.columns; ++c) wells.push_back({r, c});
    return wells;
  }
  for (const std::string& n : names) {
    auto w = parse_well(n, g);
    if (!w) {
      return Status{StatusCode::invalid_argument,
                    "well '" + n + "' is not on the loaded " + std::to_string(g.rows) + " x " +
                        std::to_string(g.columns) + " plate"};
    }
    if (seen.insert(w->row * g.columns + w->column).second) wells.push_back(*w);
  }
  // The device reports selected wells in row-major order whatever the request order.
  std::sort(wells.begin(), wells.end(), [](const WellPosition& a, const WellPosition& b) {
    return a.row != b.row ? a.row < b.row : a.column < b.column;
  });
  return wells;
}

Status ClariostarReader::prepare_plate(std::stop_token stop) {
  auto status = status_locked(stop);
  if (!status) return status.status();
  if (status->busy()) {
    if (Status s = wait_idle(settings_.action_timeout, settings_.action_poll_interval, stop, "a previous action"); !s) return s;
    status = status_locked(stop);
    if (!status) return status.status();
  }
  if (status->drawer_open()) {
    if (!settings_.close_drawer_before_read) {
      return {StatusCode::device_error, "the CLARIOstar drawer is open; close it (or set "
                                        "close_drawer_before_read = true)"};
    }
    if (Status s = action(command::drawer_close(), "drawer close", stop); !s) return s;
    status = status_locked(stop);
    if (!status) return status.status();
  }
  if (!status->plate_detected()) {
    return {StatusCode::device_error,
            "no plate detected in the CLARIOstar (" + status->describe() + "); put the plate in the drawer"};
  }
  return Status::ok();
}

Status ClariostarReader::start_run(const Bytes& run_payload, std::stop_token stop) {
  // RUN is not repeated blindly: a lost acknowledgement is resolved by asking the status.
  auto reply = exchange(run_payload, 1, stop);
  if (reply && !reply->empty() && (*reply)[0] == reply_type::run_accepted) return Status::ok();
  if (!reply && reply.status().code() == StatusCode::disconnected) return reply.status();
  auto status = status_locked(stop);
  if (status && status->busy() && status->running()) return Status::ok();
  std::string seen = reply ? "a reply of type " + to_hex(Bytes(reply->begin(), reply->begin() + 1))
                           : reply.status().message();
  return {StatusCode::device_error,
          "the CLARIOstar did not accept the measurement (RUN answered with " + seen +
              "); check the plate definition and the settings"};
}

Status ClariostarReader::abort_run(Status why) {
  if (why.code() != StatusCode::disconnected && link_) {
    (void)link_->exchange(command::stop(), 2);  // discards the run on the device
  }
  return why;
}

Result<Bytes> ClariostarReader::collect_endpoint_data(const std::string& what, const ProgressSink& progress,
                                                      std::stop_token stop, bool absorbance) {
  const auto deadline = clock::now() + settings_.measurement_timeout;
  for (;;) {
    if (stop.stop_requested()) return abort_run({StatusCode::cancelled, what + " cancelled; the run was stopped"});
    if (clock::now() > deadline) {
      return abort_run({StatusCode::timeout, what + " did not finish within " +
                                                 std::to_string(settings_.measurement_timeout.count()) + " s"});
    }
    // Progressive data: a status frame or no reply means "not yet" (start-up gap, §9.2).
    auto data = exchange(command::get_data_progressive(), 1, stop);
    if (!data && data.status().code() == StatusCode::disconnected) return data.status();
    if (data && !data->empty() && (*data)[0] == reply_type::data && data->size() >= 11) {
      int values = (*data)[7] << 8 | (*data)[8];
      int written = (*data)[9] << 8 | (*data)[10];
      if (values > 0) {
        if (progress) progress(0.1 + 0.85 * std::min(1.0, double(written) / values), what + ": " +
                                   std::to_string(written) + " of " + std::to_string(values) + " values");
        if (written >= values) {
          bool decodes = absorbance ? bool(decode_absorbance_header(*data)) : bool(decode_fluorescence(*data));
          if (decodes) return data;
        }
      }
    }
    auto status = exchange(command::status(), 1, stop);
    if (!status && status.status().code() == StatusCode::disconnected) return status.status();
    if (status && !status->empty() && (*status)[0] == reply_type::status) {
      auto s = decode_status(*status);
      if (s && !s->busy()) break;
    }
    if (!sleep_for(settings_.poll_interval, stop)) continue;  // loop top handles the stop
  }
  // Busy cleared: fetch the final result (a status frame means "not yet": ask again).
  for (int attempt = 0; attempt < settings_.data_attempts * 2; ++attempt) {
    auto data = exchange(command::get_data_standard(), settings_.data_attempts, stop);
    if (!data) return data.status();
    if (!data->empty() && (*data)[0] == reply_type::data) return data;
    if (!sleep_for(settings_.poll_interval, stop)) return Status{StatusCode::cancelled, what + " cancelled"};
  }
  return Status{StatusCode::protocol_error, what + ": the CLARIOstar finished but sent no data reply"};
}

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
  const auto start = clock::now();
  if (progress) progress(0.0, "absorbance: starting the run");
  if (Status s = start_run(*payload, stop); !s) {
    set_state(state_ == InstrumentState::offline ? InstrumentState::offline : InstrumentState::online, s.message());
    return s;
  }
  auto data = collect_endpoint_data("absorbance read", progress, stop, true);
  auto finish = [&](Status s) {
    if (state_ != InstrumentState::offline) set_state(InstrumentState::online, s ? "ready" : s.message());
    return s;
  };
  if (!data) return finish(data.status());
  const int n = static_cast<int>(plan.wavelengths_nm.size());
  std::vector<Bytes> pages{*data};
  auto table = decode_absorbance(pages, n);
  if (!table) return finish(table.status());
  if (table->wells != static_cast<int>(wells->size())) {
    return finish({StatusCode::protocol_error, "CLARIOstar returned " + std::to_string(table->wells) +
                                                   " wells, " + std::to_string(wells->size()) + " were asked for"});
  }
  const double time_s = seconds_since(start);
  for (int k = 0; k < n; ++k) {
    std::vector<Reading> page;
    for (int w = 0; w < table->wells; ++w) {
      Reading r;
      r.well = well_name((*wells)[static_cast<std::size_t>(w)]);
      r.channel = "abs" + std::to_string(plan.wavelengths_nm[static_cast<std::size_t>(k)]);
      r.time_s = time_s;
      r.value = table->od(k, w);
      if (!std::isfinite(r.value)) {
        // No light reached the detector: report the largest OD this read can resolve.
        r.saturated = true;
        r.value = std::log10(std::max<double>(1.0, table->cal_hi[static_cast<std::size_t>(k)]));
      }
      page.push_back(r);
    }
    if (Status s = sink(page); !s) return finish(s);
  }
  if (progress) progress(1.0, "absorbance read done");
  return finish(Status::ok());
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
  auto finish = [&](Status s) {
    if (state_ != InstrumentState::offline) set_state(InstrumentState::online, s ? "ready" : s.message());
    return s;
  };
  const auto start = clock::now();
  if (Status s = start_run(*payload, stop); !s) return finish(s);
  // Spectra give no progressive data: poll STATUS until busy clears (§8.6).
  if (progress) progress(0.05, "spectrum: measuring");
  if (Status s = wait_idle(settings_.measurement_timeout, settings_.poll_interval, stop, "absorbance spectrum"); !s) {
    return finish(abort_run(s));
  }
  const int n = run.spectrum->points();
  const std::size_t total = static_cast<std::size_t>(n + 3) * (wells->size() + 2);
  std::vector<Bytes> pages;
  std::size_t collected = 0;
  while (collected < total) {
    if (stop.stop_requested()) return finish({StatusCode::cancelled, "spectrum download cancelled"});
    auto page = exchange(command::get_data_standard(), settings_.data_attempts, stop);
    if (!page) return finish(page.status());
    auto header = decode_absorbance_header(*page);
    if (!header) {
      if (header.status().code() == StatusCode::busy) continue;  // status frame: not ready
      return finish(header.status());
    }
    const int expected_page = static_cast<int>(pages.size()) + 1;
    if (header->page < expected_page) continue;  // a repeat of a page we already hold
    if (header->page > expected_page) {
      return finish({StatusCode::protocol_error,
                     "spectrum page " + std::to_string(expected_page) + " was lost in transit (the "
                     "CLARIOstar moved on to page " + std::to_string(header->page) + "); repeat the read"});
    }
    collected += (page->size() - absorbance_header_bytes) / 4;
    pages.push_back(std::move(page).value());
    if (progress) progress(0.5 + 0.45 * double(collected) / double(total),
                           "spectrum: page " + std::to_string(pages.size()) + " received");
  }
  auto table = decode_absorbance(pages, n);
  if (!table) return finish(table.status());
  const double time_s = seconds_since(start);
  for (int k = 0; k < n; ++k) {
    std::vector<Reading> page;
    const int nm = plan.start_nm + k * plan.step_nm;
    for (int w = 0; w < table->wells; ++w) {
      Reading r;
      r.well = well_name((*wells)[static_cast<std::size_t>(w)]);
      r.channel = "abs" + std::to_string(nm);
      r.time_s = time_s;
      r.value = table->od(k, w);
      if (!std::isfinite(r.value)) {
        r.saturated = true;
        r.value = std::log10(std::max<double>(1.0, table->cal_hi[static_cast<std::size_t>(k)]));
      }
      page.push_back(r);
    }
    if (Status s = sink(page); !s) return finish(s);
  }
  if (progress) progress(1.0, "spectrum done");
  return finish(Status::ok());
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
  auto finish = [&](Status s) {
    if (state_ != InstrumentState::offline) set_state(InstrumentState::online, s ? "ready" : s.message());
    return s;
  };
  const auto start = clock::now();
  if (Status s = start_run(*payload, stop); !s) return finish(s);
  auto data = collect_endpoint_data("fluorescence read", progress, stop, false);
  if (!data) return finish(data.status());
  auto table = decode_fluorescence(*data);
  if (!table) return finish(table.status());
  if (table->wells != static_cast<int>(wells->size())) {
    return finish({StatusCode::protocol_error, "CLARIOstar returned " + std::to_string(table->wells) +
                                                   " wells, " + std::to_string(wells->size()) + " were asked for"});
  }
  const double time_s = seconds_since(start);
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
  if (Status s = sink(page); !s) return finish(s);
  if (progress) progress(1.0, "fluorescence read done");
  return finish(Status::ok());
}

Status ClariostarReader::read_kinetic_fluorescence(const KineticFluorescencePlan&, const ReadingSink&,
                                                   const ProgressSink&, std::stop_token) {
  return {StatusCode::unsupported,
          "CLARIOstar kinetic reads are not supported by this driver: the RUN encoding is known but "
          "how each cycle's data are retrieved is not (clariostar.md §5.8, §12), and injector "
          "commands are not decoded; use repeated endpoint reads or a reader with kinetic support"};
}

}  // namespace assay::drivers::clariostar
