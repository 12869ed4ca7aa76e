// Issue 13: the state folder on a full disk (a small tmpfs, mounted by the test; skipped with
// exit code 77 where mounting is not allowed). assayd answers with a clear error, keeps
// everything already stored intact, and works again once there is space.
#include <catch2/catch.hpp>

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::HarnessOptions;
using assay::testing::readers_only_config;
using assay::testing::slow_plate_read;
using nlohmann::json;

namespace {

// A tmpfs of `size_mb` at `dir`, unmounted when done.
class SmallDisk {
 public:
  SmallDisk(std::filesystem::path dir, int size_mb) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    auto options = "size=" + std::to_string(size_mb) + "m,mode=0755";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      std::printf("skipped: cannot mount a tmpfs at %s (%s); needs root\n", dir_.c_str(), std::strerror(errno));
      std::filesystem::remove_all(dir_);
      std::exit(77);
    }
  }
  ~SmallDisk() {
    ::umount2(dir_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(dir_);
  }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

// Writes a file until the disk refuses more; returns its path.
std::filesystem::path fill(const std::filesystem::path& dir) {
  auto path = dir / "filler";
  std::FILE* file = std::fopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  std::vector<char> block(64 * 1024, 'x');
  while (std::fwrite(block.data(), 1, block.size(), file) == block.size()) {
  }
  std::fclose(file);
  return path;
}

}  // namespace

TEST_CASE("a full disk gives a clear error, damages nothing stored, and assayd recovers when space returns") {
  SmallDisk disk(std::filesystem::temp_directory_path() / ("assayd-small-disk-" + std::to_string(::getpid())), 12);
  HarnessOptions options;
  options.config_toml = readers_only_config(0.005);
  DaemonHarness daemon(disk.dir() / "state", options);
  auto before = daemon.submit(slow_plate_read(1));
  daemon.wait_for_state(before, "succeeded");
  const auto stored = daemon.query_int("SELECT COUNT(*) FROM readings");

  auto filler = fill(disk.dir());
  // A job on a full disk: refused at submit, or failed at its first readings (recorded as soon as
  // there is space for that); each says why.
  auto reply = daemon.request("jobs.submit", {{"job", slow_plate_read(30)}});
  INFO(reply.dump());
  std::string refused_id;
  std::printf("full disk: submit answered %s\n", reply.dump().c_str());
  if (reply["ok"] == false) {
    CHECK(reply["error"]["code"] == "disk_full");
    CHECK(reply["error"]["message"].get<std::string>().find("free space") != std::string::npos);
  } else {
    refused_id = reply["result"]["job_id"];
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  CHECK(daemon.call("ping")["pong"] == true);
  CHECK(daemon.running());

  std::filesystem::remove(filler);
  if (!refused_id.empty()) {
    auto job = daemon.wait_for_state(refused_id, "failed");
    std::printf("full disk: the job accepted then ended %s\n", job["error"].dump().c_str());
    CHECK(job["error"]["code"] == "disk_full");
  }
  auto after = daemon.submit(slow_plate_read(2));
  daemon.wait_for_state(after, "succeeded");
  CHECK(daemon.query_int("SELECT COUNT(*) FROM readings WHERE job_id = '" + before + "'") == stored);
  auto db = daemon.open_database();
  auto integrity = db.prepare("PRAGMA integrity_check");
  REQUIRE(integrity.step());
  CHECK(integrity.column_text(0) == "ok");
  CHECK(daemon.stop() == 0);
}
