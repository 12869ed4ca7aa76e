#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "assay/drivers/usb/hotplug_monitor.hpp"

using namespace assay::drivers;
using namespace assay::drivers::usb;
using namespace std::chrono_literals;

namespace {
UsbDeviceInfo clariostar(int address, const std::string& serial = "430-2621") {
  return {1, address, 0x0403, 0xBB68, 0x0600, serial};
}
}  // namespace

TEST_CASE("presence bookkeeping reports arrivals and departures by bus address") {
  DevicePresence presence;
  auto first = presence.update({clariostar(5)});
  CHECK(first.arrived.size() == 1);
  CHECK(first.left.empty());
  CHECK(presence.update({clariostar(5)}).arrived.empty());
  auto gone = presence.update({});
  REQUIRE(gone.left.size() == 1);
  CHECK(gone.left[0].serial == "430-2621");
  // Replugged, the kernel gives a new address: a new arrival.
  auto back = presence.update({clariostar(6)});
  CHECK(back.arrived.size() == 1);
  CHECK(presence.present_count() == 1);
}

TEST_CASE("the polling monitor calls back on arrive and leave within one poll interval") {
  std::mutex mutex;
  std::vector<UsbDeviceInfo> bus;
  std::vector<std::string> events;
  std::atomic<int> count{0};
  DeviceScanner scanner = [&]() -> Result<std::vector<UsbDeviceInfo>> {
    std::lock_guard lock(mutex);
    return bus;
  };
  HotplugCallbacks callbacks;
  callbacks.arrived = [&](const UsbDeviceInfo& info) {
    std::lock_guard lock(mutex);
    events.push_back("arrived " + info.serial);
    ++count;
  };
  callbacks.left = [&](const UsbDeviceInfo& info) {
    std::lock_guard lock(mutex);
    events.push_back("left " + info.serial);
    ++count;
  };
  HotplugMonitor monitor(scanner, callbacks, 50ms);
  REQUIRE(monitor.start().is_ok());
  CHECK_FALSE(monitor.uses_hotplug_events());
  auto wait_for = [&](int n) {
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (count.load() < n && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    return count.load() >= n;
  };
  {
    std::lock_guard lock(mutex);
    bus = {clariostar(7)};
  }
  auto plugged = std::chrono::steady_clock::now();
  REQUIRE(wait_for(1));
  CHECK(std::chrono::steady_clock::now() - plugged < 500ms);
  {
    std::lock_guard lock(mutex);
    bus.clear();
  }
  auto unplugged = std::chrono::steady_clock::now();
  REQUIRE(wait_for(2));
  CHECK(std::chrono::steady_clock::now() - unplugged < 500ms);
  monitor.stop();
  std::lock_guard lock(mutex);
  CHECK(events == std::vector<std::string>{"arrived 430-2621", "left 430-2621"});
}

TEST_CASE("a scan error is skipped and the monitor keeps watching") {
  std::atomic<int> scans{0};
  std::atomic<int> arrivals{0};
  DeviceScanner scanner = [&]() -> Result<std::vector<UsbDeviceInfo>> {
    int n = ++scans;
    if (n < 3) return Status{StatusCode::io_error, "bus busy"};
    return std::vector<UsbDeviceInfo>{clariostar(3)};
  };
  HotplugMonitor monitor(scanner, {[&](const UsbDeviceInfo&) { ++arrivals; }, {}}, 20ms);
  REQUIRE(monitor.start().is_ok());
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (arrivals.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  monitor.stop();
  CHECK(arrivals.load() == 1);
  CHECK(scans.load() >= 3);
}
