// ClariostarReader: one measurement's life on the device - which wells, plate and drawer checks
// before RUN, RUN itself, polling progressive data until the run ends, and aborting
// (clariostar.md §8, §9.2).
#include <algorithm>
#include <set>

#include "assay/drivers/clariostar/clariostar_reader.hpp"

namespace assay::drivers::clariostar {

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
  const auto deadline = clock_.now() + settings_.measurement_timeout;
  for (;;) {
    if (stop.stop_requested()) return abort_run({StatusCode::cancelled, what + " cancelled; the run was stopped"});
    if (clock_.now() > deadline) {
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

Result<std::vector<Bytes>> ClariostarReader::download_spectrum(std::size_t total_values, const ProgressSink& progress,
                                                              std::stop_token stop) {
  std::vector<Bytes> pages;
  std::size_t collected = 0;
  while (collected < total_values) {
    if (stop.stop_requested()) return Status{StatusCode::cancelled, "spectrum download cancelled"};
    auto page = exchange(command::get_data_standard(), settings_.data_attempts, stop);
    if (!page) return page.status();
    auto header = decode_absorbance_header(*page);
    if (!header) {
      if (header.status().code() == StatusCode::busy) continue;  // status frame: not ready
      return header.status();
    }
    const int expected_page = static_cast<int>(pages.size()) + 1;
    if (header->page < expected_page) continue;  // a repeat of a page we already hold
    if (header->page > expected_page) {
      return Status{StatusCode::protocol_error,
                    "spectrum page " + std::to_string(expected_page) + " was lost in transit (the "
                    "CLARIOstar moved on to page " + std::to_string(header->page) + "); repeat the read"};
    }
    collected += (page->size() - absorbance_header_bytes) / 4;
    pages.push_back(std::move(page).value());
    if (progress) progress(0.5 + 0.45 * double(collected) / double(total_values),
                           "spectrum: page " + std::to_string(pages.size()) + " received");
  }
  return pages;
}

Status ClariostarReader::end_run(Status outcome) {
  if (state() != InstrumentState::offline) set_state(InstrumentState::online, outcome ? "ready" : outcome.message());
  return outcome;
}

}  // namespace assay::drivers::clariostar
