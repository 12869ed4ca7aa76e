// The device side of the CLARIOstar protocol, in memory: a virtual reader that answers the
// frames the real driver writes, so whole jobs run through the real driver code in CI.
//
// It keeps the state the real device shows (busy while initialising, moving the drawer or
// measuring; drawer and plate bits; temperature), acknowledges RUN with a type-0x03 frame, and
// returns absorbance data in the firmware 1.35 layout (raw counts plus calibration, so the
// driver's OD formula is exercised), spectra in pages of at most 65 535-byte frames, and
// fluorescence counts. It reproduces the quirks seen on the real device: no reply to requests
// in the first moments after RUN, status frames in reply to GET_DATA until reading begins,
// and (optionally) replies with bytes missing from the middle. Durations follow the real
// traces, multiplied by `time_scale` (0.01 runs 100 times faster).
//
// Thread-safe: on_write() and the inspectors take an internal lock.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/drivers/clariostar/frame.hpp"
#include "assay/drivers/clock.hpp"
#include "assay/drivers/status.hpp"

namespace assay::drivers::clariostar {

struct VirtualClariostarSettings {
  double time_scale = 0.02;
  std::map<std::string, double> well_od;  // OD at 600 nm per well ("A1"); others get default_od
  double default_od = 0.05;
  std::map<std::string, double> well_rfu;  // fluorescence counts at gain 1000
  double default_rfu = 1000.0;
  bool plate_present = true;
  double startup_gap_s = 1.5;     // no reply to anything this long after RUN (before scaling)
  double preparing_s = 5.0;       // GET_DATA answered by status frames until reading begins
  int drop_bytes_every = 0;       // every Nth reply loses 7 bytes from its middle; 0 = never
  std::string serial = "430-2621";

  static Result<VirtualClariostarSettings> from_json(const nlohmann::json& settings);
};

class VirtualClariostar {
 public:
  // Durations pass on `clock`: the real one, or the ManualClock of a test that also drives the
  // reader and the transport.
  explicit VirtualClariostar(VirtualClariostarSettings settings = {}, Clock& clock = real_clock());

  // Bytes written by the host in, reply bytes out (empty: no reply).
  Bytes on_write(std::span<const std::uint8_t> written);

  // The OD the virtual plate holds in `well` at `wavelength_nm` (what a read should return).
  double true_od(const std::string& well, int wavelength_nm) const;
  double true_rfu(const std::string& well, int gain) const;

  int runs_started() const;
  bool drawer_open() const;
  int replies_corrupted() const;

 private:
  struct Run {
    bool absorbance = true;
    std::vector<std::string> wells;  // row-major
    std::vector<int> wavelengths_nm;
    bool spectrum = false;
    int gain = 1000;
    int chromatics = 1;
    Clock::time_point started;
    Clock::duration gap, preparing, duration;
    int next_page = 1;
    bool stopped = false;
  };
  using clock = Clock;

  Bytes handle(const Bytes& payload);
  Bytes status_payload(std::uint8_t type = 0x01) const;
  Bytes status_frame_for_data() const;
  Bytes start_run(const Bytes& payload);
  Bytes absorbance_data(bool progressive);
  Bytes absorbance_page();
  Bytes fluorescence_data(bool progressive);
  std::vector<std::uint32_t> absorbance_values() const;
  double progress() const;
  bool busy() const;
  clock::duration scaled(double seconds) const;

  VirtualClariostarSettings settings_;
  Clock& clock_;
  mutable std::mutex mutex_;
  FrameAssembler assembler_;
  clock::time_point busy_until_{};
  std::optional<bool> drawer_target_;  // drawer state after the current movement
  bool drawer_open_ = false;
  bool initialized_ = false;
  std::uint16_t temperature_tenths_ = 0;  // 0 = monitoring off
  std::optional<Run> run_;
  int runs_started_ = 0;
  int replies_ = 0;
  int corrupted_ = 0;
};

}  // namespace assay::drivers::clariostar
