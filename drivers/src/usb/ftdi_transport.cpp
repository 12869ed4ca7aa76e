#include "assay/drivers/usb/ftdi_transport.hpp"

#include <algorithm>

namespace assay::drivers::usb {

namespace {
using std::chrono::milliseconds;
using clock = std::chrono::steady_clock;
}  // namespace

Result<std::unique_ptr<FtdiTransport>> FtdiTransport::open(std::shared_ptr<UsbContext> context,
                                                           const UsbMatch& match,
                                                           const FtdiSettings& settings) {
  auto device = UsbDevice::open(std::move(context), match, settings.interface_number);
  if (!device) return device.status();
  FtdiChip chip = ftdi_chip_from_bcd(device->info().bcd_device);
  std::unique_ptr<FtdiTransport> transport(
      new FtdiTransport(std::move(device).value(), settings, chip));
  if (Status status = transport->configure(); !status) return status;
  return transport;
}

Status FtdiTransport::note(Status status) {
  if (status.code() == StatusCode::disconnected) connected_ = false;
  return status;
}

Status FtdiTransport::control(std::uint8_t request, std::uint16_t value, std::uint16_t index) {
  return note(device_.control_out(ftdi_request::request_type_out, request, value, index,
                                  settings_.control_timeout));
}

Status FtdiTransport::configure() {
  const std::uint16_t port = static_cast<std::uint16_t>(settings_.interface_number + 1);
  auto baud = ftdi_baud_setting(settings_.baud, chip_, port);
  if (!baud) {
    return {StatusCode::invalid_argument,
            "baud rate " + std::to_string(settings_.baud) + " is not possible on " +
                to_string(chip_) + " (" + device_.info().serial + ")"};
  }
  actual_baud_ = baud->actual_baud;
  if (Status s = control(ftdi_request::reset, ftdi_request::reset_sio, port); !s) return s;
  if (Status s = control(ftdi_request::set_baudrate, baud->value, baud->index); !s) return s;
  std::uint16_t line = ftdi_line_setting(settings_.data_bits, settings_.parity, settings_.stop_bits);
  if (Status s = control(ftdi_request::set_data, line, port); !s) return s;
  if (Status s = control(ftdi_request::set_flow_ctrl, 0, port); !s) return s;
  auto latency = static_cast<std::uint16_t>(std::clamp(settings_.latency_timer_ms, 1, 255));
  if (Status s = control(ftdi_request::set_latency_timer, latency, port); !s) return s;
  return purge();
}

Status FtdiTransport::purge() {
  pending_.clear();
  if (!connected_) return {StatusCode::disconnected, "the FTDI device is gone"};
  const std::uint16_t port = static_cast<std::uint16_t>(settings_.interface_number + 1);
  if (Status s = control(ftdi_request::reset, ftdi_request::purge_rx, port); !s) return s;
  return control(ftdi_request::reset, ftdi_request::purge_tx, port);
}

Status FtdiTransport::write(std::span<const std::uint8_t> bytes, milliseconds timeout) {
  if (!connected_) return {StatusCode::disconnected, "the FTDI device is gone"};
  return note(device_.bulk_write(bytes, timeout));
}

Result<std::vector<std::uint8_t>> FtdiTransport::read(std::size_t max_bytes, milliseconds timeout) {
  if (!connected_) return Status{StatusCode::disconnected, "the FTDI device is gone"};
  const std::size_t packet = std::max<std::size_t>(device_.endpoints().in_packet_size, 8);
  const auto deadline = clock::now() + timeout;
  while (pending_.empty()) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - clock::now());
    if (left.count() <= 0) {
      return Status{StatusCode::timeout,
                    "no data from the FTDI device within " + std::to_string(timeout.count()) + " ms"};
    }
    // Whole packets only, so status bytes always sit at chunk boundaries.
    auto raw = device_.bulk_read(packet * 8, std::min(left, settings_.poll_slice));
    if (!raw) {
      if (raw.status().code() == StatusCode::timeout) continue;
      return note(raw.status());
    }
    auto data = strip_modem_status(*raw, packet);
    pending_.insert(pending_.end(), data.begin(), data.end());
  }
  std::size_t n = std::min(max_bytes, pending_.size());
  std::vector<std::uint8_t> out(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
  return out;
}

}  // namespace assay::drivers::usb
