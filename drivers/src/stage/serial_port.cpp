#include "serial_port.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace assay::drivers {
namespace {

using Clock = std::chrono::steady_clock;

bool baud_constant(int baud, speed_t& out) {
  switch (baud) {
    case 9600: out = B9600; return true;
    case 19200: out = B19200; return true;
    case 38400: out = B38400; return true;
    case 57600: out = B57600; return true;
    case 115200: out = B115200; return true;
    case 230400: out = B230400; return true;
    case 460800: out = B460800; return true;
    case 921600: out = B921600; return true;
    default: return false;
  }
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

Result<std::unique_ptr<SerialPort>> SerialPort::open(const std::string& path, int baud) {
  speed_t speed{};
  if (!baud_constant(baud, speed)) {
    return Status{StatusCode::invalid_argument,
                  "serial baud rate " + std::to_string(baud) +
                      " is not supported; use 9600, 19200, 38400, 57600, 115200, 230400, 460800 "
                      "or 921600"};
  }
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    int err = errno;
    if (err == ENOENT || err == ENXIO || err == ENODEV) {
      return Status{StatusCode::not_found,
                    "serial port " + path + " does not exist; is the controller plugged in?"};
    }
    if (err == EACCES || err == EPERM) {
      return Status{StatusCode::io_error, "no permission to open serial port " + path +
                                              "; add the daemon's user to the group that owns it "
                                              "(usually 'dialout')"};
    }
    return Status{StatusCode::io_error, "cannot open serial port " + path + ": " + std::strerror(err)};
  }
  termios tty{};
  if (::tcgetattr(fd.get(), &tty) != 0) {
    int err = errno;
    return Status{StatusCode::io_error, path + " is not a serial port: " + std::strerror(err)};
  }
  ::cfmakeraw(&tty);
  tty.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS | CSIZE);
  tty.c_cflag |= CS8 | CLOCAL | CREAD;
  tty.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  tty.c_cc[VMIN] = 0;
  tty.c_cc[VTIME] = 0;
  ::cfsetispeed(&tty, speed);
  ::cfsetospeed(&tty, speed);
  if (::tcsetattr(fd.get(), TCSANOW, &tty) != 0) {
    int err = errno;
    return Status{StatusCode::io_error, "cannot configure serial port " + path + ": " + std::strerror(err)};
  }
  ::tcflush(fd.get(), TCIOFLUSH);
  return std::unique_ptr<SerialPort>(new SerialPort(std::move(fd), path));
}

SerialPort::~SerialPort() = default;

Status SerialPort::hang_up(const std::string& doing) {
  hung_up_ = true;
  return {StatusCode::disconnected, "serial port " + path_ + " went away while " + doing};
}

Status SerialPort::write(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) {
  if (!is_connected()) return {StatusCode::disconnected, "serial port " + path_ + " is closed"};
  auto deadline = Clock::now() + timeout;
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd_.get(), bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      if (errno == EIO || errno == ENXIO || errno == ENODEV) return hang_up("writing");
      return {StatusCode::io_error, "writing to " + path_ + ": " + std::strerror(errno)};
    }
    pollfd p{fd_.get(), POLLOUT, 0};
    int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready == 0 || Clock::now() >= deadline) {
      return {StatusCode::timeout, "serial port " + path_ + " accepted " + std::to_string(done) +
                                       " of " + std::to_string(bytes.size()) + " bytes within " +
                                       std::to_string(timeout.count()) + " ms"};
    }
    if (ready > 0 && (p.revents & (POLLHUP | POLLERR)) != 0) return hang_up("writing");
  }
  return Status::ok();
}

Result<std::vector<std::uint8_t>> SerialPort::read(std::size_t max_bytes,
                                                   std::chrono::milliseconds timeout) {
  if (!is_connected()) return Status{StatusCode::disconnected, "serial port " + path_ + " is closed"};
  auto deadline = Clock::now() + timeout;
  std::vector<std::uint8_t> buffer(max_bytes == 0 ? 1 : max_bytes);
  for (;;) {
    ssize_t n = ::read(fd_.get(), buffer.data(), buffer.size());
    if (n > 0) {
      buffer.resize(static_cast<std::size_t>(n));
      return buffer;
    }
    // A raw tty with VMIN = VTIME = 0 returns 0 when nothing is buffered: not an end of file.
    // A hang-up shows as EIO here or as POLLHUP below.
    if (n < 0 && (errno == EIO || errno == ENXIO || errno == ENODEV)) return hang_up("reading");
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return Status{StatusCode::io_error, "reading from " + path_ + ": " + std::strerror(errno)};
    }
    int left = remaining_ms(deadline);
    if (left == 0) {
      return Status{StatusCode::timeout, "no data from serial port " + path_ + " within " +
                                             std::to_string(timeout.count()) + " ms"};
    }
    pollfd p{fd_.get(), POLLIN, 0};
    int ready = ::poll(&p, 1, left);
    // The read above found nothing, so a hang-up here means no more data will come.
    if (ready > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) return hang_up("reading");
  }
}

Status SerialPort::purge() {
  if (!fd_) return {StatusCode::disconnected, "serial port " + path_ + " is closed"};
  if (::tcflush(fd_.get(), TCIOFLUSH) != 0) {
    return {StatusCode::io_error, "purging " + path_ + ": " + std::strerror(errno)};
  }
  return Status::ok();
}

}  // namespace assay::drivers
