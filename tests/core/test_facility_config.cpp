// The [facility] table of assayd's config (docs/facility.md): absent means no bridge at all.
#include <catch2/catch.hpp>

#include <string>

#include "assay/daemon/config.hpp"

namespace {

assay::daemon::Config parse(const std::string& toml) {
  assay::daemon::ConfigOverrides overrides;
  overrides.state_dir = "/tmp/assay-config-test";
  return assay::daemon::parse_config(toml, "site.toml", overrides);
}

std::string error_of(const std::string& toml) {
  try {
    parse(toml);
  } catch (const assay::daemon::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("without a [facility] table there is no facility bridge") {
  CHECK_FALSE(parse("").facility.has_value());
  CHECK_FALSE(parse(assay::daemon::default_config_toml()).facility.has_value());
  CHECK_FALSE(parse("[facility]\nenabled = false\nhost = \"reader1\"\n").facility.has_value());
}

TEST_CASE("a [facility] table turns the bridge on with its NATS url, host and stream") {
  auto config = parse("[facility]\nnats_url = \"tls://nats.lab:4222\"\nhost = \"reader-1\"\n"
                      "credentials_file = \"credential:nats.creds\"\nca_file = \"/etc/ca.pem\"\n");
  REQUIRE(config.facility.has_value());
  CHECK(config.facility->nats_url == "tls://nats.lab:4222");
  CHECK(config.facility->host == "reader-1");
  CHECK(config.facility->stream == "ASSAY");
  CHECK(config.facility->credentials_file == "credential:nats.creds");
  CHECK(config.facility->ca_file == "/etc/ca.pem");
  // The machine's name when none is given, made a valid subject token.
  auto fallback = parse("[facility]\n");
  REQUIRE(fallback.facility.has_value());
  CHECK_FALSE(fallback.facility->host.empty());
  CHECK(fallback.facility->host.find('.') == std::string::npos);
}

TEST_CASE("a facility host or stream that is not a subject token is refused with its key") {
  CHECK(error_of("[facility]\nhost = \"lab.reader\"\n").find("site.toml:2: key 'facility.host'") == 0);
  CHECK(error_of("[facility]\nhost = \"\"\n").find("facility.host") != std::string::npos);
  CHECK(error_of("[facility]\nstream = \"a.b\"\n").find("facility.stream") != std::string::npos);
  CHECK(error_of("[facility]\npassword = \"x\"\n").find("facility.password") != std::string::npos);
}

TEST_CASE("a host with a [facility] table takes jobs submitted through the bus unless submits = false") {
  CHECK(parse("[facility]\nhost = \"reader1\"\n").facility->submits);
  auto off = parse("[facility]\nhost = \"reader1\"\nsubmits = false\n");
  REQUIRE(off.facility.has_value());  // the bridge still forwards the event log
  CHECK_FALSE(off.facility->submits);
  CHECK(error_of("[facility]\nsubmits = \"no\"\n").find("facility.submits") != std::string::npos);
}
