#include "notify_fixture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace assay::test {

NotifyListener::NotifyListener(std::filesystem::path socket_path) : path_(std::move(socket_path)) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.string().size() >= sizeof(address.sun_path)) {
    throw std::runtime_error("notify socket path too long: " + path_.string());
  }
  std::strcpy(address.sun_path, path_.c_str());
  std::filesystem::remove(path_);
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot bind notify socket " + path_.string() + ": " +
                             std::strerror(errno));
  }
}

NotifyListener::~NotifyListener() {
  if (fd_ >= 0) ::close(fd_);
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

std::optional<NotifyMessage> NotifyListener::receive(std::chrono::milliseconds timeout) {
  pollfd item{fd_, POLLIN, 0};
  if (::poll(&item, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  char buffer[4096];
  const ssize_t size = ::recv(fd_, buffer, sizeof buffer, 0);
  if (size <= 0) return std::nullopt;
  NotifyMessage message;
  message.received = Clock::now();
  std::istringstream lines(std::string(buffer, static_cast<std::size_t>(size)));
  std::string line;
  while (std::getline(lines, line)) {
    const auto equals = line.find('=');
    if (equals != std::string::npos) message.fields[line.substr(0, equals)] = line.substr(equals + 1);
  }
  history_.push_back(message);
  return message;
}

std::optional<NotifyMessage> NotifyListener::wait_for(const std::string& key,
                                                      std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    auto message = receive(left);
    if (message && message->has(key)) return message;
  }
  return std::nullopt;
}

DaemonProcess::DaemonProcess(const std::vector<std::string>& args,
                             const std::vector<std::string>& extra_env,
                             const std::filesystem::path& log_file) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    // The test's own systemd context must not leak into the daemon's.
    if (text.rfind("NOTIFY_SOCKET=", 0) == 0 || text.rfind("WATCHDOG_", 0) == 0 ||
        text.rfind("JOURNAL_STREAM=", 0) == 0) {
      continue;
    }
    env.push_back(text);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& entry : env) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int error = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    throw std::runtime_error("cannot start " + args.front() + ": " + std::strerror(error));
  }
}

DaemonProcess::~DaemonProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(5));
  }
}

void DaemonProcess::signal(int number) const { ::kill(pid_, number); }

bool DaemonProcess::running() {
  if (status_) return false;
  int status = 0;
  const pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

std::optional<int> DaemonProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (running()) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::trunc);
  out << text;
}

}  // namespace assay::test
