// A real headless Chromium driven over the DevTools protocol (its WebSocket): load a page,
// evaluate JavaScript in it, take screenshots. The test is skipped (exit 77) on a machine
// without chromium (Debian package `chromium`, listed in scripts/packages.txt).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "web/web_client.hpp"

namespace assay::testing {

class HeadlessBrowser {
 public:
  HeadlessBrowser(int width, int height);
  ~HeadlessBrowser();
  HeadlessBrowser(const HeadlessBrowser&) = delete;
  HeadlessBrowser& operator=(const HeadlessBrowser&) = delete;

  void navigate(const std::string& url);
  // The value of a JavaScript expression in the page (promises awaited); throws on an exception.
  nlohmann::json evaluate(const std::string& expression);
  // Polls `expression` until it is true; false after `timeout`.
  bool wait_until(const std::string& expression, std::chrono::milliseconds timeout);
  void screenshot(const std::filesystem::path& png);
  pid_t pid() const { return pid_; }

 private:
  nlohmann::json command(const std::string& method, nlohmann::json params);

  std::filesystem::path profile_;
  pid_t pid_ = -1;
  std::unique_ptr<WebSocketClient> devtools_;
  int next_id_ = 1;
};

}  // namespace assay::testing
