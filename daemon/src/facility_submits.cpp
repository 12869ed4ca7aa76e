#include "facility_submits.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "api_reply.hpp"
#include "assay/facility/submit_subjects.hpp"
#include "assay/protocols/bounded_json.hpp"
#include "curve_auth.hpp"

namespace assay::daemon {
namespace {

using nlohmann::json;

const std::string kInstrumentPrefix = facility::submit_subject_for_instrument("");
const std::string kWhoHasPrefix = facility::who_has_subject_for_instrument("");
// Every host answers in one queue group: should two hosts have an instrument of the same name,
// a request still makes one job, never one on each.
const std::string kQueueGroup = "assayd";
// The key of an idempotent submit when the request names no `client`: one for the whole bus, so
// a retry over a new connection (every request has its own reply inbox) finds the first job.
const std::string kDefaultClient = "facility";

// The reply with "host" added: the requester learns where its job is (or who refused it).
std::string with_host(const std::string& reply, const std::string& host) {
  auto parsed = json::parse(reply, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return reply;
  parsed["host"] = host;
  return parsed.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

FacilitySubmits::FacilitySubmits(const FacilityBridgeConfig& config, boost::asio::io_context& io, ApiHandler& handler,
                                 std::function<std::size_t()> max_message_bytes)
    : host_(config.host), io_(io), handler_(handler), max_message_bytes_(std::move(max_message_bytes)) {
  facility::NatsSettings settings;
  settings.url = config.nats_url;
  settings.ca_file = config.ca_file;
  settings.client_name = "assayd " + config.host + " submits";
  if (!config.credentials_file.empty()) settings.credentials_file = resolve_key_path(config.credentials_file).string();
  responder_ = std::make_unique<facility::NatsResponder>(
      settings, [this](const std::string& subject, std::string body, std::string reply_to) {
        if (subject.rfind(kWhoHasPrefix, 0) == 0) {
          // Answered here and now: it reads nothing but the host's name.
          const json here{{"host", host_}, {"instrument", subject.substr(kWhoHasPrefix.size())}};
          try {
            responder_->reply(reply_to, here.dump());
          } catch (const std::exception& e) {
            spdlog::warn("facility: cannot answer {}: {}", subject, e.what());
          }
          return;
        }
        boost::asio::post(io_, [this, subject, body = std::move(body), reply_to = std::move(reply_to)] {
          try {
            responder_->reply(reply_to, answer(subject, body));
          } catch (const std::exception& e) {
            // The requester times out and may retry with the same id: nothing is lost.
            spdlog::warn("facility: cannot answer a submit on {}: {}", subject, e.what());
          }
        });
      });
  responder_->listen(facility::submit_subject_for_host(host_), kQueueGroup);
  spdlog::info("facility: taking jobs submitted on {} and {}<instrument>", facility::submit_subject_for_host(host_),
               kInstrumentPrefix);
}

FacilitySubmits::~FacilitySubmits() = default;

void FacilitySubmits::serve_instruments(const std::vector<std::string>& names) {
  for (const auto& old : instruments_) {
    if (std::find(names.begin(), names.end(), old) == names.end()) {
      responder_->stop_listening(facility::submit_subject_for_instrument(old));
      responder_->stop_listening(facility::who_has_subject_for_instrument(old));
    }
  }
  instruments_.clear();
  for (const auto& name : names) {
    if (!facility::is_routable_instrument_name(name)) {
      spdlog::warn("facility: instrument '{}' cannot be named on the bus (only letters, digits, '-' and '_'); "
                   "jobs for it come through {} only", name, facility::submit_subject_for_host(host_));
      continue;
    }
    try {
      responder_->listen(facility::submit_subject_for_instrument(name), kQueueGroup);
      // Every host with the name answers (no queue group), so a name on two hosts shows.
      responder_->listen(facility::who_has_subject_for_instrument(name), "");
      instruments_.push_back(name);
    } catch (const facility::NatsError& e) {
      spdlog::error("facility: jobs for instrument '{}' cannot come by its name: {}", name, e.what());
    }
  }
}

std::string FacilitySubmits::answer(const std::string& subject, const std::string& body) {
  const auto max_bytes = max_message_bytes_();
  // What the API checks itself (size, JSON, envelope) it answers itself, in its own words.
  auto parsed = body.size() <= max_bytes ? protocols::parse_bounded_json(body) : protocols::BoundedJson{};
  if (parsed.ok() && parsed.value.is_object()) {
    const auto& request = parsed.value;
    const json id = request.contains("id") ? request.at("id") : json(nullptr);
    if (request.value("op", json()) != "jobs.submit") {
      return with_host(error_reply(id, "unknown_op", "the facility bus takes jobs.submit only; other ops go to "
                                                     "the host's own API (assayctl --api or --state-dir)"),
                       host_);
    }
    // Routed by name: the job must be for that instrument, not quietly for another one here.
    if (subject.rfind(kInstrumentPrefix, 0) == 0 && request.contains("job") && request.at("job").is_object()) {
      const auto routed = subject.substr(kInstrumentPrefix.size());
      const auto named = request.at("job").value("instrument", json());
      if (named.is_string() && named.get<std::string>() != routed) {
        return with_host(error_reply(id, "wrong_instrument",
                                     "job.instrument: '" + named.get<std::string>() + "', but the request was sent to "
                                     "instrument '" + routed + "' (" + subject + ")"),
                         host_);
      }
    }
  }
  return with_host(reply_to_request(body, kDefaultClient, max_bytes, handler_), host_);
}

}  // namespace assay::daemon
