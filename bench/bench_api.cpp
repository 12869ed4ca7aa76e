// API round trips per second and event publish-to-receive latency over ipc, against the real
// assayd started in a temporary state directory that already holds 10,000 jobs.
//
//   build/bin/bench_api [round_trips (20000)] [list_round_trips (5000)] [kinetic_s (600)] [subscribers (10)]
//                       [assayd (this build's)]
//
// The last argument names another assayd binary, to compare two builds in one run.
// Round trips: one DEALER sends `ping` (then `jobs.list`, a page of 100 of the 10,000 stored jobs)
// and waits for the reply, N times. Latency: `subscribers` SUB sockets, all polled by one thread
// that only stamps and keeps what arrives, receive the events of a 384-well calcium-flux job
// (kinetic read of kinetic_s device seconds on the simulated reader, time_scale 0.02: a page of
// 384 readings every 20 ms) and of plate_read jobs queued behind it; for each event and
// subscriber, receive time minus the event's `time` (stamped when the event is stored,
// microseconds, same clock), so it covers SQLite commit, hand-off to the io thread, PUB and SUB.
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
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "support/many_jobs.hpp"

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


// The `time` of an event's text, found from the end (it follows the rows of a reading event).
double event_time_us(std::string_view text) {
  auto at = text.rfind("\"time\":\"");
  if (at == std::string_view::npos) return 0;
  auto begin = at + 8;
  return parse_time_us(std::string(text.substr(begin, text.find('"', begin) - begin)));
}

// CPU seconds assayd has used so far (user + system, all threads): steadier than wall time when
// other processes share the cores.
double daemon_cpu_s(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Received {
  double at_us;
  std::string text;
};

}  // namespace

int main(int argc, char** argv) {
  int round_trips = argc > 1 ? std::atoi(argv[1]) : 20000;
  int list_round_trips = argc > 2 ? std::atoi(argv[2]) : 5000;
  double kinetic_s = argc > 3 ? std::atof(argv[3]) : 600;
  int subscribers = argc > 4 ? std::atoi(argv[4]) : 10;
  char pattern[] = "/tmp/assayd-bench-XXXXXX";
  fs::path dir = mkdtemp(pattern);
  assay::testing::fill_many_jobs(dir / "assayd.db", 10000);
  std::string bin = argc > 5 ? argv[5] : std::string(ASSAY_BIN_DIR) + "/assayd";
  std::string state = dir.string();
  char* args[] = {bin.data(), const_cast<char*>("--state-dir"), state.data(),
                  const_cast<char*>("--log-level"), const_cast<char*>("warn"),
                  const_cast<char*>("--web-listen"), const_cast<char*>("127.0.0.1:0"), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, bin.c_str(), nullptr, nullptr, args, environ) != 0) return 1;

  zmq::context_t context(1);
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  std::string api = "ipc://" + (dir / "run/api.sock").string();
  for (int i = 0; i < 400 && !fs::exists(dir / "run/api.sock"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  dealer.connect(api);
  auto call = [&](const json& request) {
    dealer.send(zmq::buffer(request.dump()), zmq::send_flags::none);
    zmq::message_t reply;
    (void)dealer.recv(reply);
    return json::parse(reply.to_string_view());
  };
  call({{"id", "warm"}, {"op", "ping"}});

  auto time_round_trips = [&](const char* what, const std::string& request, int n) {
    auto start = clock_type::now();
    const double cpu_start = daemon_cpu_s(pid);
    std::size_t bytes = 0;
    for (int i = 0; i < n; ++i) {
      dealer.send(zmq::buffer(request), zmq::send_flags::none);
      zmq::message_t reply;
      (void)dealer.recv(reply);
      bytes = reply.size();
    }
    double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    const double cpu_s = daemon_cpu_s(pid) - cpu_start;
    std::printf("api round trips (%s, one DEALER, ipc): %d in %.3f s = %.0f per second, %.1f us each (reply %zu "
                "bytes); assayd CPU %.1f us each\n",
                what, n, seconds, n / seconds, seconds / n * 1e6, bytes, cpu_s / n * 1e6);
  };
  time_round_trips("ping", R"({"v":1,"id":"p","op":"ping"})", round_trips);
  time_round_trips("jobs.list of 10,000 jobs", R"({"v":1,"id":"l","op":"jobs.list"})", list_round_trips);

  std::vector<zmq::socket_t> subs;
  std::vector<zmq::pollitem_t> items;
  for (int i = 0; i < subscribers; ++i) {
    subs.emplace_back(context, zmq::socket_type::sub);
    subs.back().set(zmq::sockopt::subscribe, "job.");
    subs.back().set(zmq::sockopt::rcvhwm, 0);
    subs.back().connect("ipc://" + (dir / "run/events.sock").string());
  }
  for (auto& sub : subs) items.push_back({sub.handle(), 0, ZMQ_POLLIN, 0});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::ifstream kinetic_file(std::string(ASSAY_SOURCE_DIR_BENCH) + "/examples/jobs/calcium_flux_384.json");
  json kinetic = json::parse(kinetic_file);
  kinetic["params"]["duration_s"] = kinetic_s;
  std::ifstream job_file(std::string(ASSAY_SOURCE_DIR_BENCH) + "/examples/jobs/demo_plate_read.json");
  json job = json::parse(job_file);
  const int plate_reads = 5;
  auto submitted = call({{"id", "k"}, {"op", "jobs.submit"}, {"job", kinetic}});
  if (!submitted.value("ok", false)) {
    std::fprintf(stderr, "submit failed: %s\n", submitted.dump().c_str());
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    fs::remove_all(dir);
    return 1;
  }
  for (int j = 0; j < plate_reads; ++j) call({{"id", "j" + std::to_string(j)}, {"op", "jobs.submit"}, {"job", job}});
  // Only stamp and keep while events arrive; parse afterwards.
  std::vector<Received> received;
  int finished = 0;
  while (finished < (plate_reads + 1) * subscribers) {
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(-1));
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!(items[i].revents & ZMQ_POLLIN)) continue;
      zmq::message_t topic, body;
      while (subs[i].recv(topic, zmq::recv_flags::dontwait)) {
        (void)subs[i].recv(body);
        double at = now_us();
        auto text = body.to_string();
        if (topic.to_string_view().ends_with(".state") &&
            (text.find("\"state\":\"succeeded\"") != std::string::npos ||
             text.find("\"state\":\"failed\"") != std::string::npos)) {
          ++finished;
        }
        received.push_back({at, std::move(text)});
      }
    }
  }
  std::vector<double> latency_us;
  std::size_t readings_events = 0;
  for (const auto& r : received) {
    latency_us.push_back(r.at_us - event_time_us(r.text));
    if (r.text.find("\"rows\":") != std::string::npos) ++readings_events;
  }
  std::printf("event publish-to-receive latency over ipc, %d subscribers, 384-well kinetic job + %d plate reads "
              "(%zu receptions, %zu of reading pages): p50 %.0f us, p99 %.0f us, max %.0f us\n",
              subscribers, plate_reads, latency_us.size(), readings_events, percentile(latency_us, 0.5),
              percentile(latency_us, 0.99), percentile(latency_us, 1.0));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  fs::remove_all(dir);
  return 0;
}
