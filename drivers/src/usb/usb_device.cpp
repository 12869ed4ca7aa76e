#include "assay/drivers/usb/usb_device.hpp"

#include <libusb-1.0/libusb.h>

#include <cstdio>
#include <utility>

namespace assay::drivers::usb {

namespace {

int to_ms(std::chrono::milliseconds timeout) {
  // libusb treats 0 as "wait forever": never ask for that.
  return timeout.count() <= 0 ? 1 : static_cast<int>(timeout.count());
}

std::string hex4(std::uint16_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "%04x", value);
  return text;
}

Result<std::string> read_serial(libusb_device_handle* handle, std::uint8_t index) {
  if (index == 0) return std::string();
  unsigned char text[256];
  int n = libusb_get_string_descriptor_ascii(handle, index, text, sizeof text);
  if (n < 0) return usb_status(n, "reading the serial number string");
  return std::string(reinterpret_cast<char*>(text), static_cast<std::size_t>(n));
}

}  // namespace

std::string UsbMatch::describe() const {
  std::string text = hex4(vendor_id) + ":" + hex4(product_id);
  if (!serial.empty()) text += " serial " + serial;
  return text;
}

Status usb_status(int error, const std::string& what) {
  std::string name = libusb_error_name(error);
  switch (error) {
    case LIBUSB_SUCCESS: return Status::ok();
    case LIBUSB_ERROR_TIMEOUT: return {StatusCode::timeout, what + " timed out"};
    case LIBUSB_ERROR_NO_DEVICE:
      return {StatusCode::disconnected, what + " failed: the USB device is gone (unplugged or "
                                               "powered off); reconnect it"};
    case LIBUSB_ERROR_NOT_FOUND: return {StatusCode::not_found, what + " failed: " + name};
    case LIBUSB_ERROR_BUSY:
      return {StatusCode::busy, what + " failed: the interface is claimed by another program; "
                                       "close the vendor software or the other driver"};
    case LIBUSB_ERROR_ACCESS:
      return {StatusCode::io_error, what + " failed: permission denied; install the assayd "
                                           "udev rule (60-assayd-instruments.rules) and add the "
                                           "daemon's user to its group"};
    case LIBUSB_ERROR_PIPE:
      return {StatusCode::io_error, what + " failed: the endpoint stalled (LIBUSB_ERROR_PIPE)"};
    case LIBUSB_ERROR_INTERRUPTED: return {StatusCode::cancelled, what + " was interrupted"};
    default: return {StatusCode::io_error, what + " failed: " + name};
  }
}

Result<std::shared_ptr<UsbContext>> UsbContext::create() {
  libusb_context* context = nullptr;
  int rc = libusb_init(&context);
  if (rc != LIBUSB_SUCCESS) return usb_status(rc, "initialising libusb");
  return std::shared_ptr<UsbContext>(new UsbContext(context));
}

UsbContext::~UsbContext() {
  if (context_ != nullptr) libusb_exit(context_);
}

Result<std::vector<UsbDeviceInfo>> UsbContext::list(const UsbMatch& match) const {
  libusb_device** devices = nullptr;
  ssize_t count = libusb_get_device_list(context_, &devices);
  if (count < 0) return usb_status(static_cast<int>(count), "listing USB devices");
  std::vector<UsbDeviceInfo> found;
  for (ssize_t i = 0; i < count; ++i) {
    libusb_device_descriptor descriptor{};
    if (libusb_get_device_descriptor(devices[i], &descriptor) != LIBUSB_SUCCESS) continue;
    if (descriptor.idVendor != match.vendor_id || descriptor.idProduct != match.product_id) continue;
    UsbDeviceInfo info;
    info.bus = libusb_get_bus_number(devices[i]);
    info.address = libusb_get_device_address(devices[i]);
    info.vendor_id = descriptor.idVendor;
    info.product_id = descriptor.idProduct;
    info.bcd_device = descriptor.bcdDevice;
    if (descriptor.iSerialNumber != 0) {
      libusb_device_handle* handle = nullptr;
      if (libusb_open(devices[i], &handle) == LIBUSB_SUCCESS) {
        auto serial = read_serial(handle, descriptor.iSerialNumber);
        if (serial) info.serial = *serial;
        libusb_close(handle);
      }
    }
    if (!match.serial.empty() && info.serial != match.serial) continue;
    found.push_back(std::move(info));
  }
  libusb_free_device_list(devices, 1);
  return found;
}

