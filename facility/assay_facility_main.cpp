// assay-facility: stores the facility bus (every assayd's event log, via NATS JetStream) in one
// PostgreSQL schema, and serves the read-only facility view of it when [web] asks for it. See
// docs/facility.md.
#include <csignal>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "assay/facility/consumer.hpp"
#include "assay/facility/facility_web.hpp"
#include "assay/facility/pg.hpp"
#include "assay/web/http_server.hpp"

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"assay-facility: stores every assayd's events from NATS JetStream in PostgreSQL and serves the facility view"};
  std::string config_file;
  app.add_option("--config", config_file, "the TOML config (see docs/facility.md)")->required();
  bool check_only = false;
  app.add_flag("--check-config", check_only, "read the config, print what it says and exit");
  std::string web_listen;
  app.add_option("--web-listen", web_listen, "serve the facility view on HOST:PORT (port 0: any free one), "
                                             "whatever [web] says");
  CLI11_PARSE(app, argc, argv);
  try {
    auto config = assay::facility::load_facility_config(config_file);
    spdlog::set_level(spdlog::level::from_str(config.log_level));
    if (!web_listen.empty()) {
      if (!assay::web::parse_listen(web_listen, config.web.host, config.web.port)) {
        throw std::runtime_error("--web-listen '" + web_listen + "' is not HOST:PORT with an IP address");
      }
      config.web.enabled = true;
    }
    if (check_only) {
      std::cout << "nats " << config.nats.url << " stream " << config.stream.name << " durable " << config.durable
                << "\npostgres " << config.pg_conninfo << "\nweb "
                << (config.web.enabled ? config.web.host + ":" + std::to_string(config.web.port) : "off") << "\n";
      return 0;
    }
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    // The view first: a port that is taken stops the start, as a config error does.
    std::unique_ptr<assay::facility::FacilityWeb> view;
    if (config.web.enabled) {
      view = std::make_unique<assay::facility::FacilityWeb>(config.web, config.pg_conninfo, config.pg_password_file);
      spdlog::info("web: facility view at {} (read-only)", view->url());
    }
    assay::facility::ConsumerCounts counts;
    assay::facility::run_consumer(config, g_stop, counts);
    spdlog::info("assay-facility stopped: {} stored, {} replayed, {} stored after an earlier one came, {} rejected, "
                 "{} missing seqs given up",
                 counts.stored.load(), counts.replayed.load(), counts.deferred.load(), counts.rejected.load(),
                 counts.given_up.load());
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}
