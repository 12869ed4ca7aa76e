#include "assay/drivers/status.hpp"

namespace assay::drivers {

const char* to_string(StatusCode code) {
  switch (code) {
    case StatusCode::ok: return "ok";
    case StatusCode::invalid_argument: return "invalid_argument";
    case StatusCode::unsupported: return "unsupported";
    case StatusCode::timeout: return "timeout";
    case StatusCode::disconnected: return "disconnected";
    case StatusCode::io_error: return "io_error";
    case StatusCode::protocol_error: return "protocol_error";
    case StatusCode::device_error: return "device_error";
    case StatusCode::busy: return "busy";
    case StatusCode::cancelled: return "cancelled";
    case StatusCode::not_found: return "not_found";
    case StatusCode::internal: return "internal";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  return std::string(drivers::to_string(code_)) + ": " + message_;
}

}  // namespace assay::drivers
