// The assayctl side of the API: a DEALER socket that sends one request and waits for its reply,
// and a SUB socket for events. Endpoints come from --api/--events, --state-dir, $ASSAYD_STATE_DIR,
// /run/assayd when a service runs there, or ./state, in that order. Single-threaded.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "commands.hpp"

namespace assay::ctl {

struct Endpoints {
  std::string api;
  std::string events;
};

Endpoints resolve_endpoints(const ClientOptions& options);

class ApiClient {
 public:
  explicit ApiClient(const ClientOptions& options);
  // Sends {"v":1,"id":...,"op":op, ...fields}; returns the reply's result. On an error reply,
  // prints "error (code): message" to stderr and exits kExitRefused (kExitNotFound for not_found,
  // kExitUsage for message_too_large; an error reply with "id": null answers this request);
  // with no reply within the timeout, exits kExitUnreachable.
  nlohmann::json call(const std::string& op, nlohmann::json fields = nlohmann::json::object());
  // The same, but returns the whole reply (ok or not) instead of exiting on an error reply.
  nlohmann::json call_raw(const std::string& op, nlohmann::json fields);
  zmq::context_t& context() { return context_; }
  const Endpoints& endpoints() const { return endpoints_; }
  void secure(zmq::socket_t& socket) const;

 private:
  ClientOptions options_;
  Endpoints endpoints_;
  zmq::context_t context_{1};
  zmq::socket_t socket_;
};

std::string new_request_id();
// The `client` of assayctl's requests, "assayctl:USER@HOST": a retried submit from this user on
// this machine finds its first job, by the API or through the facility bus.
std::string client_name();

}  // namespace assay::ctl
