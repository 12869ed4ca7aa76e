#include "assay/drivers/clariostar/replies.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "assay/drivers/clariostar/commands.hpp"

namespace assay::drivers::clariostar {

namespace {

std::uint16_t u16(std::span<const std::uint8_t> p, std::size_t at) {
  return static_cast<std::uint16_t>(p[at] << 8 | p[at + 1]);
}

std::uint32_t u32(std::span<const std::uint8_t> p, std::size_t at) {
  return static_cast<std::uint32_t>(p[at]) << 24 | static_cast<std::uint32_t>(p[at + 1]) << 16 |
         static_cast<std::uint32_t>(p[at + 2]) << 8 | p[at + 3];
}

std::string hex_byte(std::uint8_t b) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", b);
  return text;
}

Status bad(const std::string& what) { return {StatusCode::protocol_error, what}; }

Status wrong_type(std::uint8_t found, std::uint8_t wanted, const char* what) {
  if (found == reply_type::status) {
    return {StatusCode::busy, std::string("the CLARIOstar answered the ") + what +
                                  " request with a status frame: data are not ready yet"};
  }
  return bad(std::string("expected a ") + what + " reply (type " + hex_byte(wanted) + "), got type " +
             hex_byte(found));
}

std::optional<double> tenths_C(std::uint16_t raw) {
  if (raw == 0) return std::nullopt;
  return raw / 10.0;
}

}  // namespace

std::string DeviceStatus::describe() const {
  std::string text = busy() ? "busy" : "idle";
  if (running()) text += ", running";
  text += drawer_open() ? ", drawer open" : ", drawer closed";
  text += plate_detected() ? ", plate detected" : ", no plate";
  if (reading_wells()) text += ", reading wells";
  return text;
}

Result<DeviceStatus> status_prefix(std::span<const std::uint8_t> payload) {
  if (payload.size() < 5) return bad("reply of " + std::to_string(payload.size()) + " bytes has no status bytes");
  DeviceStatus s;
  s.flags = payload[1];
  s.data_flags = payload[2];
  s.tray = payload[3];
  s.cover = payload[4];
  return s;
}

Result<DeviceStatus> decode_status(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return bad("empty status reply");
  if (payload[0] != reply_type::status) return wrong_type(payload[0], reply_type::status, "status");
  if (payload.size() < 15) return bad("status reply of " + std::to_string(payload.size()) + " bytes, expected 16");
  auto s = status_prefix(payload);
  if (!s) return s;
  s->bottom_C = tenths_C(u16(payload, 11));
  s->top_C = tenths_C(u16(payload, 13));
  return s;
}

Result<AbsorbanceHeader> decode_absorbance_header(std::span<const std::uint8_t> p) {
  if (p.empty()) return bad("empty data reply");
  if (p[0] != reply_type::data) return wrong_type(p[0], reply_type::data, "absorbance data");
  if (p.size() < absorbance_header_bytes) {
    return bad("absorbance data reply of " + std::to_string(p.size()) + " bytes is shorter than its 36-byte header");
  }
  if (p[6] != 0xA9) {
    return bad("data reply schema " + hex_byte(p[6]) + " is not absorbance (0xa9); was a different measurement run?");
  }
  AbsorbanceHeader h;
  h.status = status_prefix(p).value();
  h.schema = p[6];
  h.values = u16(p, 7);
  h.written = u16(p, 9);
  h.wells = u16(p, 20);
  h.cycle = p[28];
  h.page = p[29];
  h.temperature_C = tenths_C(u16(p, 34));
  return h;
}

double AbsorbanceTable::transmission(int k, int w) const {
  double s = sample[static_cast<std::size_t>(k * wells + w)];
  double r = reference[static_cast<std::size_t>(w)];
  double c = cal_hi[static_cast<std::size_t>(k)];
  if (c == 0.0 || r == 0.0) return 0.0;
  return (s / c) * (reference_cal_hi / r);
}

double AbsorbanceTable::od(int k, int w) const {
  double t = transmission(k, w);
  if (!(t > 0.0)) return std::numeric_limits<double>::infinity();
  return -std::log10(t);
}

