#include "client.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>

#include "assay/protocols/bounded_json.hpp"
#include "curve_auth.hpp"

namespace assay::ctl {
namespace {

namespace fs = std::filesystem;

Endpoints from_state_dir(const fs::path& dir) {
  auto run = fs::absolute(dir) / "run";
  return {"ipc://" + (run / "api.sock").string(), "ipc://" + (run / "events.sock").string()};
}

}  // namespace

std::string new_request_id() {
  std::random_device device;
  std::mt19937_64 generator(device());
  char text[24];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(generator()));
  return text;
}

std::string client_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const char* user = std::getenv("USER");
  return std::string("assayctl:") + (user ? user : "?") + "@" + host;
}

Endpoints resolve_endpoints(const ClientOptions& options) {
  Endpoints endpoints;
  if (!options.state_dir.empty()) {
    endpoints = from_state_dir(options.state_dir);
  } else if (const char* env = std::getenv("ASSAYD_STATE_DIR"); env && *env) {
    endpoints = from_state_dir(env);
  } else if (fs::exists("/run/assayd/api.sock")) {
    endpoints = {"ipc:///run/assayd/api.sock", "ipc:///run/assayd/events.sock"};
  } else {
    endpoints = from_state_dir("state");
  }
  if (!options.api_endpoint.empty()) endpoints.api = options.api_endpoint;
  if (!options.events_endpoint.empty()) endpoints.events = options.events_endpoint;
  return endpoints;
}

ApiClient::ApiClient(const ClientOptions& options)
    : options_(options), endpoints_(resolve_endpoints(options)), socket_(context_, zmq::socket_type::dealer) {
  socket_.set(zmq::sockopt::linger, 0);
  secure(socket_);
  if (endpoints_.api.rfind("ipc://", 0) == 0 && !fs::exists(endpoints_.api.substr(6))) {
    std::cerr << "assayd is not running at " << endpoints_.api
              << " (no socket file); start it, or point assayctl at it with --state-dir or --api\n";
    exit_with(kExitUnreachable);
  }
  socket_.connect(endpoints_.api);
}

void ApiClient::secure(zmq::socket_t& socket) const {
  if (options_.curve_server_key.empty()) return;
  if (options_.curve_client_keys.empty()) {
    std::cerr << "--curve-server-key needs --curve-client-key PREFIX (files from `assayctl keygen`)\n";
    exit_with(kExitUsage);
  }
  try {
    auto server_key = daemon::curve_key_from_text_or_file(options_.curve_server_key);
    auto client = daemon::read_curve_secret_key_file(options_.curve_client_keys + ".key");
    daemon::configure_curve_client(socket, server_key, client);
  } catch (const std::exception& e) {
    std::cerr << "CURVE keys: " << e.what() << "\n";
    exit_with(kExitUsage);
  }
}

nlohmann::json ApiClient::call_raw(const std::string& op, nlohmann::json fields) {
  auto id = new_request_id();
  if (fields.contains("id")) id = fields["id"].get<std::string>();
  fields["v"] = 1;
  fields["id"] = id;
  fields["op"] = op;
  if (!fields.contains("client")) fields["client"] = client_name();
  socket_.send(zmq::buffer(fields.dump()), zmq::send_flags::none);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, left);
    if (!(item.revents & ZMQ_POLLIN)) continue;
    zmq::message_t frame;
    if (!socket_.recv(frame, zmq::recv_flags::dontwait)) continue;
    auto parsed = protocols::parse_bounded_json(frame.to_string_view());
    if (!parsed.ok()) {
      std::cerr << "assayd sent a reply that is not JSON: " << parsed.error << "\n";
      exit_with(kExitRefused);
    }
    // The daemon answers a request it could not read (too large, not JSON) with "id": null; this
    // client has one request in flight, so that error is the answer to it.
    auto& reply = parsed.value;
    const auto reply_id = reply.value("id", nlohmann::json());
    if (reply_id.is_null() && !reply.value("ok", true)) return reply;
    if (reply_id != id) continue;  // a late reply to an earlier request
    return reply;
  }
  std::cerr << "no reply from assayd at " << endpoints_.api << " within " << options_.timeout_ms
            << " ms; is it running? (--timeout-ms raises the wait)\n";
  exit_with(kExitUnreachable);
}

nlohmann::json ApiClient::call(const std::string& op, nlohmann::json fields) {
  auto reply = call_raw(op, std::move(fields));
  if (reply.value("ok", false)) return reply["result"];
  auto code = reply["error"].value("code", "error");
  std::cerr << "error (" << code << "): " << reply["error"].value("message", "") << "\n";
  // A request too large to send is a problem of the input file, as a file that is not JSON is.
  exit_with(code == "not_found" ? kExitNotFound : code == "message_too_large" ? kExitUsage : kExitRefused);
}

}  // namespace assay::ctl
