// Jobs submitted through the facility bus (docs/facility.md): assayd answers core NATS requests
// on its host's subject and on each of its instruments' subjects
// (facility/include/assay/facility/submit_subjects.hpp), with exactly the reply its API gives to jobs.submit (same validation, same
// idempotent request ids), plus "host": its facility host name.
//
// A request arrives on a libnats thread and is answered on the io thread, like a request on the
// API socket; the reply is published without waiting for the network. Nothing here can stall
// the io thread or the instrument workers when NATS is slow or away.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api_handler.hpp"
#include "asio.hpp"
#include "assay/daemon/config.hpp"
#include "assay/facility/nats_requests.hpp"

namespace assay::daemon {

class FacilitySubmits {
 public:
  FacilitySubmits(const FacilityBridgeConfig& config, boost::asio::io_context& io, ApiHandler& handler,
                  std::function<std::size_t()> max_message_bytes);
  ~FacilitySubmits();

  // The instruments this host takes requests for by name; io thread (at start and after a reload).
  void serve_instruments(const std::vector<std::string>& names);

  // The reply to one request body that came on `subject`; io thread. Public for the tests.
  std::string answer(const std::string& subject, const std::string& body);

 private:
  std::string host_;
  boost::asio::io_context& io_;
  ApiHandler& handler_;
  std::function<std::size_t()> max_message_bytes_;
  std::vector<std::string> instruments_;
  std::unique_ptr<facility::NatsResponder> responder_;
};

}  // namespace assay::daemon
