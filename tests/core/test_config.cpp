#include <catch2/catch.hpp>

#include <string>

#include "assay/daemon/config.hpp"

using assay::daemon::ConfigError;
using assay::daemon::parse_config;

namespace {

assay::daemon::ConfigOverrides in_temp_dir() {
  assay::daemon::ConfigOverrides overrides;
  overrides.state_dir = "/tmp/assay-config-test";
  return overrides;
}

std::string error_of(const std::string& toml) {
  try {
    parse_config(toml, "site.toml", in_temp_dir());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the embedded default config parses") {
  auto config = parse_config(assay::daemon::default_config_toml(), "default", in_temp_dir());
  CHECK(config.max_attempts >= 1);
  CHECK(config.instruments.size() >= 2);
}

TEST_CASE("config numbers outside their range are refused with file, line and key") {
  CHECK(error_of("[policy]\nmax_attempts = 0\n") == "site.toml:2: key 'policy.max_attempts': must be from 1 to 1000");
  // Once cast to int unchecked (found by fuzz_input_files).
  CHECK(error_of("[policy]\nmax_attempts = 1e300\n").find("policy.max_attempts") != std::string::npos);
  CHECK(error_of("[events]\nheartbeat_s = nan\n").find("events.heartbeat_s") != std::string::npos);
  CHECK(error_of("[events]\nheartbeat_s = inf\n").find("events.heartbeat_s") != std::string::npos);
  CHECK(error_of("[api]\nmax_message_bytes = 1e20\n").find("api.max_message_bytes") != std::string::npos);
  CHECK(error_of("[policy]\nmax_attemps = 2\n").find("max_attemps") != std::string::npos);
}

TEST_CASE("an abstract ipc endpoint is refused: socket_mode cannot protect it") {
  auto error = error_of("[api]\nendpoint = \"ipc://@assayd-api\"\n");
  CHECK(error.find("site.toml:2: key 'api.endpoint': 'ipc://@assayd-api' is an abstract socket") == 0);
  CHECK(error_of("[events]\nendpoint = \"ipc://@events\"\n").find("events.endpoint") != std::string::npos);
}
