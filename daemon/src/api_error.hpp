// An error reply of the API: a stable code a program can test and a message a person can act on.
#pragma once

#include <stdexcept>
#include <string>

namespace assay::daemon {

class ApiError : public std::runtime_error {
 public:
  ApiError(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

}  // namespace assay::daemon
