// Issue 13: one request nested 150,000 deep once crashed assayd (stack overflow in code that
// walked it). Every field of every op, and every part of a job, is tried nested far beyond the
// limit: each request gets a bad_request reply naming the limit and the daemon keeps serving.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/daemon_harness.hpp"

using assay::testing::DaemonHarness;
using assay::testing::example_job;
using nlohmann::json;

namespace {

const std::string kPlaceholder = "\"@DEEP@\"";

std::string deep_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string deep_objects(std::size_t depth) {
  std::string text;
  text.reserve(depth * 6 + 1);
  for (std::size_t i = 0; i < depth; ++i) text += "{\"a\":";
  return text + "1" + std::string(depth, '}');
}

// The request `shape` (JSON with one "@DEEP@" string) with that string replaced by `deep`.
std::string with_deep_value(const json& shape, const std::string& deep) {
  auto text = shape.dump();
  auto at = text.find(kPlaceholder);
  REQUIRE(at != std::string::npos);
  return text.replace(at, kPlaceholder.size(), deep);
}

std::vector<json> request_shapes() {
  const std::vector<std::string> ops{"ping",        "version",      "instruments.list", "protocols.list",
                                     "jobs.submit", "jobs.get",     "jobs.list",        "jobs.cancel",
                                     "results.get", "readings.get", "images.list",      "events.since"};
  const std::vector<std::string> fields{"v",     "id",       "op",    "client", "job",   "job_id", "state",
                                        "limit", "instrument", "kind", "after_id", "seq"};
  std::vector<json> shapes;
  for (const auto& op : ops) {
    for (const auto& field : fields) {
      json request{{"v", 1}, {"id", "deep"}, {"op", op}};
      request[field] = "@DEEP@";
      shapes.push_back(request);
    }
  }
  // Every part of a job, at the top of the job and one level down.
  const auto job = example_job("demo_plate_read.json");
  for (const auto& key : {"name", "protocol", "instrument", "priority", "plate", "layout", "params", "simulation"}) {
    json request{{"v", 1}, {"id", "deep-job"}, {"op", "jobs.submit"}, {"job", job}};
    request["job"][key] = "@DEEP@";
    shapes.push_back(request);
  }
  for (const auto& path : {"/plate/format", "/plate/barcode", "/layout/0", "/layout/0/wells", "/layout/3/dilution",
                           "/layout/3/dilution/top_nM", "/params/wavelengths_nm", "/params/mode"}) {
    json request{{"v", 1}, {"id", "deep-job"}, {"op", "jobs.submit"}, {"job", job}};
    request["job"][json::json_pointer(path)] = "@DEEP@";
    shapes.push_back(request);
  }
  return shapes;
}

void check_refused(DaemonHarness& daemon, const std::string& body) {
  auto text = daemon.request_raw(body, std::chrono::seconds(20));
  auto reply = json::parse(text);
  INFO(body.substr(0, 120));
  REQUIRE(reply["ok"] == false);
  CHECK(reply["error"]["code"] == "bad_request");
  CHECK(reply["error"]["message"].get<std::string>().find("deeper than 64 levels") != std::string::npos);
}

}  // namespace

TEST_CASE("every field of every op nested 150,000 deep is refused and the daemon keeps serving") {
  DaemonHarness daemon;
  const auto arrays = deep_arrays(150000);
  const auto objects = deep_objects(150000);
  int sent = 0;
  for (const auto& shape : request_shapes()) {
    check_refused(daemon, with_deep_value(shape, arrays));
    ++sent;
  }
  // Objects cost 6 bytes a level: 150,000 levels stay under the 1 MiB request limit.
  for (const auto& shape : request_shapes()) {
    if (shape["op"] != "jobs.submit") continue;
    check_refused(daemon, with_deep_value(shape, objects));
    ++sent;
  }
  CHECK(sent > 150);
  // 500,000 levels: 1 MB of brackets, and a truncated message that never closes them.
  check_refused(daemon, deep_arrays(500000));
  check_refused(daemon, std::string(900000, '['));
  CHECK(daemon.running());
  CHECK(daemon.call("ping")["pong"] == true);
  // A job nested as deep as the limit allows is still judged on its content.
  auto job = example_job("demo_plate_read.json");
  json deep = 1;
  for (int i = 0; i < 60; ++i) deep = json::array({deep});
  job["layout"][0]["wells"] = deep;
  auto reply = daemon.request("jobs.submit", {{"job", job}});
  CHECK(reply["error"]["code"] == "invalid_job");
}
