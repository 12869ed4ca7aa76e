// API round trips per second and event publish-to-receive latency over ipc, against the real
// assayd started in a temporary state directory.
//
//   build/bin/bench_api [round_trips] [jobs]
//
// Round trips: one DEALER sends `ping` and waits for the reply, N times. Latency: a SUB socket
// receives the events of plate_read jobs; for each event, receive time minus the event's `time`
// (stamped when the event is stored, microseconds, same clock), so it covers SQLite commit,
// hand-off to the io thread, PUB and SUB.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using clock_type = std::chrono::steady_clock;

double parse_time_us(const std::string& iso) {
  std::tm tm{};
  strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  double seconds = static_cast<double>(timegm(&tm));
  auto dot = iso.find('.');
  double fraction = std::stod("0" + iso.substr(dot, iso.size() - dot - 1));
  return (seconds + fraction) * 1e6;
}

double now_us() {
  return std::chrono::duration<double, std::micro>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * (values.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  int round_trips = argc > 1 ? std::atoi(argv[1]) : 20000;
  int jobs = argc > 2 ? std::atoi(argv[2]) : 20;
  char pattern[] = "/tmp/assayd-bench-XXXXXX";
  fs::path dir = mkdtemp(pattern);
  std::string bin = std::string(ASSAY_BIN_DIR) + "/assayd";
  std::string state = dir.string();
  char* args[] = {bin.data(), const_cast<char*>("--state-dir"), state.data(),
                  const_cast<char*>("--log-level"), const_cast<char*>("warn"),
                  const_cast<char*>("--web-listen"), const_cast<char*>("127.0.0.1:0"), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, bin.c_str(), nullptr, nullptr, args, environ) != 0) return 1;

  zmq::context_t context(1);
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  std::string api = "ipc://" + (dir / "run/api.sock").string();
  for (int i = 0; i < 200 && !fs::exists(dir / "run/api.sock"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  dealer.connect(api);
  auto call = [&](const json& request) {
    dealer.send(zmq::buffer(request.dump()), zmq::send_flags::none);
    zmq::message_t reply;
    (void)dealer.recv(reply);
    return json::parse(reply.to_string_view());
  };
  call({{"id", "warm"}, {"op", "ping"}});

  auto start = clock_type::now();
  std::string request = R"({"v":1,"id":"p","op":"ping"})";
  for (int i = 0; i < round_trips; ++i) {
    dealer.send(zmq::buffer(request), zmq::send_flags::none);
    zmq::message_t reply;
    (void)dealer.recv(reply);
  }
  double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  std::printf("api round trips (ping, one DEALER, ipc): %d in %.3f s = %.0f per second, %.1f us each\n",
              round_trips, seconds, round_trips / seconds, seconds / round_trips * 1e6);

  zmq::socket_t sub(context, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "job.");
  sub.set(zmq::sockopt::rcvhwm, 0);
  sub.connect("ipc://" + (dir / "run/events.sock").string());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::ifstream job_file(std::string(ASSAY_SOURCE_DIR_BENCH) + "/examples/jobs/demo_plate_read.json");
  json job = json::parse(job_file);
  int finished = 0;
  std::vector<double> latency_us;
  for (int j = 0; j < jobs; ++j) call({{"id", "j" + std::to_string(j)}, {"op", "jobs.submit"}, {"job", job}});
  while (finished < jobs) {
    zmq::message_t topic, body;
    (void)sub.recv(topic);
    (void)sub.recv(body);
    double received = now_us();
    auto event = json::parse(body.to_string_view());
    latency_us.push_back(received - parse_time_us(event["time"]));
    if (event.value("state", "") == "succeeded") ++finished;
  }
  std::printf("event publish-to-receive latency over ipc (%zu events of %d jobs): p50 %.0f us, p99 %.0f us, max %.0f us\n",
              latency_us.size(), jobs, percentile(latency_us, 0.5), percentile(latency_us, 0.99),
              percentile(latency_us, 1.0));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  fs::remove_all(dir);
  return 0;
}
