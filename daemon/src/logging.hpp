// Logging setup: spdlog to stderr. Under systemd (JOURNAL_STREAM set) each line starts with a
// syslog priority prefix ("<3>") so journald files it at the right level; on a terminal lines
// carry a time stamp instead. Job id and instrument are part of each job message:
// "[job J000012 on sim-reader] ...".
#pragma once

#include <string>

namespace assay::daemon {

void setup_logging(const std::string& level);
void set_log_level(const std::string& level);

}  // namespace assay::daemon
