#include "assay/drivers/usb/ftdi.hpp"

#include <cmath>
#include <cstdlib>

namespace assay::drivers::usb {

FtdiChip ftdi_chip_from_bcd(std::uint16_t bcd) {
  switch (bcd & 0xFF00) {
    case 0x0200: return FtdiChip::am;
    case 0x0400: return FtdiChip::bm;
    case 0x0500: return FtdiChip::ft2232c;
    case 0x0600: return FtdiChip::ft232r;
    case 0x0700: return FtdiChip::ft2232h;
    case 0x0800: return FtdiChip::ft4232h;
    case 0x0900: return FtdiChip::ft232h;
    case 0x1000: return FtdiChip::ft_x;
    default: return FtdiChip::unknown;
  }
}

const char* to_string(FtdiChip chip) {
  switch (chip) {
    case FtdiChip::am: return "FT8U232AM";
    case FtdiChip::bm: return "FT232BM";
    case FtdiChip::ft2232c: return "FT2232C";
    case FtdiChip::ft232r: return "FT232R";
    case FtdiChip::ft2232h: return "FT2232H";
    case FtdiChip::ft4232h: return "FT4232H";
    case FtdiChip::ft232h: return "FT232H";
    case FtdiChip::ft_x: return "FT-X";
    case FtdiChip::unknown: return "unknown FTDI chip";
  }
  return "unknown FTDI chip";
}

namespace {

bool is_h_type(FtdiChip chip) {
  return chip == FtdiChip::ft2232h || chip == FtdiChip::ft4232h || chip == FtdiChip::ft232h;
}

// Divisor in eighths of the base clock, encoded as FTDI's 14-bit integer plus a 3-bit
// fraction code (eighths 0..7 map to codes 0,3,2,4,1,5,6,7).
std::uint32_t encode_divisor(int divisor_eighths) {
  static constexpr std::uint32_t fraction_code[8] = {0, 3, 2, 4, 1, 5, 6, 7};
  std::uint32_t integer = static_cast<std::uint32_t>(divisor_eighths) >> 3;
  std::uint32_t code = fraction_code[divisor_eighths & 7];
  // Special cases of the encoding: divisor 1 means 1.0 and 1.5 is coded as integer 1 code 0.
  if (divisor_eighths == 8) return 0;
  if (divisor_eighths == 12) return 1;
  return integer | (code << 14);
}

}  // namespace

std::optional<FtdiBaudSetting> ftdi_baud_setting(int baud, FtdiChip chip, int port) {
  if (baud <= 0) return std::nullopt;
  // H-type chips run a 120 MHz clock divided by 10 for rates above ~7.3 kBd; the others (and
  // H chips below that) use 48 MHz / 16 = 3 MHz as the base of the divisor.
  bool use_h_clock = is_h_type(chip) && static_cast<long>(baud) * 10 > 120'000'000L / 0x3FFF;
  double base_hz = use_h_clock ? 12'000'000.0 : 3'000'000.0;
  int divisor_eighths = static_cast<int>(std::lround(base_hz * 8.0 / baud));
  if (chip == FtdiChip::am) divisor_eighths &= ~1;  // AM chips cannot do odd eighths
  if (divisor_eighths < 8) divisor_eighths = 8;
  if (divisor_eighths > 0x3FFF * 8 + 7) return std::nullopt;
  // Divisors between 1 and 2 are not allowed except 1.5 on BM and later.
  if (divisor_eighths > 8 && divisor_eighths < 16 && divisor_eighths != 12) divisor_eighths = 16;
  std::uint32_t encoded = encode_divisor(divisor_eighths);
  if (use_h_clock) encoded |= 0x20000;
  int actual = static_cast<int>(std::lround(base_hz * 8.0 / divisor_eighths));
  if (std::abs(actual - baud) * 100 > baud * 3) return std::nullopt;  // > 3 % off: unusable

  FtdiBaudSetting setting;
  setting.value = static_cast<std::uint16_t>(encoded & 0xFFFF);
  std::uint16_t high = static_cast<std::uint16_t>(encoded >> 16);
  bool multi_index = is_h_type(chip) || chip == FtdiChip::ft2232c;
  setting.index = multi_index ? static_cast<std::uint16_t>((high << 8) | (port & 0xFF)) : high;
  setting.actual_baud = actual;
  return setting;
}

std::vector<std::uint8_t> strip_modem_status(std::span<const std::uint8_t> raw,
                                             std::size_t packet_size) {
  std::vector<std::uint8_t> data;
  if (packet_size <= 2) return data;
  data.reserve(raw.size());
  for (std::size_t start = 0; start < raw.size(); start += packet_size) {
    std::size_t end = std::min(raw.size(), start + packet_size);
    if (end - start <= 2) continue;
    data.insert(data.end(), raw.begin() + static_cast<std::ptrdiff_t>(start + 2),
                raw.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return data;
}

std::uint16_t ftdi_line_setting(int data_bits, Parity parity, int stop_bits) {
  std::uint16_t value = static_cast<std::uint16_t>(data_bits & 0xFF);
  value |= static_cast<std::uint16_t>(static_cast<int>(parity) << 8);
  value |= static_cast<std::uint16_t>((stop_bits == 2 ? 2 : 0) << 11);
  return value;
}

}  // namespace assay::drivers::usb
