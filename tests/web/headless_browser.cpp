#include "web/headless_browser.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <thread>

#include "support/skip.hpp"

extern char** environ;

namespace assay::testing {
namespace {

namespace fs = std::filesystem;

std::string find_chromium() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  return {};
}

std::string base64_decode(const std::string& text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    const auto at = alphabet.find(c);
    if (at == std::string::npos) continue;  // padding, line breaks
    bits = (bits << 6) | static_cast<unsigned>(at);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

}  // namespace

HeadlessBrowser::HeadlessBrowser(int width, int height) {
  const auto chromium = find_chromium();
  if (chromium.empty()) skip_test("chromium is not installed (apt-get install chromium)");
  std::string pattern = (fs::temp_directory_path() / "assayd-chromium-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  profile_ = pattern;
  std::vector<std::string> args{chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                                "--user-data-dir=" + profile_.string(), "--remote-debugging-port=0",
                                "--window-size=" + std::to_string(width) + "," + std::to_string(height), "about:blank"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const auto log = (profile_ / "chromium.log").string();
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + chromium);

  // Chromium writes the port it chose, then the browser's path, to DevToolsActivePort.
  unsigned short port = 0;
  for (int i = 0; i < 600 && port == 0; ++i) {
    std::ifstream in(profile_ / "DevToolsActivePort");
    std::string line;
    if (std::getline(in, line) && !line.empty()) port = static_cast<unsigned short>(std::stoi(line));
    else std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (port == 0) throw std::runtime_error("chromium did not open its DevTools port within 30 s; see " + log);
  const auto targets = nlohmann::json::parse(http_get(port, "/json/list").body);
  for (const auto& target : targets) {
    if (target.value("type", "") != "page") continue;
    const auto url = target["webSocketDebuggerUrl"].get<std::string>();
    const auto path = url.substr(url.find('/', std::string("ws://").size()));
    devtools_ = std::make_unique<WebSocketClient>(port, path);
    break;
  }
  if (!devtools_) throw std::runtime_error("chromium shows no page target");
  command("Page.enable", nlohmann::json::object());
}

HeadlessBrowser::~HeadlessBrowser() {
  devtools_.reset();
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  std::error_code ignored;
  fs::remove_all(profile_, ignored);
}

nlohmann::json HeadlessBrowser::command(const std::string& method, nlohmann::json params) {
  const int id = next_id_++;
  devtools_->send(nlohmann::json{{"id", id}, {"method", method}, {"params", std::move(params)}}.dump());
  while (true) {
    auto text = devtools_->next(std::chrono::seconds(60));
    if (!text) throw std::runtime_error("chromium did not answer " + method);
    auto message = nlohmann::json::parse(*text);
    if (message.value("id", 0) != id) continue;  // an event, or an earlier command's late answer
    if (message.contains("error")) throw std::runtime_error(method + ": " + message["error"].dump());
    return message["result"];
  }
}

void HeadlessBrowser::navigate(const std::string& url) { command("Page.navigate", {{"url", url}}); }

nlohmann::json HeadlessBrowser::evaluate(const std::string& expression) {
  auto result = command("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
  if (result.contains("exceptionDetails")) {
    throw std::runtime_error("page threw on `" + expression + "`: " + result["exceptionDetails"].dump());
  }
  return result["result"].value("value", nlohmann::json());
}

bool HeadlessBrowser::wait_until(const std::string& expression, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (evaluate("Boolean(" + expression + ")") == true) return true;
    } catch (const std::runtime_error&) {
      // the page may be between documents
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void HeadlessBrowser::screenshot(const fs::path& png) {
  auto result = command("Page.captureScreenshot", {{"format", "png"}, {"captureBeyondViewport", true}});
  std::ofstream(png, std::ios::binary) << base64_decode(result["data"].get<std::string>());
}

}  // namespace assay::testing