Result<UsbDevice> UsbDevice::open(std::shared_ptr<UsbContext> context, const UsbMatch& match,
                                  int interface_number) {
  libusb_device** devices = nullptr;
  ssize_t count = libusb_get_device_list(context->get(), &devices);
  if (count < 0) return usb_status(static_cast<int>(count), "listing USB devices");

  UsbDevice device;
  device.context_ = context;
  device.interface_ = interface_number;
  Status last_error{StatusCode::not_found,
                    "no USB device " + match.describe() + " is connected; check the cable and "
                    "power, and `lsusb` for the id"};
  for (ssize_t i = 0; i < count && device.handle_ == nullptr; ++i) {
    libusb_device_descriptor descriptor{};
    if (libusb_get_device_descriptor(devices[i], &descriptor) != LIBUSB_SUCCESS) continue;
    if (descriptor.idVendor != match.vendor_id || descriptor.idProduct != match.product_id) continue;
    libusb_device_handle* handle = nullptr;
    int rc = libusb_open(devices[i], &handle);
    if (rc != LIBUSB_SUCCESS) {
      last_error = usb_status(rc, "opening USB device " + match.describe());
      continue;
    }
    std::string serial;
    if (!match.serial.empty() || descriptor.iSerialNumber != 0) {
      auto read = read_serial(handle, descriptor.iSerialNumber);
      if (read) serial = *read;
    }
    if (!match.serial.empty() && serial != match.serial) {
      libusb_close(handle);
      continue;
    }
    device.handle_ = handle;
    device.info_ = {libusb_get_bus_number(devices[i]), libusb_get_device_address(devices[i]),
                    descriptor.idVendor, descriptor.idProduct, descriptor.bcdDevice, serial};

    libusb_config_descriptor* config = nullptr;
    if (libusb_get_active_config_descriptor(devices[i], &config) == LIBUSB_SUCCESS) {
      if (interface_number < config->bNumInterfaces &&
          config->interface[interface_number].num_altsetting > 0) {
        const libusb_interface_descriptor& alt = config->interface[interface_number].altsetting[0];
        for (int e = 0; e < alt.bNumEndpoints; ++e) {
          const libusb_endpoint_descriptor& ep = alt.endpoint[e];
          if ((ep.bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK) continue;
          if ((ep.bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN) {
            device.endpoints_.in_address = ep.bEndpointAddress;
            device.endpoints_.in_packet_size = ep.wMaxPacketSize;
          } else {
            device.endpoints_.out_address = ep.bEndpointAddress;
            device.endpoints_.out_packet_size = ep.wMaxPacketSize;
          }
        }
      }
      libusb_free_config_descriptor(config);
    }
  }
  libusb_free_device_list(devices, 1);
  if (device.handle_ == nullptr) return last_error;
  if (device.endpoints_.in_address == 0 || device.endpoints_.out_address == 0) {
    return Status{StatusCode::protocol_error,
                  "USB device " + match.describe() + " has no bulk IN/OUT endpoint pair on "
                  "interface " + std::to_string(interface_number)};
  }

  // Detach a kernel driver (e.g. ftdi_sio forced onto this id) only when one is bound.
  int active = libusb_kernel_driver_active(device.handle_, interface_number);
  if (active == 1) {
    int rc = libusb_detach_kernel_driver(device.handle_, interface_number);
    if (rc != LIBUSB_SUCCESS) return usb_status(rc, "detaching the kernel driver of " + match.describe());
    device.reattach_kernel_driver_ = true;
  }
  int rc = libusb_claim_interface(device.handle_, interface_number);
  if (rc != LIBUSB_SUCCESS) {
    return usb_status(rc, "claiming interface " + std::to_string(interface_number) + " of " +
                              match.describe());
  }
  device.claimed_ = true;
  return device;
}

UsbDevice::UsbDevice(UsbDevice&& other) noexcept { *this = std::move(other); }

UsbDevice& UsbDevice::operator=(UsbDevice&& other) noexcept {
  if (this != &other) {
    close();
    context_ = std::move(other.context_);
    handle_ = std::exchange(other.handle_, nullptr);
    interface_ = other.interface_;
    claimed_ = std::exchange(other.claimed_, false);
    reattach_kernel_driver_ = std::exchange(other.reattach_kernel_driver_, false);
    info_ = other.info_;
    endpoints_ = other.endpoints_;
  }
  return *this;
}

UsbDevice::~UsbDevice() { close(); }

void UsbDevice::close() {
  if (handle_ == nullptr) return;
  if (claimed_) libusb_release_interface(handle_, interface_);
  if (reattach_kernel_driver_) libusb_attach_kernel_driver(handle_, interface_);
  libusb_close(handle_);
  handle_ = nullptr;
  claimed_ = false;
  reattach_kernel_driver_ = false;
}

Status UsbDevice::bulk_write(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) {
  std::size_t done = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (done < bytes.size()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return {StatusCode::timeout, "USB write timed out after " + std::to_string(done) + " of " +
                                       std::to_string(bytes.size()) + " bytes"};
    }
    int transferred = 0;
    int rc = libusb_bulk_transfer(handle_, endpoints_.out_address,
                                  const_cast<unsigned char*>(bytes.data() + done),
                                  static_cast<int>(bytes.size() - done), &transferred, to_ms(left));
    done += static_cast<std::size_t>(transferred);
    if (rc != LIBUSB_SUCCESS && !(rc == LIBUSB_ERROR_TIMEOUT && done < bytes.size())) {
      return usb_status(rc, "USB bulk write (" + std::to_string(done) + " of " +
                                std::to_string(bytes.size()) + " bytes sent)");
    }
  }
  return Status::ok();
}

Result<std::vector<std::uint8_t>> UsbDevice::bulk_read(std::size_t max_bytes,
                                                       std::chrono::milliseconds timeout) {
  std::vector<std::uint8_t> buffer(max_bytes);
  int transferred = 0;
  int rc = libusb_bulk_transfer(handle_, endpoints_.in_address, buffer.data(),
                                static_cast<int>(buffer.size()), &transferred, to_ms(timeout));
  if (rc != LIBUSB_SUCCESS && !(rc == LIBUSB_ERROR_TIMEOUT && transferred > 0)) {
    return usb_status(rc, "USB bulk read");
  }
  buffer.resize(static_cast<std::size_t>(transferred));
  return buffer;
}

Status UsbDevice::control_out(std::uint8_t request_type, std::uint8_t request, std::uint16_t value,
                              std::uint16_t index, std::chrono::milliseconds timeout) {
  int rc = libusb_control_transfer(handle_, request_type, request, value, index, nullptr, 0,
                                   static_cast<unsigned>(to_ms(timeout)));
  if (rc < 0) {
    return usb_status(rc, "USB control request 0x" + hex4(request) + " (value 0x" + hex4(value) +
                              ", index 0x" + hex4(index) + ")");
  }
  return Status::ok();
}

Result<std::string> UsbDevice::string_descriptor(std::uint8_t index) {
  return read_serial(handle_, index);
}

}  // namespace assay::drivers::usb
