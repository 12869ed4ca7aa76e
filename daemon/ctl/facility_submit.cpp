#include "facility_submit.hpp"

#include <iostream>

#include "assay/facility/nats_requests.hpp"
#include "assay/facility/submit_subjects.hpp"
#include "assay/protocols/bounded_json.hpp"
#include "client.hpp"
#include "curve_auth.hpp"

namespace assay::ctl {

using nlohmann::json;

void facility_submit(const ClientOptions& options, json fields, const std::string& request_id,
                     const std::string& host) {
  const auto& job = fields["job"];
  const std::string instrument = job.is_object() ? job.value("instrument", std::string()) : std::string();
  std::string subject, target;
  if (!host.empty()) {
    subject = facility::submit_subject_for_host(host);
    target = "host '" + host + "'";
  } else if (facility::is_routable_instrument_name(instrument)) {
    subject = facility::submit_subject_for_instrument(instrument);
    target = "instrument '" + instrument + "'";
  } else {
    std::cerr << "job.instrument: " << (instrument.empty() ? std::string("missing") : "'" + instrument + "'")
              << "; the facility routes a job by its instrument's name (letters, digits, '-', '_'), or give --host\n";
    exit_with(kExitUsage);
  }
  // An id always: the reply is matched by it, and a retry after a lost reply needs it.
  const std::string id = request_id.empty() ? new_request_id() : request_id;
  fields["v"] = 1;
  fields["id"] = id;
  fields["op"] = "jobs.submit";
  fields["client"] = client_name();
  facility::NatsSettings settings;
  settings.url = options.facility_nats_url;
  settings.ca_file = options.facility_nats_ca;
  settings.client_name = "assayctl";
  settings.timeout_ms = options.timeout_ms;
  std::string text;
  try {
    if (!options.facility_nats_credentials.empty()) {
      settings.credentials_file = daemon::resolve_key_path(options.facility_nats_credentials).string();
    }
    text = facility::nats_request(settings, subject, fields.dump());
  } catch (const facility::NatsNoResponders&) {
    std::cerr << "no host has " << target << " on the facility bus at " << options.facility_nats_url
              << " (no assayd with [facility] submits listens on " << subject
              << "); check the name, or that its host is up\n";
    exit_with(kExitNotFound);
  } catch (const facility::NatsRequestTimeout&) {
    std::cerr << "no reply from the host of " << target << " within " << options.timeout_ms
              << " ms; it may have taken the job: send it again with --request-id " << id
              << " (the same id never makes a second job)\n";
    exit_with(kExitUnreachable);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    exit_with(kExitUnreachable);
  }
  auto parsed = protocols::parse_bounded_json(text);
  if (!parsed.ok() || !parsed.value.is_object()) {
    std::cerr << "the host of " << target << " sent a reply that is not a JSON object: " << text.substr(0, 200) << "\n";
    exit_with(kExitRefused);
  }
  const auto& reply = parsed.value;
  const auto from = reply.value("host", std::string("?"));
  if (!reply.value("ok", false)) {
    const auto& error = reply.value("error", json::object());
    std::cerr << "error (" << error.value("code", "error") << ") from host " << from << ": "
              << error.value("message", "") << "\n";
    exit_with(error.value("code", "") == "not_found" ? kExitNotFound : kExitRefused);
  }
  const auto& result = reply["result"];
  std::cout << from << "/" << result.value("job_id", std::string()) << "\n";
  if (result.value("duplicate", false)) std::cerr << "(request id seen before: this is the first job)\n";
}

}  // namespace assay::ctl
