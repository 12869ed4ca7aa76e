#include "facility_submit.hpp"

#include <algorithm>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>

#include "assay/facility/nats_requests.hpp"
#include "assay/facility/submit_subjects.hpp"
#include "assay/protocols/bounded_json.hpp"
#include "client.hpp"
#include "curve_auth.hpp"

namespace assay::ctl {

using nlohmann::json;

namespace {

// Hosts on one nats-server answer within milliseconds of each other; this is the wait for a
// second one after the first.
constexpr int kWhoHasLingerMs = 300;

// The hosts that say they have `instrument` (facility/.../submit_subjects.hpp); exits with the
// hosts named when there is more than one, as a job sent by that name could run on either.
std::vector<std::string> hosts_with_instrument(const facility::NatsSettings& settings, const std::string& instrument) {
  std::vector<std::string> hosts;
  for (const auto& text : facility::nats_gather(settings, facility::who_has_subject_for_instrument(instrument), "{}",
                                                kWhoHasLingerMs)) {
    auto reply = json::parse(text, nullptr, false);
    if (reply.is_object() && reply.value("host", json()).is_string()) hosts.push_back(reply["host"]);
  }
  std::sort(hosts.begin(), hosts.end());
  hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
  if (hosts.size() > 1) {
    std::string list;
    for (const auto& host : hosts) list += (list.empty() ? "" : ", ") + host;
    std::cerr << "instrument '" << instrument << "' is on " << hosts.size() << " hosts (" << list
              << "): a job sent by that name could run on any of them, so it is not sent. Give each instrument a "
                 "facility-wide unique name (name = in the [[instruments]] of all but one host's assayd.toml, then "
                 "systemctl reload assayd), or choose the host now with --host "
              << hosts.front() << "\n";
    exit_with(kExitRefused);
  }
  return hosts;
}

}  // namespace

void facility_submit(const ClientOptions& options, json fields, const std::string& request_id,
                     const std::string& host) {
  const auto& job = fields["job"];
  const std::string instrument = job.is_object() ? job.value("instrument", std::string()) : std::string();
  std::string subject, target;
  const bool by_instrument = host.empty() && facility::is_routable_instrument_name(instrument);
  if (!host.empty()) {
    subject = facility::submit_subject_for_host(host);
    target = "host '" + host + "'";
  } else if (by_instrument) {
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
    // By name only when one host has the name; then to that host, so that it runs where it was checked.
    if (by_instrument) {
      const auto hosts = hosts_with_instrument(settings, instrument);
      if (hosts.size() == 1) subject = facility::submit_subject_for_host(hosts.front());
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
  } catch (const CLI::RuntimeError&) {
    throw;  // an exit already decided (an ambiguous instrument name)
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
