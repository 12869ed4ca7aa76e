// RAII access to USB devices through libusb-1.0: a context, enumeration and an open device.
//
// UsbContext owns one libusb_context (shared by every device and monitor that uses it; keep it
// in a shared_ptr). UsbDevice owns one libusb_device_handle with its claimed interface: it is
// move-only, opened by vendor/product id and optionally serial number, detaches a kernel driver
// only when libusb_kernel_driver_active() reports one (and re-attaches it on close), and finds
// the interface's bulk IN and OUT endpoints with their wMaxPacketSize. Every transfer has a
// timeout and returns a Status: a device that was unplugged gives StatusCode::disconnected, a
// timeout StatusCode::timeout, a stalled endpoint StatusCode::io_error. Nothing throws.
// A UsbDevice is used by one thread at a time; different devices may be used in parallel.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "assay/drivers/status.hpp"

struct libusb_context;
struct libusb_device_handle;

namespace assay::drivers::usb {

// Which device to open: vendor and product id, optionally one serial number among several.
struct UsbMatch {
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  std::string serial;  // empty = any
  std::string describe() const;  // "0403:bb68 serial 430-2621"
};

// One device seen on the bus (not opened, except briefly to read its serial string).
struct UsbDeviceInfo {
  int bus = 0;
  int address = 0;
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  std::uint16_t bcd_device = 0;  // chip revision; FTDI uses it to tell its chip types apart
  std::string serial;            // empty when it could not be read (no permission, no string)
};

// Maps a libusb error code to a Status naming the operation and the device.
Status usb_status(int libusb_error, const std::string& what);

class UsbContext final {
 public:
  static Result<std::shared_ptr<UsbContext>> create();
  ~UsbContext();
  UsbContext(const UsbContext&) = delete;
  UsbContext& operator=(const UsbContext&) = delete;

  libusb_context* get() const { return context_; }
  // Devices with the match's ids (and serial, when given). Reads serials only of those devices.
  Result<std::vector<UsbDeviceInfo>> list(const UsbMatch& match) const;

 private:
  explicit UsbContext(libusb_context* context) : context_(context) {}
  libusb_context* context_ = nullptr;
};

struct BulkEndpoints {
  std::uint8_t in_address = 0;
  std::uint8_t out_address = 0;
  std::size_t in_packet_size = 64;  // wMaxPacketSize of the IN endpoint
  std::size_t out_packet_size = 64;
};

class UsbDevice final {
 public:
  // Opens the first device that matches, claims `interface_number` and finds its bulk endpoints.
  // not_found when no device matches; io_error with a udev hint when permission is denied.
  static Result<UsbDevice> open(std::shared_ptr<UsbContext> context, const UsbMatch& match,
                                int interface_number = 0);
  UsbDevice(UsbDevice&& other) noexcept;
  UsbDevice& operator=(UsbDevice&& other) noexcept;
  UsbDevice(const UsbDevice&) = delete;
  UsbDevice& operator=(const UsbDevice&) = delete;
  ~UsbDevice();

  const UsbDeviceInfo& info() const { return info_; }
  const BulkEndpoints& endpoints() const { return endpoints_; }
  int interface_number() const { return interface_; }

  // Writes all bytes or fails; returns the count written before a failure in the message.
  Status bulk_write(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout);
  // One bulk IN transfer of up to max_bytes (the raw bytes, FTDI status bytes included).
  Result<std::vector<std::uint8_t>> bulk_read(std::size_t max_bytes,
                                              std::chrono::milliseconds timeout);
  // Vendor/class request without a data stage (host to device).
  Status control_out(std::uint8_t request_type, std::uint8_t request, std::uint16_t value,
                     std::uint16_t index, std::chrono::milliseconds timeout);
  // Reads a string descriptor (for example the serial number).
  Result<std::string> string_descriptor(std::uint8_t index);

 private:
  UsbDevice() = default;
  void close();

  std::shared_ptr<UsbContext> context_;
  libusb_device_handle* handle_ = nullptr;
  int interface_ = 0;
  bool claimed_ = false;
  bool reattach_kernel_driver_ = false;
  UsbDeviceInfo info_;
  BulkEndpoints endpoints_;
};

}  // namespace assay::drivers::usb
