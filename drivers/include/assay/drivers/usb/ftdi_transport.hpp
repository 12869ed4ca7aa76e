// A Transport over an FTDI USB-serial chip, written directly on libusb (no libftdi needed).
//
// open() claims the device, resets the SIO, sets the baud rate (divisor chosen for the chip type
// read from bcdDevice), the line format (8N1 by default), no flow control and the latency timer,
// then purges both buffers. read() strips the two modem-status bytes from every wMaxPacketSize
// chunk of each bulk-IN transfer and buffers any bytes beyond max_bytes for the next call.
// Reads are issued in slices of at most `poll_slice`, so an unplugged device is reported as
// StatusCode::disconnected within that slice (libusb reports LIBUSB_ERROR_NO_DEVICE at once).
// One thread at a time, as every Transport.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>

#include "assay/drivers/transport.hpp"
#include "assay/drivers/usb/ftdi.hpp"
#include "assay/drivers/usb/usb_device.hpp"

namespace assay::drivers::usb {

struct FtdiSettings {
  int baud = 125'000;
  int data_bits = 8;
  Parity parity = Parity::none;
  int stop_bits = 1;
  int latency_timer_ms = 2;
  int interface_number = 0;  // port A
  std::chrono::milliseconds control_timeout{1000};
  std::chrono::milliseconds poll_slice{100};  // longest single bulk-IN wait
};

class FtdiTransport final : public Transport {
 public:
  static Result<std::unique_ptr<FtdiTransport>> open(std::shared_ptr<UsbContext> context,
                                                     const UsbMatch& match,
                                                     const FtdiSettings& settings = {});

  Status write(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) override;
  Result<std::vector<std::uint8_t>> read(std::size_t max_bytes,
                                         std::chrono::milliseconds timeout) override;
  Status purge() override;
  bool is_connected() const override { return connected_.load(); }

  const UsbDeviceInfo& device_info() const { return device_.info(); }
  FtdiChip chip() const { return chip_; }
  int actual_baud() const { return actual_baud_; }

 private:
  FtdiTransport(UsbDevice device, FtdiSettings settings, FtdiChip chip)
      : device_(std::move(device)), settings_(std::move(settings)), chip_(chip) {}
  Status configure();
  Status control(std::uint8_t request, std::uint16_t value, std::uint16_t index);
  Status note(Status status);  // remembers a disconnect

  UsbDevice device_;
  FtdiSettings settings_;
  FtdiChip chip_;
  int actual_baud_ = 0;
  std::deque<std::uint8_t> pending_;
  std::atomic<bool> connected_{true};
};

}  // namespace assay::drivers::usb
