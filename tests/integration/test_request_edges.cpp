// Issue 13 "Also": what assayd leaves readable on disk, and requests at the edge of the API:
// multipart messages, misspelt fields.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::example_job;
using nlohmann::json;

namespace {

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

}  // namespace

TEST_CASE("started by hand, the state folder is 0750 and the database, WAL and job files 0640") {
  // As `mkdir state` leaves it for a user with umask 022: open to everyone.
  auto made = std::filesystem::temp_directory_path() / ("assayd-modes-" + std::to_string(::getpid()));
  std::filesystem::remove_all(made);
  std::filesystem::create_directories(made);
  std::filesystem::permissions(made, std::filesystem::perms(0755));
  DaemonHarness daemon(made, {});
  auto id = daemon.submit(example_job("demo_plate_read.json"));
  daemon.wait_for_state(id, "succeeded");
  const auto& dir = daemon.state_dir();
  CHECK(mode_of(dir) == 0750);
  CHECK(mode_of(dir / "assayd.db") == 0640);
  CHECK(mode_of(dir / "assayd.db-wal") == 0640);
  CHECK(mode_of(dir / "jobs") == 0750);
  CHECK(mode_of(dir / "jobs" / id) == 0750);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "jobs")) {
    INFO(entry.path());
    CHECK((mode_of(entry.path()) & 0007) == 0);
  }
  daemon.stop();
  std::filesystem::remove_all(made);
}

TEST_CASE("a multipart request gets one error reply and none of its frames back") {
  DaemonHarness daemon;
  zmq::socket_t dealer(daemon.context(), zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(daemon.api_endpoint());
  dealer.send(zmq::str_buffer("frame-one-secret"), zmq::send_flags::sndmore);
  dealer.send(zmq::str_buffer("frame-two-secret"), zmq::send_flags::sndmore);
  dealer.send(zmq::str_buffer(R"({"v":1,"id":"m","op":"ping"})"), zmq::send_flags::none);
  zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, std::chrono::seconds(5));
  REQUIRE((item.revents & ZMQ_POLLIN));
  std::vector<std::string> frames;
  while (true) {
    zmq::message_t frame;
    (void)dealer.recv(frame);
    frames.push_back(frame.to_string());
    if (!frame.more()) break;
  }
  REQUIRE(frames.size() == 1);
  auto reply = json::parse(frames[0]);
  CHECK(reply["error"]["code"] == "bad_request");
  CHECK(reply["error"]["message"].get<std::string>().find("got 3 frames") != std::string::npos);
  CHECK(frames[0].find("secret") == std::string::npos);
  CHECK(daemon.call("ping")["pong"] == true);
}

TEST_CASE("a misspelt field is refused, not read as its default") {
  DaemonHarness daemon;
  auto reply = daemon.request("events.since", {{"sqe", 5}});
  REQUIRE(reply["ok"] == false);
  CHECK(reply["error"]["code"] == "unknown_field");
  CHECK(reply["error"]["message"].get<std::string>().find("'sqe' is not a field of events.since") !=
        std::string::npos);
  CHECK(daemon.request("jobs.list", {{"limt", 5}})["error"]["code"] == "unknown_field");
  CHECK(daemon.request("events.since", {{"seq", 0}, {"limit", 5}, {"client", "me"}})["ok"] == true);
}
