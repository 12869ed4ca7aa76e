// The API contract over real ZeroMQ: one reply per request, clear errors, idempotent submits.
#include <catch2/catch.hpp>

#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::example_job;
using nlohmann::json;

namespace {

std::string error_code(const json& reply) {
  INFO(reply.dump());
  REQUIRE_FALSE(reply.value("ok", true));
  return reply["error"]["code"].get<std::string>();
}

json plate_read_job() { return example_job("demo_plate_read.json"); }

}  // namespace

TEST_CASE("ping, version and the embedded default's instruments answer") {
  DaemonHarness daemon;
  auto pong = daemon.call("ping");
  CHECK(pong["pong"] == true);
  CHECK(daemon.call("version")["api"] == 1);
  auto instruments = daemon.call("instruments.list")["instruments"];
  std::vector<std::string> names;
  for (const auto& i : instruments) names.push_back(i["name"]);
  CHECK(names == std::vector<std::string>{"sim-imager", "sim-reader"});
  CHECK(instruments[1]["kind"] == "plate_reader");
  CHECK(instruments[0]["kind"] == "imager");
}

TEST_CASE("malformed and invalid requests get an error reply and the daemon keeps serving") {
  DaemonHarness daemon;
  auto bad_json = json::parse(daemon.request_raw("{not json"));
  CHECK(error_code(bad_json) == "bad_json");
  CHECK(error_code(json::parse(daemon.request_raw("[1,2]"))) == "bad_request");
  // `id` is optional (docs/api.md); a present id of the wrong type is refused.
  auto no_id = json::parse(daemon.request_raw(R"({"op":"ping"})"));
  CHECK(no_id["ok"] == true);
  CHECK(no_id["id"].is_null());
  CHECK(error_code(json::parse(daemon.request_raw(R"({"op":"ping","id":[1]})"))) == "wrong_type");
  CHECK(error_code(daemon.request("no.such.op")) == "unknown_op");
  CHECK(error_code(daemon.request("jobs.get")) == "missing_field");
  CHECK(error_code(daemon.request("jobs.get", {{"job_id", 12}})) == "wrong_type");
  CHECK(error_code(daemon.request("jobs.get", {{"job_id", "J999999"}})) == "not_found");
  CHECK(error_code(daemon.request("jobs.list", {{"state", "sleeping"}})) == "invalid_value");
  CHECK(error_code(daemon.request("events.since", {{"seq", "x"}})) == "wrong_type");

  auto job = plate_read_job();
  job["instrument"] = "reader-9";
  auto reply = daemon.request("jobs.submit", {{"job", job}});
  CHECK(error_code(reply) == "unknown_instrument");
  CHECK(reply["error"]["message"].get<std::string>().find("sim-reader") != std::string::npos);

  job = plate_read_job();
  job["protocol"] = "elisa";
  CHECK(error_code(daemon.request("jobs.submit", {{"job", job}})) == "unknown_protocol");

  job = plate_read_job();
  job["layout"][0]["wells"] = "A1:A13";
  reply = daemon.request("jobs.submit", {{"job", job}});
  CHECK(error_code(reply) == "invalid_job");
  CHECK(reply["error"]["message"].get<std::string>().find("'A13' is not a well of a 96-well plate") !=
        std::string::npos);

  job = plate_read_job();
  job["params"]["wavelengths_nm"] = json::array({590, "x"});
  reply = daemon.request("jobs.submit", {{"job", job}});
  CHECK(error_code(reply) == "invalid_job");
  CHECK(reply["error"]["message"].get<std::string>().find("params.wavelengths_nm[1]") != std::string::npos);

  job = plate_read_job();
  job["instrument"] = "sim-imager";
  CHECK(error_code(daemon.request("jobs.submit", {{"job", job}})) == "wrong_instrument");

  std::string huge(2 * 1024 * 1024, 'x');
  auto too_large = json::parse(daemon.request_raw(R"({"v":1,"id":"big","op":"ping","pad":")" + huge + "\"}"));
  CHECK(error_code(too_large) == "message_too_large");

  CHECK(daemon.call("ping")["pong"] == true);
  CHECK(daemon.running());
}

TEST_CASE("resubmitting the same request id returns the first job") {
  DaemonHarness daemon;
  json request{{"id", "submit-once"}, {"client", "test-client"}, {"job", plate_read_job()}};
  auto first = daemon.request("jobs.submit", request);
  auto second = daemon.request("jobs.submit", request);
  REQUIRE(first["ok"] == true);
  REQUIRE(second["ok"] == true);
  CHECK(first["result"]["job_id"] == second["result"]["job_id"]);
  CHECK(first["result"]["duplicate"] == false);
  CHECK(second["result"]["duplicate"] == true);
  request["id"] = "submit-twice";
  auto third = daemon.request("jobs.submit", request);
  CHECK(third["result"]["job_id"] != first["result"]["job_id"]);
  auto db = daemon.open_database();
  auto count = db.prepare("SELECT COUNT(*) FROM jobs");
  count.step();
  CHECK(count.column_int(0) == 2);
}

TEST_CASE("a REQ client is answered as well as a DEALER") {
  DaemonHarness daemon;
  zmq::socket_t req(daemon.context(), zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.connect(daemon.api_endpoint());
  req.send(zmq::str_buffer(R"({"v":1,"id":"r1","op":"ping"})"), zmq::send_flags::none);
  zmq::pollitem_t item{req.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, std::chrono::seconds(5));
  REQUIRE(item.revents & ZMQ_POLLIN);
  zmq::message_t reply;
  (void)req.recv(reply);
  CHECK(json::parse(reply.to_string_view())["id"] == "r1");
}

TEST_CASE("jobs.list pages newest first: `next` leads to the following page, an unknown `before` is refused") {
  DaemonHarness daemon;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(daemon.submit(plate_read_job()));
  auto first = daemon.call("jobs.list", {{"limit", 2}});
  REQUIRE(first["jobs"].size() == 2);
  CHECK(first["jobs"][0]["job_id"] == ids[2]);
  CHECK(first["jobs"][1]["job_id"] == ids[1]);
  CHECK_FALSE(first["jobs"][0].contains("spec"));
  REQUIRE(first.contains("next"));
  CHECK(first["next"] == ids[1]);
  auto second = daemon.call("jobs.list", {{"limit", 2}, {"before", first["next"]}});
  REQUIRE(second["jobs"].size() == 1);
  CHECK(second["jobs"][0]["job_id"] == ids[0]);
  CHECK_FALSE(second.contains("next"));
  CHECK(error_code(daemon.request("jobs.list", {{"before", "J999999"}})) == "not_found");
  CHECK(error_code(daemon.request("jobs.list", {{"limit", 10001}})) == "out_of_range");
}
