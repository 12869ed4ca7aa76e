// Status values returned across the driver boundary.
//
// Drivers never throw to their callers: every operation returns a Status (or a Result<T>, which
// holds either a value or a failed Status). The message says what a person needs to act on:
// which device, which value, what to do. Above the driver boundary callers may turn a failed
// Status into an exception. Status is a plain value type; it is safe to copy between threads.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace assay::drivers {

enum class StatusCode {
  ok,
  invalid_argument,  // the request was wrong (well name, wavelength out of range, ...)
  unsupported,       // the device or driver cannot do this (said plainly, never faked)
  timeout,           // a blocking call ran out of time
  disconnected,      // the device went away
  io_error,          // transport failure other than the above
  protocol_error,    // the device answered something we could not understand
  device_error,      // the device reported a fault
  busy,              // the device is in use
  cancelled,         // the caller asked us to stop
  not_found,         // no such device
  internal,          // a bug in assayd or a driver (e.g. a Result made from an ok Status)
};

const char* to_string(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  bool is_ok() const { return code_ == StatusCode::ok; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "timeout: CLARIOstar did not answer the status request within 2000 ms"
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

// Either a value or a failed Status. A Result made from an ok Status would hold neither; it is
// refused: it becomes a failed Status (code internal) rather than a silent failure with no cause.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Status status) : state_(refuse_ok(std::move(status))) {}

  bool is_ok() const { return state_.index() == 0; }
  explicit operator bool() const { return is_ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  Status status() const { return is_ok() ? Status::ok() : std::get<1>(state_); }

 private:
  static Status refuse_ok(Status status) {
    if (!status.is_ok()) return status;
    return {StatusCode::internal,
            "a Result was made from an ok Status, which carries no value; the code that returned "
            "it must return a value or a failed Status"};
  }

  std::variant<T, Status> state_;
};

}  // namespace assay::drivers
