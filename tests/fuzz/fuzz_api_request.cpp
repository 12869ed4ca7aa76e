// The API request path as assayd runs it: any bytes as one request body, through the size
// limit, the depth-bounded parse, the envelope and every op of ApiHandler, against a real SQLite
// store and the simulated instruments of the embedded default config. Every input must end in
// one reply that is a JSON object with "ok" (an error reply names what to fix), never a crash, a
// hang or an exception.
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api_handler.hpp"
#include "api_reply.hpp"
#include "assay/daemon/config.hpp"
#include "assay/daemon/sqlite.hpp"
#include "assay/daemon/store.hpp"
#include "assay/drivers/registry.hpp"
#include "assay/protocols/registry.hpp"
#include "protocol_catalog.hpp"
#include "fuzz/fuzz_target.hpp"
#include "scheduler.hpp"

namespace ad = assay::daemon;

namespace {

// One daemon's worth of request handling, built once per process. The simulators run in real
// time (time_scale 1), so accepted jobs mostly wait in the queue instead of using the CPU.
struct ApiUnderTest {
  std::filesystem::path dir;
  ad::Config config;
  assay::drivers::DriverRegistry drivers;
  std::unique_ptr<ad::ProtocolCatalog> protocols;
  std::unique_ptr<ad::Store> store;
  std::unique_ptr<ad::Scheduler> scheduler;
  std::unique_ptr<ad::ApiHandler> handler;
  long calls = 0;

  ApiUnderTest() {
    spdlog::set_level(spdlog::level::off);
    dir = std::filesystem::temp_directory_path() / ("assay-fuzz-api-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    ad::ConfigOverrides overrides;
    overrides.state_dir = dir;
    overrides.log_level = "off";
    std::string text = ad::default_config_toml();
    for (auto at = text.find("time_scale = 0.02"); at != std::string::npos; at = text.find("time_scale = 0.02")) {
      text.replace(at, 17, "time_scale = 1.0");
    }
    config = ad::parse_config(text, "fuzz", overrides);
    assay::drivers::register_builtin_drivers(drivers);
    assay::protocols::ProtocolRegistry builtin;
    assay::protocols::register_builtin_protocols(builtin);
    protocols = std::make_unique<ad::ProtocolCatalog>(std::move(builtin));
    store = std::make_unique<ad::Store>(config.database);
    scheduler = std::make_unique<ad::Scheduler>(*store, drivers, *protocols, config.state_dir);
    scheduler->apply(config.instruments);
    handler = std::make_unique<ad::ApiHandler>(*store, *scheduler, *protocols, [] { return std::int64_t{0}; });
  }

  ~ApiUnderTest() {
    handler.reset();
    scheduler.reset();  // stops the simulators at their next safe point
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  // Accepted jobs pile up in the store; past a few thousand, forget them so each run stays fast.
  void keep_small() {
    if (++calls % 5000 != 0) return;
    ad::Database db(config.database);
    db.exec("DELETE FROM jobs WHERE state = 'queued'; DELETE FROM events;");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ApiUnderTest api;
  std::string reply;
  try {
    reply = ad::reply_to_request(assay::fuzz::as_text(data, size), "fuzz-client", api.config.max_message_bytes,
                                 *api.handler);
  } catch (const std::exception& e) {
    assay::fuzz::unexpected("api request", e);
  }
  auto parsed = nlohmann::json::parse(reply, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("ok")) {
    std::fprintf(stderr, "api request: a reply that is not a reply: %s\n", reply.c_str());
    std::abort();
  }
  api.keep_small();
  return 0;
}
