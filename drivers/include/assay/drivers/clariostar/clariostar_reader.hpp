// BMG LABTECH CLARIOstar / CLARIOstar Plus plate reader driver (PlateReader).
//
// Speaks the serial protocol of clariostar.md through any Transport: the FTDI/libusb transport
// for the real device, a scripted transport with the virtual device in tests. Implements
// absorbance endpoint (1-8 wavelengths), absorbance spectrum (paged), fluorescence intensity
// endpoint (monochromators), temperature, drawer and status. Kinetic fluorescence is refused
// with StatusCode::unsupported: how per-cycle data are retrieved is not known (§5.8, §12).
//
// Threading: one worker calls the read methods; state() and describe() are safe from any thread.
// on_device_arrived()/on_device_left() may be called from a hotplug thread; they take the
// session lock (arrive) or only flip atomics (leave), so a job in progress sees the disconnect
// on its next transfer. Every failure returns a Status; a vanished device gives
// StatusCode::disconnected within the transport's poll slice (well under 2 s).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "assay/drivers/clariostar/commands.hpp"
#include "assay/drivers/clariostar/link.hpp"
#include "assay/drivers/clariostar/replies.hpp"
#include "assay/drivers/clock.hpp"
#include "assay/drivers/plate_reader.hpp"
#include "assay/drivers/state_reporter.hpp"
#include "assay/drivers/transport.hpp"

namespace assay::drivers::clariostar {

// Why kinetic fluorescence is refused, from what the real traffic shows (clariostar.md §5.8,
// §12): describe() reports it and read_kinetic_fluorescence() returns it, sending nothing.
inline constexpr const char* kKineticGap =
    "how each cycle's data are retrieved is not established: the only real kinetic traffic is one "
    "absorbance run (3 cycles x 60 s, 8 wells) whose one GET_DATA after the end returned a single "
    "cycle's values, and no kinetic fluorescence run was ever captured (clariostar.md 5.8, 12)";

struct ClariostarSettings {
  std::string serial;                                // USB serial, e.g. "430-2621"; empty = any
  std::chrono::milliseconds reply_timeout{1000};     // per reply frame (plus wire time)
  int status_attempts = 5;
  int data_attempts = 3;
  int command_attempts = 3;
  std::chrono::milliseconds poll_interval{250};      // while measuring
  std::chrono::milliseconds action_poll_interval{100};  // init, drawer
  std::chrono::seconds action_timeout{120};          // init, drawer
  std::chrono::seconds measurement_timeout{7200};
  bool close_drawer_before_read = true;
  ScanSettings scan;                                 // scan mode, settle time, direction
  double fluorescence_excitation_bw_nm = 15.0;
  double fluorescence_emission_bw_nm = 20.0;
  double focal_height_mm = 8.5;

  // Reads the [instrument.settings] table; names the key at fault.
  static Result<ClariostarSettings> from_json(const nlohmann::json& settings);
};

using TransportOpener = std::function<Result<std::unique_ptr<Transport>>()>;

class ClariostarReader final : public PlateReader {
 public:
  // Timeouts, polls and pauses run on `clock`: the real one with a device, the clock of the
  // scripted transport and virtual device in tests.
  ClariostarReader(std::string name, ClariostarSettings settings, TransportOpener opener,
                   std::string connection_label, Clock& clock = real_clock());
  ~ClariostarReader() override;

  const std::string& name() const override { return name_; }
  InstrumentState state() const override { return reporter_.state(); }
  nlohmann::json describe() const override;
  Status connect() override;
  void disconnect() override;
  Status load_plate(const LoadedPlate& plate) override;
  void set_state_listener(StateListener listener) override;

  Status read_absorbance(const AbsorbancePlan& plan, const ReadingSink& sink,
                         const ProgressSink& progress, std::stop_token stop) override;
  Status read_absorbance_spectrum(const AbsorbanceSpectrumPlan& plan, const ReadingSink& sink,
                                  const ProgressSink& progress, std::stop_token stop) override;
  Status read_fluorescence(const FluorescenceEndpointPlan& plan, const ReadingSink& sink,
                           const ProgressSink& progress, std::stop_token stop) override;
  Status read_kinetic_fluorescence(const KineticFluorescencePlan& plan, const ReadingSink& sink,
                                   const ProgressSink& progress, std::stop_token stop) override;
  Result<double> temperature_C() override;
  double min_kinetic_interval_s(int well_count) const override;

  // Beyond the PlateReader interface.
  Status open_drawer(std::stop_token stop = {});
  Status close_drawer(std::stop_token stop = {});
  Result<DeviceStatus> query_status();
  // Heats to `celsius`, or switches heating off (sensors stay on) with nullopt.
  Status set_temperature(std::optional<double> celsius);
  const LinkCounters* link_counters() const { return link_ ? &link_->counters() : nullptr; }

  // Hotplug hooks (see the threading note above).
  void on_device_arrived();
  void on_device_left(const std::string& why);
  // Keeps an object (e.g. the hotplug monitor) alive for the reader's lifetime; destroyed first.
  void keep_alive(std::shared_ptr<void> watcher) { watcher_ = std::move(watcher); }

 private:
  Status connect_locked();
  void close_locked();
  void set_state(InstrumentState state, const std::string& detail) { reporter_.set(state, detail); }
  Status fail(Status status);  // turns disconnects into the offline state
  Status require_online() const;
  Result<Bytes> exchange(const Bytes& payload, int attempts, std::stop_token stop = {});
  Result<DeviceStatus> status_locked(std::stop_token stop = {});
  Status wait_idle(std::chrono::seconds timeout, std::chrono::milliseconds poll, std::stop_token stop,
                   const std::string& what);
  Status action(const Bytes& payload, const std::string& what, std::stop_token stop);
  Status prepare_plate(std::stop_token stop);
  Result<std::vector<WellPosition>> wells_for(const std::vector<std::string>& wells) const;
  Status start_run(const Bytes& run_payload, std::stop_token stop);
  Result<Bytes> collect_endpoint_data(const std::string& what, const ProgressSink& progress,
                                      std::stop_token stop, bool absorbance);
  Status abort_run(Status why);
  // Pages of a spectrum until `total_values` counts are held; a lost page is an error.
  Result<std::vector<Bytes>> download_spectrum(std::size_t total_values, const ProgressSink& progress,
                                               std::stop_token stop);
  // Back to online (unless the device went offline) with the outcome as the state detail.
  Status end_run(Status outcome);
  bool sleep_for(std::chrono::milliseconds duration, std::stop_token stop);

  const std::string name_;
  ClariostarSettings settings_;
  TransportOpener opener_;
  std::string connection_label_;
  Clock& clock_;
  StateReporter reporter_;
  std::atomic<bool> device_left_{false};

  mutable std::mutex session_mutex_;  // transport, link, plate, identification
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<Link> link_;
  std::optional<LoadedPlate> plate_;

  mutable std::mutex info_mutex_;  // describe() data
  std::string firmware_;
  std::string device_serial_;
  std::string capabilities_;
  std::optional<double> target_C_;

  std::shared_ptr<void> watcher_;  // declared last: stopped before anything else is destroyed
};

}  // namespace assay::drivers::clariostar
