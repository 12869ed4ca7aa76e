// systemd service notifications (sd_notify): READY, STATUS, WATCHDOG, RELOADING, STOPPING and
// EXTEND_TIMEOUT_USEC. Each call is a no-op when NOTIFY_SOCKET is unset. Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace assay::daemon::notify {

void ready(const std::string& status);
void status(const std::string& status);
void watchdog();
void reloading();
void stopping(const std::string& status);
void extend_timeout(std::chrono::microseconds usec);
// The watchdog interval systemd expects pings within, when WatchdogSec is set for us.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace assay::daemon::notify
