#include "systemd_notify.hpp"

#include <time.h>

#include <systemd/sd-daemon.h>

namespace assay::daemon::notify {
namespace {

void send(const std::string& text) { sd_notify(0, text.c_str()); }

std::uint64_t monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

}  // namespace

void ready(const std::string& status) { send("READY=1\nSTATUS=" + status); }
void status(const std::string& status) { send("STATUS=" + status); }
void watchdog() { send("WATCHDOG=1"); }
// systemd 253+ wants MONOTONIC_USEC with RELOADING=1 for Type=notify-reload; harmless before.
void reloading() { send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec())); }
void stopping(const std::string& status) { send("STOPPING=1\nSTATUS=" + status); }
void extend_timeout(std::chrono::microseconds usec) {
  send("EXTEND_TIMEOUT_USEC=" + std::to_string(usec.count()));
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

}  // namespace assay::daemon::notify
