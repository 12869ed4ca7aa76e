#include "assay/protocols/protocol.hpp"

namespace assay::protocols {

void throw_if_failed(const drivers::Status& status, const std::string& doing) {
  if (status.is_ok()) return;
  if (status.code() == drivers::StatusCode::cancelled) {
    throw ProtocolError("cancelled", doing + " was stopped: " + status.message());
  }
  throw ProtocolError("instrument_error", doing + " failed: " + status.to_string());
}

}  // namespace assay::protocols
