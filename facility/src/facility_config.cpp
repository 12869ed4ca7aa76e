#include "assay/facility/facility_config.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "assay/web/http_server.hpp"

namespace assay::facility {
namespace {

// Every key of `table` must be one of `known`: a misspelt key is an error, not silently ignored.
void only_keys(const toml::table& table, const std::string& prefix, const std::set<std::string>& known,
               const std::string& source) {
  for (const auto& [key, value] : table) {
    if (!known.count(std::string(key.str()))) {
      throw FacilityConfigError(source + ":" + std::to_string(value.source().begin.line) + ": unknown key " +
                                prefix + std::string(key.str()));
    }
  }
}

std::string string_at(const toml::table& table, const std::string& key, const std::string& fallback,
                      const std::string& where) {
  const auto* node = table.get(key);
  if (!node) return fallback;
  if (!node->is_string()) throw FacilityConfigError(where + key + " must be a string");
  return node->as_string()->get();
}

std::int64_t integer_at(const toml::table& table, const std::string& key, std::int64_t fallback, std::int64_t low,
                        std::int64_t high, const std::string& where) {
  const auto* node = table.get(key);
  if (!node) return fallback;
  if (!node->is_integer()) throw FacilityConfigError(where + key + " must be an integer");
  auto value = node->as_integer()->get();
  if (value < low || value > high) {
    throw FacilityConfigError(where + key + " = " + std::to_string(value) + " is outside " + std::to_string(low) +
                              ".." + std::to_string(high));
  }
  return value;
}

std::string checked_conninfo(const toml::table& table, const std::string& where) {
  auto conninfo = string_at(table, "conninfo", "", where);
  if (conninfo.find("password") != std::string::npos) {
    throw FacilityConfigError(where + "conninfo holds a password; put it in a file named by " + where + "password_file");
  }
  return conninfo;
}

FacilityWebConfig parse_web(const toml::table& table, const std::string& source) {
  only_keys(table, "web.", {"enabled", "listen", "allowed_hosts", "max_connections", "conninfo", "password_file"},
            source);
  const std::string w = source + ": web.";
  FacilityWebConfig web;
  if (const auto* enabled = table.get("enabled")) {
    if (!enabled->is_boolean()) throw FacilityConfigError(w + "enabled must be true or false");
    web.enabled = enabled->as_boolean()->get();
  }
  const auto listen = string_at(table, "listen", "127.0.0.1:8471", w);
  if (!web::parse_listen(listen, web.host, web.port)) {
    throw FacilityConfigError(w + "listen = '" + listen + "' is not HOST:PORT with an IP address, e.g. \"127.0.0.1:8471\"");
  }
  if (const auto* hosts = table.get("allowed_hosts")) {
    if (!hosts->is_array()) throw FacilityConfigError(w + "allowed_hosts must be a list of names");
    for (const auto& name : *hosts->as_array()) {
      if (!name.is_string()) throw FacilityConfigError(w + "allowed_hosts must be a list of names");
      web.allowed_hosts.push_back(name.as_string()->get());
    }
  }
  web.max_connections = static_cast<int>(integer_at(table, "max_connections", web.max_connections, 1, 100000, w));
  web.pg_conninfo = checked_conninfo(table, w);
  web.pg_password_file = string_at(table, "password_file", "", w);
  return web;
}

}  // namespace

FacilityConfig parse_facility_config(const std::string& toml_text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    throw FacilityConfigError(source + ":" + std::to_string(e.source().begin.line) + ": " +
                              std::string(e.description()));
  }
  only_keys(root, "", {"nats", "postgres", "logging", "web"}, source);
  FacilityConfig config;
  toml::table empty;
  const auto* nats = root["nats"].as_table();
  if (!nats) nats = &empty;
  only_keys(*nats, "nats.", {"url", "credentials_file", "ca_file", "stream", "durable", "ack_wait_s", "batch",
                             "max_age_days", "gap_timeout_s"}, source);
  const std::string n = source + ": nats.";
  config.nats.url = string_at(*nats, "url", config.nats.url, n);
  config.nats.credentials_file = string_at(*nats, "credentials_file", "", n);
  config.nats.ca_file = string_at(*nats, "ca_file", "", n);
  config.nats.client_name = "assay-facility";
  config.stream.name = string_at(*nats, "stream", config.stream.name, n);
  config.stream.max_age_s = integer_at(*nats, "max_age_days", 0, 0, 36500, n) * 86400;
  config.durable = string_at(*nats, "durable", config.durable, n);
  config.ack_wait_s = integer_at(*nats, "ack_wait_s", config.ack_wait_s, 5, 3600, n);
  config.batch = static_cast<int>(integer_at(*nats, "batch", config.batch, 1, 10000, n));
  config.gap_timeout_s = static_cast<int>(integer_at(*nats, "gap_timeout_s", config.gap_timeout_s, 5, 30 * 86400, n));

  const auto* pg = root["postgres"].as_table();
  if (!pg) throw FacilityConfigError(source + ": a [postgres] table with conninfo is needed");
  only_keys(*pg, "postgres.", {"conninfo", "password_file"}, source);
  const std::string p = source + ": postgres.";
  config.pg_conninfo = checked_conninfo(*pg, p);
  if (config.pg_conninfo.empty()) throw FacilityConfigError(p + "conninfo is needed, e.g. \"host=/run/postgresql dbname=assay\"");
  config.pg_password_file = string_at(*pg, "password_file", "", p);
  if (const auto* web = root["web"].as_table()) config.web = parse_web(*web, source);
  if (const auto* logging = root["logging"].as_table()) {
    only_keys(*logging, "logging.", {"level"}, source);
    config.log_level = string_at(*logging, "level", config.log_level, source + ": logging.");
  }
  return config;
}

FacilityConfig load_facility_config(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw FacilityConfigError("cannot read config file " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  return parse_facility_config(text.str(), file.string());
}

}  // namespace assay::facility
