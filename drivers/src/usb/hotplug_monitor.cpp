#include "assay/drivers/usb/hotplug_monitor.hpp"

#include <libusb-1.0/libusb.h>

#include <set>

namespace assay::drivers::usb {

DevicePresence::Change DevicePresence::update(const std::vector<UsbDeviceInfo>& now) {
  Change change;
  std::set<std::pair<int, int>> seen;
  for (const UsbDeviceInfo& info : now) {
    auto key = std::make_pair(info.bus, info.address);
    seen.insert(key);
    if (present_.emplace(key, info).second) change.arrived.push_back(info);
  }
  for (auto it = present_.begin(); it != present_.end();) {
    if (seen.count(it->first) == 0) {
      change.left.push_back(it->second);
      it = present_.erase(it);
    } else {
      ++it;
    }
  }
  return change;
}

HotplugMonitor::HotplugMonitor(std::shared_ptr<UsbContext> context, UsbMatch match,
                               HotplugCallbacks callbacks, std::chrono::milliseconds poll_interval)
    : context_(std::move(context)),
      match_(std::move(match)),
      callbacks_(std::move(callbacks)),
      poll_interval_(poll_interval) {
  scanner_ = [this] { return context_->list(match_); };
}

HotplugMonitor::HotplugMonitor(DeviceScanner scanner, HotplugCallbacks callbacks,
                               std::chrono::milliseconds poll_interval)
    : scanner_(std::move(scanner)), callbacks_(std::move(callbacks)), poll_interval_(poll_interval) {}

HotplugMonitor::~HotplugMonitor() { stop(); }

namespace {
// Runs inside libusb's event handling: only wake the monitor thread, which rescans.
int on_libusb_event(libusb_context*, libusb_device*, libusb_hotplug_event, void* self) {
  static_cast<HotplugMonitor*>(self)->poke();
  return 0;  // stay registered
}
}  // namespace

Status HotplugMonitor::start() {
  if (thread_.joinable()) return Status::ok();
  stopping_ = false;
  if (context_ && libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0) {
    int rc = libusb_hotplug_register_callback(
        context_->get(),
        static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
                                          LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT),
        LIBUSB_HOTPLUG_NO_FLAGS, match_.vendor_id, match_.product_id, LIBUSB_HOTPLUG_MATCH_ANY,
        &on_libusb_event, this, &hotplug_handle_);
    if (rc != LIBUSB_SUCCESS) hotplug_handle_ = 0;  // fall back to polling
  }
  thread_ = std::thread([this] { run(); });
  return Status::ok();
}

void HotplugMonitor::stop() {
  stopping_ = true;
  poke();
  if (thread_.joinable()) thread_.join();
  if (hotplug_handle_ != 0 && context_) {
    libusb_hotplug_deregister_callback(context_->get(), hotplug_handle_);
    hotplug_handle_ = 0;
  }
}

void HotplugMonitor::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_all();
}

void HotplugMonitor::scan_once() {
  auto devices = scanner_();
  if (!devices) return;  // the bus could not be read this time; try again at the next tick
  DevicePresence::Change change = presence_.update(*devices);
  for (const auto& info : change.left) {
    if (callbacks_.left) callbacks_.left(info);
  }
  for (const auto& info : change.arrived) {
    if (callbacks_.arrived) callbacks_.arrived(info);
  }
}

void HotplugMonitor::run() {
  using namespace std::chrono;
  scan_once();
  while (!stopping_) {
    if (hotplug_handle_ != 0) {
      // libusb delivers hotplug callbacks from inside its event handling.
      timeval tv{0, 100'000};
      libusb_handle_events_timeout_completed(context_->get(), &tv, nullptr);
      std::unique_lock lock(mutex_);
      bool rescan = poked_;
      poked_ = false;
      lock.unlock();
      if (rescan && !stopping_) scan_once();
      continue;
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, poll_interval_, [this] { return poked_ || stopping_.load(); });
    poked_ = false;
    lock.unlock();
    if (!stopping_) scan_once();
  }
}

}  // namespace assay::drivers::usb
