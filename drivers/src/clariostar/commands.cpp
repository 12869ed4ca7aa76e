#include "assay/drivers/clariostar/commands.hpp"

#include <cmath>
#include <string>

namespace assay::drivers::clariostar {

namespace command {
Bytes initialize() { return {0x01, 0x00, 0x00, 0x10, 0x02, 0x00}; }
Bytes drawer_open() { return {0x03, 0x01, 0x00, 0x00, 0x00, 0x00}; }
Bytes drawer_close() { return {0x03, 0x00, 0x00, 0x00, 0x00, 0x00}; }
Bytes status() { return {0x80}; }
Bytes get_data_standard() { return request(0x02); }
Bytes get_data_progressive() { return {0x05, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x00}; }
Bytes request(std::uint8_t sub) { return {0x05, sub, 0x00, 0x00, 0x00, 0x00, 0x00}; }
Bytes eeprom() { return request(0x07); }
Bytes firmware_info() { return request(0x09); }
Bytes temperature_off() { return {0x06, 0x00, 0x00}; }
Bytes temperature_monitor() { return {0x06, 0x00, 0x01}; }
Result<Bytes> temperature_set(double celsius, double max_celsius) {
  if (!(celsius > 0.0) || celsius > max_celsius) {
    return Status{StatusCode::invalid_argument,
                  "CLARIOstar temperature set point " + std::to_string(celsius) +
                      " C is outside 0.1-" + std::to_string(max_celsius) +
                      " C (the reader heats only; it cannot cool)"};
  }
  int tenths = static_cast<int>(std::lround(celsius * 10.0));
  return Bytes{0x06, static_cast<std::uint8_t>(tenths >> 8), static_cast<std::uint8_t>(tenths)};
}
Bytes stop() { return {0x0B, 0x00}; }
Bytes pause() { return {0x0D, 0xFF, 0xFF, 0x00, 0x00}; }
Bytes resume() { return {0x0D, 0x00, 0x00, 0x00, 0x00}; }
Bytes boot() { return {0x0E, 0x0B, 0x12, 0x00, 0x00, 0x04, 0x19}; }
}  // namespace command

namespace {

void put_u16(Bytes& out, int value) {
  out.push_back(static_cast<std::uint8_t>((value >> 8) & 0xFF));
  out.push_back(static_cast<std::uint8_t>(value & 0xFF));
}

int hundredths(double mm) { return static_cast<int>(std::lround(mm * 100.0)); }

Status invalid(const std::string& what) { return {StatusCode::invalid_argument, what}; }

std::uint8_t scan_bits(WellScan mode) {
  switch (mode) {
    case WellScan::point: return 0x00;
    case WellScan::spiral: return 0x04;
    case WellScan::orbital: return 0x30;
  }
  return 0x00;
}

int max_flashes(WellScan mode) {
  switch (mode) {
    case WellScan::point: return 200;
    case WellScan::orbital: return 44;
    case WellScan::spiral: return 127;
  }
  return 200;
}

// Head shared by every RUN: geometry, mask, scan byte, optic byte, 30-byte block, separator
// and (orbital/spiral only) the 5-byte well-scan field.
Result<Bytes> run_head(const RunPlate& plate, const std::vector<WellPosition>& wells,
                       const ScanSettings& scan, std::uint8_t optic, std::uint8_t block_first,
                       std::uint8_t well_scan_kind) {
  auto mask = well_mask(plate, wells);
  if (!mask) return mask.status();
  if (scan.mode != WellScan::point && (scan.scan_diameter_mm < 1 || scan.scan_diameter_mm > 6)) {
    return invalid("scan diameter " + std::to_string(scan.scan_diameter_mm) +
                   " mm is outside 1-6 mm");
  }
  Bytes p;
  p.reserve(200);
  p.push_back(0x04);
  for (double mm : {plate.length_mm, plate.width_mm, plate.a1_x_mm, plate.a1_y_mm, plate.last_x_mm,
                    plate.last_y_mm}) {
    put_u16(p, hundredths(mm));
  }
  p.push_back(static_cast<std::uint8_t>(plate.columns));
  p.push_back(static_cast<std::uint8_t>(plate.rows));
  p.push_back(0x00);
  p.insert(p.end(), mask->begin(), mask->end());
  p.push_back(scan.direction);
  p.push_back(optic);
  p.push_back(block_first);
  p.insert(p.end(), 29, 0x00);
  for (std::uint8_t b : {0x27, 0x0F, 0x27, 0x0F}) p.push_back(b);
  if (scan.mode != WellScan::point) {
    p.push_back(well_scan_kind);
    p.push_back(static_cast<std::uint8_t>(scan.scan_diameter_mm));
    put_u16(p, hundredths(scan.well_diameter_mm));
    p.push_back(0x00);
  }
  return p;
}

std::uint8_t settle_units(double settle_s) {
  long units = static_cast<long>(std::floor(settle_s * 50.0 + 1e-9));
  if (units < 1) units = 1;
  if (units > 255) units = 255;
  return static_cast<std::uint8_t>(units);
}

Status check_flashes(int flashes, WellScan mode) {
  if (flashes < 1 || flashes > max_flashes(mode)) {
    return invalid("flashes per well " + std::to_string(flashes) + " is outside 1-" +
                   std::to_string(max_flashes(mode)) + " for this scan mode");
  }
  return Status::ok();
}

}  // namespace

RunPlate RunPlate::from(const PlateGeometry& g) {
  RunPlate plate;
  plate.length_mm = g.length_mm;
  plate.width_mm = g.width_mm;
  plate.a1_x_mm = g.a1_x_mm;
  plate.a1_y_mm = g.a1_y_mm;
  plate.last_x_mm = g.a1_x_mm + (g.columns - 1) * g.pitch_mm;
  plate.last_y_mm = g.a1_y_mm + (g.rows - 1) * g.pitch_mm;
  plate.columns = g.columns;
  plate.rows = g.rows;
  return plate;
}

Result<std::array<std::uint8_t, 48>> well_mask(const RunPlate& plate,
                                               const std::vector<WellPosition>& wells) {
  std::array<std::uint8_t, 48> mask{};
  if (plate.rows * plate.columns > 384) {
    return invalid("plates with more than 384 wells (" + std::to_string(plate.rows * plate.columns) +
                   ") are not supported: their well-mask encoding is unknown (clariostar.md §5.2)");
  }
  if (wells.empty()) return invalid("no wells selected for the read");
  for (const WellPosition& w : wells) {
    if (w.row < 0 || w.row >= plate.rows || w.column < 0 || w.column >= plate.columns) {
      return invalid("well " + well_name(w) + " lies outside the " + std::to_string(plate.rows) +
                     " x " + std::to_string(plate.columns) + " plate");
    }
    int i = w.row * plate.columns + w.column;
    mask[static_cast<std::size_t>(i / 8)] |= static_cast<std::uint8_t>(0x80 >> (i % 8));
  }
  return mask;
}

Result<Bytes> absorbance_run(const AbsorbanceRun& run) {
  if (Status s = check_flashes(run.flashes, run.scan.mode); !s) return s;
  if (!run.spectrum && (run.wavelengths_nm.empty() || run.wavelengths_nm.size() > 8)) {
    return invalid("an absorbance read takes 1-8 wavelengths, got " +
                   std::to_string(run.wavelengths_nm.size()));
  }
  auto check_nm = [](int nm) { return nm >= 220 && nm <= 1000; };
  for (int nm : run.wavelengths_nm) {
    if (!run.spectrum && !check_nm(nm)) {
      return invalid("absorbance wavelength " + std::to_string(nm) + " nm is outside 220-1000 nm");
    }
  }
  if (run.spectrum) {
    const SpectrumRange& s = *run.spectrum;
    if (!check_nm(s.start_nm) || !check_nm(s.end_nm) || s.end_nm <= s.start_nm || s.step_nm < 1 ||
        (s.end_nm - s.start_nm) % s.step_nm != 0) {
      return invalid("absorbance spectrum " + std::to_string(s.start_nm) + "-" +
                     std::to_string(s.end_nm) + " nm step " + std::to_string(s.step_nm) +
                     " nm is invalid: use 220-1000 nm, end > start, and a step that divides the range");
    }
  }
  std::uint8_t optic = static_cast<std::uint8_t>(0x02 | scan_bits(run.scan.mode));
  auto head = run_head(run.plate, run.wells, run.scan, optic, 0x00, 0x02);
  if (!head) return head;
  Bytes p = std::move(head).value();
  p.push_back(settle_units(run.scan.settle_s));
  if (run.spectrum) {
    p.push_back(0x00);
    put_u16(p, run.spectrum->start_nm * 10);
    put_u16(p, run.spectrum->end_nm * 10);
    put_u16(p, run.spectrum->step_nm * 10);
    for (std::uint8_t b : {0x23, 0x28, 0x26, 0xCA, 0x00, 0x00, 0x00, 0x64, 0x00}) p.push_back(b);
  } else {
    p.push_back(static_cast<std::uint8_t>(run.wavelengths_nm.size()));
    for (int nm : run.wavelengths_nm) put_u16(p, nm * 10);
    for (std::uint8_t b : {0x00, 0x00, 0x00, 0x64, 0x23, 0x28, 0x26, 0xCA, 0x00, 0x00, 0x00, 0x64, 0x00}) {
      p.push_back(b);
    }
  }
  p.insert(p.end(), {0x00, 0x00, 0x00});  // no pause: target cycle, u16 duration
  p.insert(p.end(), {0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00});
  p.push_back(0x01);  // one cycle: endpoint
  put_u16(p, run.flashes);
  put_u16(p, 1);  // cycle time of an endpoint read
  p.push_back(0x00);
  return p;
}

Result<FluorescenceChromatic> FluorescenceChromatic::monochromator(int ex_nm, double ex_bw_nm,
                                                                   int em_nm, double em_bw_nm,
                                                                   int gain) {
  if (gain < 0 || gain > 4095) return invalid("fluorescence gain " + std::to_string(gain) + " is outside 0-4095");
  if (ex_nm < 320 || ex_nm > 850 || em_nm < 320 || em_nm > 850) {
    return invalid("fluorescence Ex " + std::to_string(ex_nm) + " / Em " + std::to_string(em_nm) +
                   " nm lies outside the monochromators' 320-850 nm");
  }
  FluorescenceChromatic c;
  c.gain = gain;
  c.ex_high = static_cast<int>(std::lround((ex_nm + ex_bw_nm / 2.0) * 10.0));
  c.ex_low = static_cast<int>(std::lround((ex_nm - ex_bw_nm / 2.0) * 10.0));
  c.em_high = static_cast<int>(std::lround((em_nm + em_bw_nm / 2.0) * 10.0));
  c.em_low = static_cast<int>(std::lround((em_nm - em_bw_nm / 2.0) * 10.0));
  if (c.em_low <= c.ex_high) {
    return invalid("fluorescence bands overlap: excitation " + std::to_string(ex_nm) + " nm ends at " +
                   std::to_string(c.ex_high / 10.0) + " nm but emission " + std::to_string(em_nm) +
                   " nm starts at " + std::to_string(c.em_low / 10.0) +
                   " nm; move them apart or narrow the bandwidths");
  }
  c.dichroic = (c.ex_high + c.em_low) / 2;
  return c;
}

Result<Bytes> fluorescence_run(const FluorescenceRun& run) {
  if (Status s = check_flashes(run.flashes, run.scan.mode); !s) return s;
  if (run.chromatics.empty() || run.chromatics.size() > 5) {
    return invalid("a fluorescence read takes 1-5 Ex/Em pairs, got " + std::to_string(run.chromatics.size()));
  }
  if (run.focal_height_mm < 0.0 || run.focal_height_mm > 25.0) {
    return invalid("focal height " + std::to_string(run.focal_height_mm) + " mm is outside 0-25 mm");
  }
  std::uint8_t optic = static_cast<std::uint8_t>(scan_bits(run.scan.mode) | (run.bottom_optic ? 0x40 : 0x00));
  auto head = run_head(run.plate, run.wells, run.scan, optic, run.enhanced_dynamic_range ? 0x40 : 0x00, 0x03);
  if (!head) return head;
  Bytes p = std::move(head).value();
  p.push_back(settle_units(run.scan.settle_s));
  put_u16(p, hundredths(run.focal_height_mm));
  p.insert(p.end(), {0x00, 0x00, static_cast<std::uint8_t>(run.chromatics.size()), 0x00, 0x00, 0x00,
                     0x00, 0x00, 0x0C});
  for (std::size_t i = 0; i < run.chromatics.size(); ++i) {
    const FluorescenceChromatic& c = run.chromatics[i];
    if (i > 0) p.insert(p.end(), {0x00, 0x00, 0x0C});
    put_u16(p, c.gain);
    for (int v : {c.ex_high, c.ex_low, c.dichroic, c.em_high, c.em_low}) put_u16(p, v);
    p.insert(p.end(), c.slit.begin(), c.slit.end());
  }
  p.insert(p.end(), {0x00, 0x00, 0x00});
  p.insert(p.end(), {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01});
  put_u16(p, run.flashes);
  p.insert(p.end(), {0x00, 0x01, 0x00});
  return p;
}

}  // namespace assay::drivers::clariostar
