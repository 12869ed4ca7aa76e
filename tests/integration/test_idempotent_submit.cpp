// Issue 13: without a `client` field the idempotency key was the bare ZeroMQ routing id, which
// libzmq hands out the same way after a restart, and keys never expired: a new client's job
// with request id "1" was answered `duplicate` with an old job and never created. Keys are now
// unique to a client across restarts, check what was asked, and expire (api.request_id_ttl_h).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <regex>
#include <thread>

#include "assay/daemon/config.hpp"
#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::HarnessOptions;
using assay::testing::example_job;
using nlohmann::json;

namespace {

// A client connection with a chosen routing id, as libzmq would assign it again after a restart.
// A retry reuses the connection: a second live connection with the same id is refused by ROUTER.
class Peer {
 public:
  Peer(DaemonHarness& daemon, const std::string& routing_id) : dealer_(daemon.context(), zmq::socket_type::dealer) {
    dealer_.set(zmq::sockopt::linger, 0);
    dealer_.set(zmq::sockopt::routing_id, routing_id);
    dealer_.connect(daemon.api_endpoint());
  }
  json ask(const json& request) {
    dealer_.send(zmq::buffer(request.dump()), zmq::send_flags::none);
    zmq::pollitem_t item{dealer_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::seconds(10));
    REQUIRE((item.revents & ZMQ_POLLIN));
    zmq::message_t reply;
    (void)dealer_.recv(reply);
    return json::parse(reply.to_string_view());
  }

 private:
  zmq::socket_t dealer_;
};

json request_as(DaemonHarness& daemon, const std::string& routing_id, const json& request) {
  return Peer(daemon, routing_id).ask(request);
}

json submit_request(const std::string& id, const json& job) {
  return {{"v", 1}, {"id", id}, {"op", "jobs.submit"}, {"job", job}};
}

std::filesystem::path fresh_dir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / (std::string("assayd-") + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace

TEST_CASE("after a restart the same routing id and request id from a new client create its job") {
  auto dir = fresh_dir("idem-routing");
  auto first_job = example_job("demo_plate_read.json");
  auto other_job = first_job;
  other_job["name"] = "another client's job";
  std::string first_id;
  {
    DaemonHarness daemon(dir, {});
    Peer peer(daemon, "peer-1");
    auto first = peer.ask(submit_request("1", first_job));
    REQUIRE(first["ok"] == true);
    first_id = first["result"]["job_id"];
    // The same client retrying in the same run is a duplicate.
    auto retry = peer.ask(submit_request("1", first_job));
    CHECK(retry["result"]["duplicate"] == true);
    CHECK(retry["result"]["job_id"] == first_id);
  }
  {
    DaemonHarness daemon(dir, {});
    auto second = request_as(daemon, "peer-1", submit_request("1", other_job));
    INFO(second.dump());
    REQUIRE(second["ok"] == true);
    CHECK(second["result"]["duplicate"] == false);
    CHECK(second["result"]["job_id"] != first_id);
    CHECK(daemon.query_int("SELECT COUNT(*) FROM jobs") == 2);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a named client's retry is a duplicate across a restart, the same id with another job is refused") {
  auto dir = fresh_dir("idem-client");
  auto job = example_job("demo_plate_read.json");
  json request = submit_request("order-17", job);
  request["client"] = "lims-7";
  std::string first_id;
  {
    DaemonHarness daemon(dir, {});
    auto first = request_as(daemon, "a", request);
    REQUIRE(first["ok"] == true);
    first_id = first["result"]["job_id"];
  }
  {
    DaemonHarness daemon(dir, {});
    auto retry = request_as(daemon, "b", request);
    CHECK(retry["result"]["duplicate"] == true);
    CHECK(retry["result"]["job_id"] == first_id);
    auto changed = request;
    changed["job"]["params"]["flashes"] = 20;
    auto reply = request_as(daemon, "c", changed);
    INFO(reply.dump());
    REQUIRE(reply["ok"] == false);
    CHECK(reply["error"]["code"] == "id_reused");
    CHECK(reply["error"]["message"].get<std::string>().find(first_id) != std::string::npos);
    CHECK(daemon.query_int("SELECT COUNT(*) FROM jobs") == 1);
    // Integer ids are keys too.
    auto numbered = submit_request("x", job);
    numbered["id"] = 5;
    numbered["client"] = "lims-7";
    auto once = request_as(daemon, "d", numbered);
    auto twice = request_as(daemon, "e", numbered);
    CHECK(twice["result"]["duplicate"] == true);
    CHECK(twice["result"]["job_id"] == once["result"]["job_id"]);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a request id expires after api.request_id_ttl_h") {
  HarnessOptions options;
  options.config_toml = std::regex_replace(std::string(assay::daemon::default_config_toml()),
                                           std::regex(R"(request_id_ttl_h = [0-9.]+)"),
                                           "request_id_ttl_h = 0.001");  // 3.6 s: a loaded machine
                                                                          // answers the retry well within it
  DaemonHarness daemon(options);
  json request = submit_request("short-lived", example_job("demo_plate_read.json"));
  request["client"] = "lims-8";
  Peer peer(daemon, "a");
  auto first = peer.ask(request);
  CHECK(peer.ask(request)["result"]["duplicate"] == true);
  std::this_thread::sleep_for(std::chrono::milliseconds(4500));
  auto later = peer.ask(request);
  CHECK(later["result"]["duplicate"] == false);
  CHECK(later["result"]["job_id"] != first["result"]["job_id"]);
}
