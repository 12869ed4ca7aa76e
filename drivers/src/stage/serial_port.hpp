// A serial port (/dev/ttyUSB0, /dev/ttyACM0, a pseudo-terminal) as a Transport: raw 8N1, no flow
// control, at a fixed baud rate.
//
// Opened non-blocking; every read and write waits with poll() and a deadline, so nothing blocks
// longer than its timeout. A hang-up (cable pulled, USB adapter gone, pty master closed) turns
// into StatusCode::disconnected and is_connected() false. One thread at a time.
#pragma once

#include <memory>
#include <string>

#include "assay/drivers/transport.hpp"
#include "assay/drivers/unique_fd.hpp"

namespace assay::drivers {

class SerialPort final : public Transport {
 public:
  // Fails with not_found (no such device), io_error (permission: says which group to join) or
  // invalid_argument (a baud rate termios does not know).
  static Result<std::unique_ptr<SerialPort>> open(const std::string& path, int baud);
  ~SerialPort() override;
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;

  Status write(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) override;
  Result<std::vector<std::uint8_t>> read(std::size_t max_bytes,
                                         std::chrono::milliseconds timeout) override;
  Status purge() override;
  bool is_connected() const override { return fd_.is_valid() && !hung_up_; }
  const std::string& path() const { return path_; }

 private:
  SerialPort(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  Status hang_up(const std::string& doing);

  UniqueFd fd_;
  std::string path_;
  bool hung_up_ = false;
};

}  // namespace assay::drivers
