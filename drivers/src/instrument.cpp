#include "assay/drivers/instrument.hpp"

namespace assay::drivers {

const char* to_string(InstrumentKind kind) {
  switch (kind) {
    case InstrumentKind::plate_reader: return "plate_reader";
    case InstrumentKind::imager: return "imager";
  }
  return "unknown";
}

const char* to_string(InstrumentState state) {
  switch (state) {
    case InstrumentState::offline: return "offline";
    case InstrumentState::online: return "online";
    case InstrumentState::busy: return "busy";
    case InstrumentState::error: return "error";
  }
  return "unknown";
}

}  // namespace assay::drivers
