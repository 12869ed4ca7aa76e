// Test fixtures for the systemd notify protocol: a NOTIFY_SOCKET listener (AF_UNIX datagram
// socket bound in a temp directory, as systemd's own) and a real assayd process started with
// NOTIFY_SOCKET and WATCHDOG_USEC in its environment. Single-threaded test use only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace assay::test {

using Clock = std::chrono::steady_clock;

// One sd_notify() datagram: "KEY=VALUE" lines.
struct NotifyMessage {
  Clock::time_point received;
  std::map<std::string, std::string> fields;
  bool has(const std::string& key) const { return fields.count(key) != 0; }
  std::string get(const std::string& key) const {
    auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
  }
};

class NotifyListener {
 public:
  explicit NotifyListener(std::filesystem::path socket_path);
  ~NotifyListener();
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The next datagram, or nullopt after `timeout`. Every message is also kept in history().
  std::optional<NotifyMessage> receive(std::chrono::milliseconds timeout);
  // Messages until one has `key` (returned), or nullopt when `timeout` runs out.
  std::optional<NotifyMessage> wait_for(const std::string& key, std::chrono::milliseconds timeout);
  const std::vector<NotifyMessage>& history() const { return history_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<NotifyMessage> history_;
};

// assayd run as a child process; stderr goes to log_file. The destructor SIGKILLs it if it is
// still running.
class DaemonProcess {
 public:
  DaemonProcess(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
                const std::filesystem::path& log_file);
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int number) const;
  bool running();
  // Exit status (as from WEXITSTATUS, or 128+signal) once it has exited within `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

std::string read_text(const std::filesystem::path& file);
void write_text(const std::filesystem::path& file, const std::string& text);

}  // namespace assay::test
