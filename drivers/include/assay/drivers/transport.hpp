// Byte transport to an instrument: USB bulk, FTDI serial, a serial port or a scripted fake.
//
// The one seam through which drivers reach the OS, as LevelDB's Env: tests swap in a scripted
// transport that can time out, stall, drop bytes or vanish. Every call has a timeout and returns
// a Status; none blocks forever. A Transport is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "assay/drivers/status.hpp"

namespace assay::drivers {

class Transport {
 public:
  virtual ~Transport() = default;

  virtual Status write(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) = 0;
  // Reads what is available, up to max_bytes, waiting at most `timeout` for the first byte.
  // An empty result with an ok Status never happens: no data is a timeout.
  virtual Result<std::vector<std::uint8_t>> read(std::size_t max_bytes,
                                                 std::chrono::milliseconds timeout) = 0;
  // Drops anything buffered in either direction.
  virtual Status purge() = 0;
  virtual bool is_connected() const = 0;
};

}  // namespace assay::drivers
