// The API operations (docs/api.md): ping, version, instruments.list, protocols.list,
// jobs.submit/get/list/cancel/continue, results.get, readings.get, images.list, report.get, events.since.
//
// handle() takes a parsed request object and returns the `result` of a success reply as JSON
// text (a jobs.list page is written straight from its rows), or throws ApiError. io thread only.
// An op whose work is long and needs no store (report.get renders a page) can instead be
// deferred: defer() reads what it needs on the io thread and returns the rest, which runs on any
// thread, so that the io thread answers other requests meanwhile.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "assay/daemon/store.hpp"
#include "protocol_catalog.hpp"
#include "scheduler.hpp"

namespace assay::daemon {

class JobListReader;

class ApiHandler {
 public:
  ApiHandler(Store& store, Scheduler& scheduler, const ProtocolCatalog& protocols,
             std::function<std::int64_t()> last_published_seq);
  ~ApiHandler();

  // `client` identifies the caller for idempotent submits.
  std::string handle(const nlohmann::json& request, const std::string& client);
  // The rest of a deferred op: touches neither the store nor the scheduler; returns the `result`
  // or throws as handle() does.
  using Deferred = std::function<nlohmann::json()>;
  // For an op that runs off the io thread: checks the request and gathers its inputs (may throw
  // ApiError), then returns the remaining work. nullopt for every other op (answer with handle()).
  std::optional<Deferred> defer(const nlohmann::json& request);
  // How long a submit's request id keeps it idempotent (api.request_id_ttl_h).
  void set_request_id_ttl(std::int64_t seconds) { request_id_ttl_s_ = seconds; }
  // Where the jobs' files are (figures and images, for report.get).
  void set_state_dir(std::filesystem::path dir) { state_dir_ = std::move(dir); }

 private:
  // The result of every op but jobs.list (written as text by list_jobs), fields already checked.
  nlohmann::json result(const std::string& op, const nlohmann::json& request, const std::string& client);
  nlohmann::json submit(const nlohmann::json& request, const std::string& client);
  nlohmann::json get_job(const nlohmann::json& request);
  std::string list_jobs(const nlohmann::json& request);  // JSON text
  nlohmann::json cancel(const nlohmann::json& request);
  nlohmann::json continue_job(const nlohmann::json& request);
  nlohmann::json results(const nlohmann::json& request);
  nlohmann::json readings(const nlohmann::json& request);
  nlohmann::json events_since(const nlohmann::json& request);
  Deferred report(const nlohmann::json& request);  // api_report.cpp
  nlohmann::json instruments();
  nlohmann::json protocol_list();

  Store& store_;
  Scheduler& scheduler_;
  const ProtocolCatalog& protocols_;
  std::function<std::int64_t()> last_published_seq_;
  std::int64_t request_id_ttl_s_ = 24 * 3600;
  std::filesystem::path state_dir_ = ".";
  std::unique_ptr<JobListReader> job_list_;
};

}  // namespace assay::daemon
