// Decoding of CLARIOstar reply payloads (clariostar.md §3, §4.1, §8): device status, absorbance
// data (one or more pages) converted to optical density, fluorescence counts and identification.
//
// Every decoder checks the reply type byte P[0] first, because the device answers a data request
// with a status frame while data are not ready. Layout errors name the byte and the value found.
// OD = -log10((sample / cal_hi[k]) x (ref_cal_hi / reference)), which reproduces the vendor
// software's exported OD to its printed precision. Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "assay/drivers/clariostar/frame.hpp"
#include "assay/drivers/status.hpp"

namespace assay::drivers::clariostar {

// Status bytes 1-4, repeated at P[1..4] of every reply, plus the temperatures of a STATUS reply.
struct DeviceStatus {
  std::uint8_t flags = 0, data_flags = 0, tray = 0, cover = 0;  // P[1], P[2], P[3], P[4]
  bool busy() const { return flags & 0x20; }
  bool running() const { return flags & 0x10; }
  bool unread_data() const { return data_flags & 0x01; }
  bool drawer_open() const { return tray & 0x01; }
  bool plate_detected() const { return tray & 0x02; }
  bool reading_wells() const { return tray & 0x08; }
  bool initialized() const { return tray & 0x20; }
  std::optional<double> bottom_C;  // STATUS replies only; empty when monitoring is off
  std::optional<double> top_C;
  std::string describe() const;    // "busy, drawer closed, plate detected"
};

// P[1..4] of any reply (at least 5 payload bytes).
Result<DeviceStatus> status_prefix(std::span<const std::uint8_t> payload);
// A full STATUS reply (type 0x01, 16 bytes) including the heater temperatures.
Result<DeviceStatus> decode_status(std::span<const std::uint8_t> payload);

inline constexpr std::size_t absorbance_header_bytes = 36;
inline constexpr std::size_t fluorescence_header_bytes = 34;

struct AbsorbanceHeader {
  DeviceStatus status;
  std::uint8_t schema = 0;       // 0xA9 in every real absorbance reply
  int values = 0;                // discrete: u32 values expected; spectrum: values in this page
  int written = 0;               // discrete: values written so far
  int wells = 0;
  int cycle = 0;
  int page = 0;                  // spectrum page number, from 1
  std::optional<double> temperature_C;
};

Result<AbsorbanceHeader> decode_absorbance_header(std::span<const std::uint8_t> payload);

// Raw absorbance counts with their calibration, and OD computed from them.
struct AbsorbanceTable {
  int wells = 0;
  int wavelengths = 0;                 // discrete wavelengths or spectrum points
  std::vector<std::uint32_t> sample;   // [wavelength][well]
  std::vector<std::uint32_t> reference;  // [well]
  std::vector<std::uint32_t> cal_hi;   // [wavelength]
  std::uint32_t reference_cal_hi = 0;
  std::optional<double> temperature_C;

  // +infinity when the transmission is zero (no light reached the detector).
  double od(int wavelength_index, int well_index) const;
  double transmission(int wavelength_index, int well_index) const;
};

// Joins the data of every page (each with its own 36-byte header) and splits it into
// (n + 3) groups of W values and (n + 3) calibration pairs. Fails when the total is not
// (n + 3)(W + 2), when a page is not an absorbance data reply, or when data are incomplete.
Result<AbsorbanceTable> decode_absorbance(std::span<const Bytes> page_payloads, int wavelengths);

struct FluorescenceTable {
  int wells = 0;
  int chromatics = 0;
  int positions = 1;                 // matrix scans: positions per well
  std::uint32_t overflow_counts = 0;  // counts at or above this are saturated
  std::optional<double> temperature_C;
  std::vector<std::uint32_t> counts;  // [chromatic][well][position]
  std::uint32_t count(int chromatic, int well, int position = 0) const {
    return counts[static_cast<std::size_t>((chromatic * wells + well) * positions + position)];
  }
};

Result<FluorescenceTable> decode_fluorescence(std::span<const std::uint8_t> payload);

struct FirmwareInfo {
  int version_x1000 = 0;  // 1350 = "1.35"
  std::string version;    // "1.35"
  std::string build;      // "Nov 20 2020 11:51:21"
};
Result<FirmwareInfo> decode_firmware_info(std::span<const std::uint8_t> payload);

struct EepromInfo {
  std::string serial;     // "430-2621", matches the USB serial string
  int firmware_x1000 = 0;
  bool has_absorbance = false, has_fluorescence = false, has_luminescence = false,
       has_alphascreen = false;
};
Result<EepromInfo> decode_eeprom(std::span<const std::uint8_t> payload);

}  // namespace assay::drivers::clariostar
