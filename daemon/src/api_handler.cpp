#include "api_handler.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "api_error.hpp"
#include "assay/protocols/key_names.hpp"
#include "job_list_reader.hpp"

namespace assay::daemon {
namespace {

using nlohmann::json;

std::string string_field(const json& request, const char* key, bool required) {
  if (!request.contains(key)) {
    if (required) throw ApiError("missing_field", std::string("field '") + key + "' is required");
    return {};
  }
  if (!request.at(key).is_string()) {
    throw ApiError("wrong_type", std::string("field '") + key + "' must be a string");
  }
  return request.at(key).get<std::string>();
}

std::int64_t int_field(const json& request, const char* key, std::int64_t fallback,
                       std::int64_t min_value, std::int64_t max_value) {
  if (!request.contains(key)) return fallback;
  const auto& value = request.at(key);
  if (!value.is_number_integer()) {
    throw ApiError("wrong_type", std::string("field '") + key + "' must be an integer");
  }
  auto number = value.get<std::int64_t>();
  if (number < min_value || number > max_value) {
    throw ApiError("out_of_range", std::string("field '") + key + "' must be between " +
                                       std::to_string(min_value) + " and " + std::to_string(max_value));
  }
  return number;
}

// FNV-1a of the job's canonical text (object keys sorted): equal for a true retry, stable across
// builds and restarts, unlike std::hash.
std::string job_digest(const json& job) {
  std::uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : job.dump(-1, ' ', false, json::error_handler_t::replace)) {
    hash = (hash ^ c) * 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

JobRecord require_job(Store& store, const std::string& job_id) {
  auto job = store.read_job(job_id);
  if (!job) throw ApiError("not_found", "no job '" + job_id + "'; `assayctl jobs` lists them");
  return *job;
}

// The fields each op reads (docs/api.md), besides v, id, op and client. Anything else is refused:
// a misspelt `seq` must not quietly mean "from the start".
const std::map<std::string, std::vector<std::string>>& op_fields() {
  static const std::map<std::string, std::vector<std::string>> fields{
      {"ping", {}},
      {"version", {}},
      {"instruments.list", {}},
      {"protocols.list", {}},
      {"jobs.submit", {"job"}},
      {"jobs.get", {"job_id"}},
      {"jobs.list", {"state", "instrument", "limit", "before"}},
      {"jobs.cancel", {"job_id"}},
      {"jobs.continue", {"job_id"}},
      {"results.get", {"job_id", "kind"}},
      {"readings.get", {"job_id", "after_id", "limit"}},
      {"images.list", {"job_id"}},
      {"report.get", {"job_id"}},
      {"events.since", {"seq", "job_id", "limit"}}};
  return fields;
}

void refuse_unknown_fields(const json& request, const std::string& op) {
  auto known = op_fields().find(op);
  if (known == op_fields().end()) return;  // unknown_op is answered below
  for (const auto& [key, value] : request.items()) {
    if (key == "v" || key == "id" || key == "op" || key == "client") continue;
    if (std::find(known->second.begin(), known->second.end(), key) != known->second.end()) continue;
    std::string names = "v, id, op, client";
    for (const auto& name : known->second) names += ", " + name;
    throw ApiError("unknown_field", "field '" + key + "' is not a field of " + op + "; its fields: " + names);
  }
}

}  // namespace

ApiHandler::ApiHandler(Store& store, Scheduler& scheduler, const ProtocolCatalog& protocols,
                       std::function<std::int64_t()> last_published_seq)
    : store_(store), scheduler_(scheduler), protocols_(protocols),
      last_published_seq_(std::move(last_published_seq)),
      job_list_(std::make_unique<JobListReader>(store.path())) {}

ApiHandler::~ApiHandler() = default;

std::string ApiHandler::handle(const json& request, const std::string& client) {
  const auto op = string_field(request, "op", true);
  refuse_unknown_fields(request, op);
  // A jobs.list page is written as text straight from its rows; every other result is a document.
  if (op == "jobs.list") return list_jobs(request);
  return result(op, request, client).dump(-1, ' ', false, json::error_handler_t::replace);
}

json ApiHandler::result(const std::string& op, const json& request, const std::string& client) {
  if (op == "ping") {
    return {{"pong", true}, {"version", ASSAY_VERSION}, {"time", utc_now()},
            {"last_seq", last_published_seq_()}};
  }
  if (op == "version") return {{"version", ASSAY_VERSION}, {"api", 1}};
  if (op == "instruments.list") return instruments();
  if (op == "protocols.list") return protocol_list();
  if (op == "jobs.submit") return submit(request, client);
  if (op == "jobs.get") return get_job(request);
  if (op == "jobs.cancel") return cancel(request);
  if (op == "jobs.continue") return continue_job(request);
  if (op == "results.get") return results(request);
  if (op == "readings.get") return readings(request);
  if (op == "images.list") {
    auto job = require_job(store_, string_field(request, "job_id", true));
    return {{"job_id", job.id}, {"images", store_.read_images(job.id)}};
  }
  if (op == "report.get") return report(request)();
  if (op == "events.since") return events_since(request);
  throw ApiError("unknown_op", "unknown op '" + op +
                                   "'; known: ping, version, instruments.list, protocols.list, "
                                   "jobs.submit, jobs.get, jobs.list, jobs.cancel, jobs.continue, results.get, "
                                   "readings.get, images.list, report.get, events.since");
}

std::optional<ApiHandler::Deferred> ApiHandler::defer(const json& request) {
  if (!request.contains("op") || request.at("op") != "report.get") return std::nullopt;
  refuse_unknown_fields(request, "report.get");
  return report(request);
}

json ApiHandler::submit(const json& request, const std::string& client) {
  if (!request.contains("job")) throw ApiError("missing_field", "field 'job' is required");
  protocols::JobSpec spec;
  try {
    spec = protocols::JobSpec::from_json(request.at("job"));
  } catch (const protocols::JobSpecError& e) {
    throw ApiError("invalid_job", std::string("job.") + e.what());
  }
  const auto registry = protocols_.current();
  const auto* protocol = registry->find(spec.protocol);
  if (!protocol) {
    std::string known;
    for (const auto& [name, p] : registry->all()) known += (known.empty() ? "" : ", ") + name;
    throw ApiError("unknown_protocol", "job.protocol: '" + spec.protocol +
                                           "' is not a protocol; known: " + known);
  }
  auto* worker = scheduler_.find(spec.instrument);
  if (!worker) {
    std::string known;
    for (auto* w : scheduler_.workers()) known += (known.empty() ? "" : ", ") + w->name();
    throw ApiError("unknown_instrument", "job.instrument: '" + spec.instrument +
                                             "' is not configured; instruments: " + known);
  }
  if (worker->instrument().kind() != protocol->instrument_kind_for(spec)) {
    throw ApiError("wrong_instrument", "job.instrument: protocol '" + spec.protocol + "' needs a " +
                                           drivers::to_string(protocol->instrument_kind_for(spec)) + ", but '" +
                                           spec.instrument + "' is a " +
                                           drivers::to_string(worker->instrument().kind()));
  }
  try {
    protocol->validate(spec);
    protocol->validate_on(spec, worker->instrument());
  } catch (const protocols::ProtocolError& e) {
    throw ApiError("invalid_job", e.what());
  } catch (const protocols::JobSpecError& e) {
    throw ApiError("invalid_job", std::string("job.") + e.what());
  }
  RequestKey key;
  if (request.contains("id") && (request.at("id").is_string() || request.at("id").is_number_integer())) {
    const auto& id = request.at("id");
    key.key = client + "/" + (id.is_string() ? id.get<std::string>() : id.dump());
    key.digest = job_digest(request.at("job"));
    key.ttl_s = request_id_ttl_s_;
  }
  auto outcome = store_.insert_job(spec, key);
  if (outcome.conflict) {
    throw ApiError("id_reused", "request id " + request.at("id").dump() + " was already used for job " +
                                    outcome.job_id +
                                    " with different content; a retry sends the same job, a new job "
                                    "needs a new id");
  }
  if (!outcome.duplicate) scheduler_.wake(spec.instrument);
  auto job = require_job(store_, outcome.job_id);
  return {{"job_id", outcome.job_id}, {"state", to_string(job.state)}, {"duplicate", outcome.duplicate}};
}

json ApiHandler::get_job(const json& request) {
  auto job = require_job(store_, string_field(request, "job_id", true));
  auto out = job.to_json(true);
  out["counts"] = store_.read_job_counts(job.id);
  if (auto addition = store_.read_addition(job.id)) out["addition"] = addition->to_json();
  return out;
}

std::string ApiHandler::list_jobs(const json& request) {
  JobListFilter filter;
  auto text = string_field(request, "state", false);
  if (!text.empty()) {
    filter.state = parse_job_state(text);
    if (!filter.state) {
      throw ApiError("invalid_value", "state '" + text + "' is not a job state; use " + job_state_names());
    }
  }
  filter.instrument = string_field(request, "instrument", false);
  filter.before = string_field(request, "before", false);
  if (!filter.before.empty()) require_job(store_, filter.before);
  filter.limit = static_cast<int>(int_field(request, "limit", 100, 1, 10000));
  return job_list_->page_json(filter);
}

json ApiHandler::cancel(const json& request) {
  auto job = require_job(store_, string_field(request, "job_id", true));
  // No test of the state read above: the worker may commit `running` between that read and
  // these calls. A worker records its job before it commits `running` and forgets it only after
  // it committed the outcome, so one of the two always accepts a job that is not finished.
  if (store_.cancel_if_queued(job.id)) return {{"job_id", job.id}, {"state", to_string(JobState::cancelled)}};
  if (scheduler_.cancel_running(job.id)) return {{"job_id", job.id}, {"state", "cancelling"}};
  job = require_job(store_, job.id);
  throw ApiError("invalid_state", "job " + job.id + " is " + to_string(job.state) +
                                      "; only queued, running or waiting jobs can be cancelled");
}

json ApiHandler::continue_job(const json& request) {
  auto job = require_job(store_, string_field(request, "job_id", true));
  // As with cancel, no test of the state read above: the worker opens its gate before it
  // commits `waiting`, so a job shown waiting is always found there.
  if (auto stamp = scheduler_.continue_waiting(job.id)) {
    return {{"job_id", job.id}, {"state", to_string(JobState::running)}, {"added_at", utc_text(stamp->wall)}};
  }
  job = require_job(store_, job.id);
  std::string hint;
  switch (job.state) {
    case JobState::queued:
    case JobState::running:
      hint = "; it has not reached a step that waits for an addition (continue it when "
             "`assayctl jobs` shows it waiting)";
      break;
    case JobState::interrupted:
      hint = "; it resumes at the next start of assayd and waits again";
      break;
    case JobState::waiting:
      hint = " any more (its wait has just ended: timed out or stopped)";
      break;
    default:
      hint = "; it has ended";
      break;
  }
  throw ApiError("invalid_state", "job " + job.id + " is " + to_string(job.state) +
                                      ", not waiting for an addition; only a waiting job can be "
                                      "continued" + hint);
}

json ApiHandler::results(const json& request) {
  auto job = require_job(store_, string_field(request, "job_id", true));
  const auto kind = string_field(request, "kind", false);
  auto rows = store_.read_results(job.id, kind);
  if (!kind.empty() && rows.empty()) {
    // A misspelt kind would read as "no rows": refuse a kind that neither the built-in assays
    // nor this job's rows (a plugin's kinds) use.
    std::set<std::string> kinds{"well", "series", "qc", "field", "colony", "condition"};
    std::set<std::string> of_job;
    for (const auto& row : store_.read_results(job.id, "")) of_job.insert(row["kind"].get<std::string>());
    kinds.insert(of_job.begin(), of_job.end());
    if (!kinds.count(kind)) {
      const std::vector<std::string> names(kinds.begin(), kinds.end());
      std::string message = "kind '" + kind + "' is not a result kind";
      if (auto nearest = protocols::nearest_name(kind, names); !nearest.empty()) {
        message += "; did you mean `" + nearest + "`?";
      }
      std::string list;
      for (const auto& k : of_job) list += (list.empty() ? "" : ", ") + k;
      throw ApiError("invalid_value", message + " (job " + job.id + " has rows of kind: " +
                                          (list.empty() ? "none yet" : list) + ")");
    }
  }
  return {{"job_id", job.id}, {"state", to_string(job.state)}, {"summary", job.summary}, {"rows", rows},
          {"error", job.error.empty() ? json(nullptr) : json{{"code", job.error_code}, {"message", job.error}}}};
}

json ApiHandler::readings(const json& request) {
  auto job = require_job(store_, string_field(request, "job_id", true));
  auto after = int_field(request, "after_id", 0, 0, INT64_MAX);
  auto limit = static_cast<int>(int_field(request, "limit", 50000, 1, 200000));
  auto out = store_.read_readings(job.id, after, limit);
  out["job_id"] = job.id;
  return out;
}

json ApiHandler::events_since(const json& request) {
  auto seq = int_field(request, "seq", 0, 0, INT64_MAX);
  auto limit = static_cast<int>(int_field(request, "limit", 1000, 1, 10000));
  json events = json::array();
  auto job_id = string_field(request, "job_id", false);
  for (const auto& event : store_.read_events_since(seq, limit, job_id)) events.push_back(event.body());
  return {{"events", events}, {"last_seq", last_published_seq_()}};
}

json ApiHandler::instruments() {
  json out = json::array();
  for (auto* worker : scheduler_.workers()) out.push_back(worker->describe());
  return {{"instruments", out}};
}

json ApiHandler::protocol_list() {
  json out = json::array();
  const auto registry = protocols_.current();
  for (const auto& [name, protocol] : registry->all()) {
    json kinds = json::array();
    for (auto kind : protocol->instrument_kinds()) kinds.push_back(drivers::to_string(kind));
    out.push_back({{"name", name},
                   {"description", protocol->description()},
                   {"instrument_kind", drivers::to_string(protocol->instrument_kind())},
                   {"instrument_kinds", kinds}});
  }
  return {{"protocols", out}};
}

}  // namespace assay::daemon