Result<AbsorbanceTable> decode_absorbance(std::span<const Bytes> pages, int n) {
  if (pages.empty()) return bad("no absorbance data pages");
  if (n < 1) return bad("absorbance decode needs at least one wavelength");
  std::vector<std::uint32_t> values;
  AbsorbanceTable table;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    auto h = decode_absorbance_header(pages[i]);
    if (!h) return h.status();
    if (i == 0) {
      table.wells = h->wells;
      table.temperature_C = h->temperature_C;
    }
    std::size_t data_bytes = pages[i].size() - absorbance_header_bytes;
    if (data_bytes % 4 != 0) {
      return bad("absorbance page " + std::to_string(i + 1) + " has " + std::to_string(data_bytes) +
                 " data bytes, not a whole number of u32 values");
    }
    for (std::size_t at = absorbance_header_bytes; at + 4 <= pages[i].size(); at += 4) {
      values.push_back(u32(pages[i], at));
    }
  }
  const int w = table.wells;
  if (w < 1) return bad("absorbance reply reports 0 wells");
  const std::size_t groups = static_cast<std::size_t>(n + 3);
  const std::size_t expected = groups * static_cast<std::size_t>(w + 2);
  if (values.size() != expected) {
    return bad("absorbance data hold " + std::to_string(values.size()) + " values; " +
               std::to_string(n) + " wavelengths x " + std::to_string(w) + " wells need (n+3)(W+2) = " +
               std::to_string(expected));
  }
  table.wavelengths = n;
  table.sample.assign(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(n) * w);
  const std::size_t ref_at = static_cast<std::size_t>(n + 2) * w;
  table.reference.assign(values.begin() + static_cast<std::ptrdiff_t>(ref_at),
                         values.begin() + static_cast<std::ptrdiff_t>(ref_at + w));
  const std::size_t pairs_at = groups * static_cast<std::size_t>(w);
  for (int k = 0; k < n; ++k) table.cal_hi.push_back(values[pairs_at + 2 * static_cast<std::size_t>(k)]);
  table.reference_cal_hi = values[pairs_at + 2 * static_cast<std::size_t>(n + 2)];
  return table;
}

Result<FluorescenceTable> decode_fluorescence(std::span<const std::uint8_t> p) {
  if (p.empty()) return bad("empty data reply");
  if (p[0] != reply_type::data) return wrong_type(p[0], reply_type::data, "fluorescence data");
  if (p.size() < fluorescence_header_bytes) {
    return bad("fluorescence data reply of " + std::to_string(p.size()) + " bytes is shorter than its 34-byte header");
  }
  if (p[6] != 0xA1) return bad("data reply schema " + hex_byte(p[6]) + " is not fluorescence intensity (0xa1)");
  FluorescenceTable t;
  int values = u16(p, 7);
  int written = u16(p, 9);
  t.overflow_counts = u32(p, 11);
  t.chromatics = u16(p, 16);
  t.wells = u16(p, 18);
  t.positions = u16(p, 21);
  t.temperature_C = tenths_C(u16(p, 32));
  const std::int64_t cells = std::int64_t{t.chromatics} * t.wells * t.positions;  // three u16: no int overflow
  if (t.chromatics < 1 || t.wells < 1 || t.positions < 1 || values != cells) {
    return bad("fluorescence header is inconsistent: " + std::to_string(values) + " values for " +
               std::to_string(t.chromatics) + " chromatics x " + std::to_string(t.wells) + " wells x " +
               std::to_string(t.positions) + " positions");
  }
  if (written < values) {
    return bad("fluorescence data incomplete: " + std::to_string(written) + " of " + std::to_string(values) + " values");
  }
  std::size_t need = fluorescence_header_bytes + 4 * static_cast<std::size_t>(values);
  if (p.size() < need) {
    return bad("fluorescence reply has " + std::to_string(p.size()) + " bytes, its header needs " + std::to_string(need));
  }
  for (int i = 0; i < values; ++i) t.counts.push_back(u32(p, fluorescence_header_bytes + 4 * static_cast<std::size_t>(i)));
  return t;
}

Result<FirmwareInfo> decode_firmware_info(std::span<const std::uint8_t> p) {
  if (p.empty() || p[0] != reply_type::firmware_info) {
    return wrong_type(p.empty() ? 0 : p[0], reply_type::firmware_info, "firmware info");
  }
  if (p.size() < 28) return bad("firmware info reply of " + std::to_string(p.size()) + " bytes, expected 31");
  FirmwareInfo info;
  info.version_x1000 = u16(p, 6);
  char text[16];
  std::snprintf(text, sizeof text, "%d.%02d", info.version_x1000 / 1000, (info.version_x1000 % 1000) / 10);
  info.version = text;
  auto ascii = [&](std::size_t from, std::size_t to) {
    std::string s;
    for (std::size_t i = from; i < to && i < p.size() && p[i] != 0; ++i) s += static_cast<char>(p[i]);
    return s;
  };
  info.build = ascii(8, 20) + " " + ascii(20, 28);
  return info;
}

Result<EepromInfo> decode_eeprom(std::span<const std::uint8_t> p) {
  if (p.empty() || p[0] != reply_type::eeprom) return wrong_type(p.empty() ? 0 : p[0], reply_type::eeprom, "EEPROM");
  if (p.size() < 167) return bad("EEPROM reply of " + std::to_string(p.size()) + " bytes, expected 263");
  auto le16 = [&](std::size_t at) { return static_cast<int>(p[at] | p[at + 1] << 8); };
  EepromInfo info;
  info.has_absorbance = p[11] == 1;
  info.has_fluorescence = p[12] == 1;
  info.has_luminescence = p[13] == 1;
  info.has_alphascreen = p[14] == 1;
  info.serial = std::to_string(le16(161)) + "-" + std::to_string(le16(163));
  info.firmware_x1000 = le16(165);
  return info;
}

}  // namespace assay::drivers::clariostar
