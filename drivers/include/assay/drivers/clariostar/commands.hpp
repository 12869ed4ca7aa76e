// CLARIOstar command payloads (clariostar.md §4-§6), without framing (see frame.hpp).
//
// Simple commands are fixed byte strings confirmed by real traffic. The RUN builders encode the
// CLARIOstar Plus firmware 1.35 layout that reproduces the vendor's own captured RUN frames byte
// for byte (absorbance H01-H05, fluorescence FA01-FM01). Builders validate their input and say
// which field is out of range. Pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "assay/drivers/clariostar/frame.hpp"
#include "assay/drivers/plate_geometry.hpp"
#include "assay/drivers/status.hpp"

namespace assay::drivers::clariostar {

namespace command {
Bytes initialize();            // 01 00 00 10 02 00
Bytes drawer_open();           // 03 01 00 00 00 00
Bytes drawer_close();          // 03 00 00 00 00 00
Bytes status();                // 80
Bytes get_data_standard();     // 05 02 00 00 00 00 00: final result / next spectrum page
Bytes get_data_progressive();  // 05 02 FF FF FF FF 00: partial result while measuring
Bytes request(std::uint8_t sub_command);  // 05 ss 00 00 00 00 00
Bytes eeprom();                // 05 07
Bytes firmware_info();         // 05 09
Bytes temperature_off();       // 06 00 00
Bytes temperature_monitor();   // 06 00 01: sensors on, no heating
// Heating set point; the device accepts 0-45 C (65 C with the extended incubator).
Result<Bytes> temperature_set(double celsius, double max_celsius = 45.0);
Bytes stop();                  // 0B 00: ends the run, discards results
Bytes pause();                 // 0D FF FF 00 00
Bytes resume();                // 0D 00 00 00 00
Bytes boot();                  // 0E 0B 12 00 00 04 19, sent by the vendor software after INIT
}  // namespace command

// Reply type byte P[0] (clariostar.md §3.1).
namespace reply_type {
inline constexpr std::uint8_t status = 0x01;
inline constexpr std::uint8_t data = 0x02;
inline constexpr std::uint8_t run_accepted = 0x03;
inline constexpr std::uint8_t eeprom = 0x07;
inline constexpr std::uint8_t firmware_info = 0x0A;
}  // namespace reply_type

// The plate as the RUN command describes it, in millimetres; y is measured from the A-row edge.
struct RunPlate {
  double length_mm = 127.76;
  double width_mm = 85.48;
  double a1_x_mm = 14.38;
  double a1_y_mm = 11.24;
  double last_x_mm = 113.38;  // centre of the last well (H12 on a 96-well plate)
  double last_y_mm = 74.24;
  int columns = 12;
  int rows = 8;
  // Uses the true last-well centre (A1 + (n - 1) x pitch), right for asymmetric plates too.
  static RunPlate from(const PlateGeometry& geometry);
};

enum class WellScan { point, orbital, spiral };

struct ScanSettings {
  WellScan mode = WellScan::point;
  int scan_diameter_mm = 3;         // orbital/spiral only, 1-6
  double well_diameter_mm = 6.58;   // orbital/spiral only
  std::uint8_t direction = 0x0A;    // bidirectional, top-left start, vertical (clariostar.md §5.3)
  double settle_s = 0.1;            // wait after each plate movement, 20 ms units, at least 1 unit
};

// 48-byte well mask, most significant bit first, rows one after another; at most 384 wells.
Result<std::array<std::uint8_t, 48>> well_mask(const RunPlate& plate,
                                               const std::vector<WellPosition>& wells);

struct SpectrumRange {
  int start_nm = 220;
  int end_nm = 1000;
  int step_nm = 1;
  int points() const { return (end_nm - start_nm) / step_nm + 1; }
};

struct AbsorbanceRun {
  RunPlate plate;
  std::vector<WellPosition> wells;
  std::vector<int> wavelengths_nm;        // discrete read: 1-8 wavelengths
  std::optional<SpectrumRange> spectrum;  // set instead for a spectrum
  ScanSettings scan;
  int flashes = 10;
};

Result<Bytes> absorbance_run(const AbsorbanceRun& run);

// One excitation/emission pair; edges in units of 0.1 nm as the device takes them.
struct FluorescenceChromatic {
  int gain = 1000;  // 0-4095
  int ex_high = 0, ex_low = 0, dichroic = 0, em_high = 0, em_low = 0;
  std::array<std::uint8_t, 5> slit{0x00, 0x04, 0x00, 0x03, 0x00};  // both monochromators
  // Monochromator edges at centre +- bandwidth / 2; dichroic halfway between Ex-high and Em-low.
  static Result<FluorescenceChromatic> monochromator(int excitation_nm, double excitation_bw_nm,
                                                     int emission_nm, double emission_bw_nm,
                                                     int gain);
};

struct FluorescenceRun {
  RunPlate plate;
  std::vector<WellPosition> wells;
  ScanSettings scan;
  bool bottom_optic = false;
  bool enhanced_dynamic_range = false;
  double focal_height_mm = 8.5;  // 0-25 mm
  std::vector<FluorescenceChromatic> chromatics;  // 1-5
  int flashes = 10;
};

Result<Bytes> fluorescence_run(const FluorescenceRun& run);

}  // namespace assay::drivers::clariostar
