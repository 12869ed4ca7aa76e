// assay-facility's configuration (TOML): where the bus is, where the facility database is, and
// where their secrets are. Secrets are files (or systemd credentials, "credential:NAME"), never
// values in this file. load_facility_config() throws FacilityConfigError naming file and key.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "assay/facility/nats_client.hpp"

namespace assay::facility {

class FacilityConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The facility view ([web], docs/facility.md): served by assay-facility over HTTP, read-only,
// from PostgreSQL through its own connection (the read-only role's, when given).
struct FacilityWebConfig {
  bool enabled = false;
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal
  unsigned short port = 8471;      // 0 = any free port (logged at start)
  std::vector<std::string> allowed_hosts;  // Host names besides loopback ones and the listen address
  int max_connections = 64;
  std::string pg_conninfo;       // empty: [postgres] conninfo (the session is read-only either way)
  std::string pg_password_file;  // with pg_conninfo; empty: libpq's own means
};

struct FacilityConfig {
  NatsSettings nats;
  StreamSettings stream;
  std::string durable = "assay-facility";  // the pull consumer's name: its position survives restarts
  std::int64_t ack_wait_s = 60;
  int batch = 256;                          // messages stored per PostgreSQL transaction
  int gap_timeout_s = 600;                  // a host's missing seq is given up after this long
  std::string pg_conninfo;                  // libpq conninfo or postgresql:// URL, without password
  std::string pg_password_file;             // empty: libpq's own means (peer, ~/.pgpass, PGPASSFILE)
  std::string log_level = "info";
  FacilityWebConfig web;
};

FacilityConfig load_facility_config(const std::filesystem::path& file);
FacilityConfig parse_facility_config(const std::string& toml_text, const std::string& source);

}  // namespace assay::facility
