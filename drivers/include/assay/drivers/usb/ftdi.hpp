// FTDI USB-serial protocol details, as pure functions (no I/O): chip type, baud-rate divisor,
// line settings and the removal of the two modem-status bytes that start every bulk-IN packet.
//
// Every bulk-IN packet (one wMaxPacketSize chunk: 64 bytes on full-speed chips, 512 on
// high-speed ones) begins with two modem/line status bytes, and an idle chip still sends those
// two bytes at every latency-timer tick. strip_modem_status() removes them from each chunk, so a
// read that returns only status bytes yields zero data bytes. Stateless; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace assay::drivers::usb {

enum class FtdiChip { am, bm, ft2232c, ft232r, ft2232h, ft4232h, ft232h, ft_x, unknown };

// Chip family from the device descriptor's bcdDevice (FTDI's documented convention).
FtdiChip ftdi_chip_from_bcd(std::uint16_t bcd_device);
const char* to_string(FtdiChip chip);

// wValue/wIndex of SIO_SET_BAUDRATE and the baud rate the chip will actually run at.
struct FtdiBaudSetting {
  std::uint16_t value = 0;
  std::uint16_t index = 0;
  int actual_baud = 0;
};

// `port` is the 1-based FTDI port (A = 1) used in wIndex by multi-port chips.
// nullopt when the rate is out of the chip's range.
std::optional<FtdiBaudSetting> ftdi_baud_setting(int baud, FtdiChip chip, int port = 1);

// Removes the 2 status bytes at the start of each packet_size chunk of one bulk-IN transfer.
std::vector<std::uint8_t> strip_modem_status(std::span<const std::uint8_t> raw,
                                             std::size_t packet_size);

// FTDI vendor requests (bmRequestType 0x40, host to device, vendor, device recipient).
namespace ftdi_request {
inline constexpr std::uint8_t request_type_out = 0x40;
inline constexpr std::uint8_t reset = 0x00;  // value 0 reset, 1 purge RX, 2 purge TX
inline constexpr std::uint8_t set_modem_ctrl = 0x01;
inline constexpr std::uint8_t set_flow_ctrl = 0x02;
inline constexpr std::uint8_t set_baudrate = 0x03;
inline constexpr std::uint8_t set_data = 0x04;  // value: data bits | parity << 8 | stop << 11
inline constexpr std::uint8_t set_latency_timer = 0x09;
inline constexpr std::uint16_t reset_sio = 0;
inline constexpr std::uint16_t purge_rx = 1;
inline constexpr std::uint16_t purge_tx = 2;
}  // namespace ftdi_request

enum class Parity { none = 0, odd = 1, even = 2, mark = 3, space = 4 };

// wValue of SIO_SET_DATA for data bits (7 or 8), parity and stop bits (1 or 2).
std::uint16_t ftdi_line_setting(int data_bits, Parity parity, int stop_bits);

}  // namespace assay::drivers::usb
