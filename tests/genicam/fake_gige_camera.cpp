#include "fake_gige_camera.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "genicam/aravis_camera.hpp"
#include "support/skip.hpp"

extern char** environ;

std::string fake_gige_camera_tool() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    auto candidate = std::filesystem::path(dir) / "arv-fake-gv-camera-0.8";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

FakeGigeCamera::FakeGigeCamera(std::string serial) : serial_(std::move(serial)) {
  if (fake_gige_camera_tool().empty()) {
    assay::testing::skip_test("arv-fake-gv-camera-0.8 is not installed (apt-get install aravis-tools)");
  }
  start();
}

FakeGigeCamera::~FakeGigeCamera() { kill(); }

void FakeGigeCamera::start() {
  REQUIRE(pid_ < 0);
  std::string tool = fake_gige_camera_tool();
  std::vector<std::string> args = {tool, "-i", "127.0.0.1", "-s", serial_};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  int rc = posix_spawn(&pid_, tool.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  // Ready once a real discovery finds it and it accepts a control connection.
  assay::drivers::GenicamCameraSettings wanted;
  wanted.serial = serial_;
  wanted.width_px = 64;
  wanted.height_px = 64;
  std::string last;
  for (int i = 0; i < 40; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL("arv-fake-gv-camera-0.8 exited at start (is UDP port 3956 on 127.0.0.1 taken?)");
    }
    auto camera = assay::drivers::AravisCamera::open(wanted);
    if (camera) return;
    last = camera.status().message();
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  FAIL("the fake camera did not answer within 10 s: " << last);
}

void FakeGigeCamera::kill() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}
