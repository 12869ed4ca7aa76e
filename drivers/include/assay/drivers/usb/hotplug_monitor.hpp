// Watches the USB bus for one kind of device (vendor/product id, optionally a serial number) and
// calls back when such a device arrives or leaves.
//
// Where libusb supports hotplug (LIBUSB_CAP_HAS_HOTPLUG, e.g. Linux), its callbacks only wake the
// monitor's own thread, which then rescans the bus; elsewhere the thread rescans every
// `poll_interval`. Rescanning (rather than trusting the callback's device) lets the monitor read
// serial numbers, which libusb forbids inside hotplug callbacks. A device is identified by
// (bus, address), so unplugging and replugging is a leave followed by an arrive.
//
// Callbacks run on the monitor's thread, one at a time; they must not block for long and must
// not destroy the monitor. stop() (and the destructor) joins the thread. A leave is reported at
// most `poll_interval` (hotplug: about 100 ms) after the device vanished.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "assay/drivers/usb/usb_device.hpp"

namespace assay::drivers::usb {

// Pure bookkeeping: which devices appeared or vanished between two scans.
class DevicePresence {
 public:
  struct Change {
    std::vector<UsbDeviceInfo> arrived;
    std::vector<UsbDeviceInfo> left;
  };
  Change update(const std::vector<UsbDeviceInfo>& now);
  std::size_t present_count() const { return present_.size(); }

 private:
  std::map<std::pair<int, int>, UsbDeviceInfo> present_;
};

struct HotplugCallbacks {
  std::function<void(const UsbDeviceInfo&)> arrived;
  std::function<void(const UsbDeviceInfo&)> left;
};

// Scans the bus for matching devices; replaceable in tests.
using DeviceScanner = std::function<Result<std::vector<UsbDeviceInfo>>()>;

class HotplugMonitor final {
 public:
  // Watches through libusb (hotplug callbacks if supported, else polling).
  HotplugMonitor(std::shared_ptr<UsbContext> context, UsbMatch match, HotplugCallbacks callbacks,
                 std::chrono::milliseconds poll_interval = std::chrono::milliseconds(1000));
  // Polls `scanner` every poll_interval (tests, or buses without hotplug).
  HotplugMonitor(DeviceScanner scanner, HotplugCallbacks callbacks,
                 std::chrono::milliseconds poll_interval);
  ~HotplugMonitor();
  HotplugMonitor(const HotplugMonitor&) = delete;
  HotplugMonitor& operator=(const HotplugMonitor&) = delete;

  // Starts the thread; the first scan reports devices already present as arrivals.
  Status start();
  void stop();
  bool uses_hotplug_events() const { return hotplug_handle_ != 0; }
  // Asks for a rescan now (also what the libusb callback does).
  void poke();

 private:
  void run();
  void scan_once();

  std::shared_ptr<UsbContext> context_;
  UsbMatch match_;
  DeviceScanner scanner_;
  HotplugCallbacks callbacks_;
  std::chrono::milliseconds poll_interval_;
  DevicePresence presence_;
  int hotplug_handle_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool poked_ = false;
  std::atomic<bool> stopping_{false};
};

}  // namespace assay::drivers::usb
