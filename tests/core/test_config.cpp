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

TEST_CASE("the embedded default serves the dashboard on loopback, the shipped service config does not") {
  auto embedded = parse_config(assay::daemon::default_config_toml(), "default", in_temp_dir());
  CHECK(embedded.web.enabled);
  CHECK(embedded.web.host == "127.0.0.1");
  CHECK(embedded.web.port == 8470);
  CHECK(embedded.web.token_file.empty());
  auto shipped = assay::daemon::load_config(std::string(ASSAY_SOURCE_DIR) + "/systemd/assayd.toml", in_temp_dir());
  CHECK_FALSE(shipped.web.enabled);
  CHECK(shipped.web.host == "127.0.0.1");
  CHECK_FALSE(parse_config("", "empty.toml", in_temp_dir()).web.enabled);
}

TEST_CASE("[web] listen takes an IP address and a port and refuses anything else with the key") {
  auto v6 = parse_config("[web]\nlisten = \"[::1]:9000\"\n", "site.toml", in_temp_dir());
  CHECK(v6.web.host == "::1");
  CHECK(v6.web.port == 9000);
  CHECK(parse_config("[web]\nlisten = \"0.0.0.0:0\"\n", "site.toml", in_temp_dir()).web.port == 0);
  for (const auto* bad : {"localhost:8470", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "::1:8470",
                          "[::1]", "127.0.0.1:80x", ""}) {
    INFO(bad);
    CHECK(error_of(std::string("[web]\nlisten = \"") + bad + "\"\n").find("site.toml:2: key 'web.listen'") == 0);
  }
  CHECK(error_of("[web]\nenabled = \"yes\"\n") == "site.toml:2: key 'web.enabled': must be true or false");
  CHECK(error_of("[web]\nlisen = \"127.0.0.1:1\"\n").find("web.lisen") != std::string::npos);
  CHECK(error_of("[web]\nallowed_hosts = \"lab\"\n").find("web.allowed_hosts") != std::string::npos);
  auto overrides = in_temp_dir();
  overrides.web_listen = "127.0.0.1:0";
  CHECK(parse_config(assay::daemon::default_config_toml(), "default", overrides).web.port == 0);
  overrides.web_listen = "nowhere";
  try {
    parse_config("", "site.toml", overrides);
    FAIL("--web-listen nowhere was accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("--web-listen: 'nowhere'") == 0);
  }
}
