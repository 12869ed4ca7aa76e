#include "event_watch.hpp"

#include <unistd.h>

#include <iostream>
#include <set>

namespace assay::ctl {
namespace {

using nlohmann::json;

bool is_terminal(const std::string& state) {
  return state == "succeeded" || state == "failed" || state == "cancelled";
}

class Printer {
 public:
  explicit Printer(bool json_lines) : json_lines_(json_lines) {}

  // Returns the job's final state when this event ends it.
  std::string print(const json& event) {
    if (json_lines_) {
      std::cout << event.dump() << std::endl;
    } else {
      print_human(event);
    }
    const auto topic = event.value("topic", "");
    if (topic.size() > 6 && topic.compare(topic.size() - 6, 6, ".state") == 0 && topic.rfind("job.", 0) == 0) {
      auto state = event.value("state", "");
      if (is_terminal(state)) return state;
    }
    return {};
  }

 private:
  void print_human(const json& event) {
    const auto topic = event.value("topic", "");
    const auto job = event.value("job_id", "");
    if (topic == "heartbeat") return;
    auto kind = topic.substr(topic.rfind('.') + 1);
    if (kind == "progress") {
      double fraction = event.value("progress", 0.0);
      int filled = static_cast<int>(fraction * 30.0 + 0.5);
      std::cout << "\r" << job << " [" << std::string(filled, '#') << std::string(30 - filled, '.')
                << "] " << static_cast<int>(fraction * 100.0 + 0.5) << "% "
                << event.value("message", "").substr(0, 40) << "\033[K" << std::flush;
      bar_open_ = true;
      return;
    }
    if (kind == "reading") {
      readings_ += event["rows"].size();
      return;
    }
    close_bar();
    if (kind == "state" && topic.rfind("job.", 0) == 0) {
      std::cout << job << " " << event.value("state", "");
      if (event.contains("error")) std::cout << ": " << event["error"].value("message", "");
      if (readings_ > 0) std::cout << " (" << readings_ << " readings so far)";
      std::cout << std::endl;
    } else if (kind == "result") {
      std::cout << job << " result: " << event["summary"].dump() << std::endl;
    } else if (kind == "image") {
      std::cout << job << " image " << event.value("well", "") << " field " << event.value("field", 0)
                << " -> " << event.value("path", "") << std::endl;
    } else {
      std::cout << topic << " " << event.dump() << std::endl;
    }
  }

  void close_bar() {
    if (bar_open_) std::cout << "\n";
    bar_open_ = false;
  }

  bool json_lines_;
  bool bar_open_ = false;
  std::size_t readings_ = 0;
};

}  // namespace

int watch_events(ApiClient& client, const std::string& job_id, bool force_json) {
  zmq::socket_t sub(client.context(), zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  client.secure(sub);
  sub.set(zmq::sockopt::subscribe, job_id.empty() ? std::string() : "job." + job_id + ".");
  sub.set(zmq::sockopt::subscribe, "heartbeat");
  sub.connect(client.endpoints().events);
  Printer printer(force_json || !isatty(STDOUT_FILENO));

  std::set<std::int64_t> seen;
  std::int64_t checked = 0;  // every stored event up to here has been printed
  std::string final_state;
  auto handle = [&](const json& event) {
    auto seq = event.value("seq", std::int64_t{0});
    if (!seen.insert(seq).second) return;
    auto state = printer.print(event);
    if (!state.empty()) final_state = state;
  };
  // Catch up from the store: everything of the job so far (or nothing before now for all events).
  auto catch_up = [&] {
    json fields{{"seq", checked}, {"limit", 1000}};
    if (!job_id.empty()) fields["job_id"] = job_id;
    while (true) {
      auto page = client.call("events.since", fields);
      for (const auto& event : page["events"]) handle(event);
      checked = std::max(checked, page["last_seq"].get<std::int64_t>());
      if (!page["events"].empty()) fields["seq"] = page["events"].back()["seq"];
      if (page["events"].size() < 1000) break;
    }
  };
  if (!job_id.empty()) {
    client.call("jobs.get", {{"job_id", job_id}});  // exits with kExitNotFound for an unknown job
    catch_up();
  } else {
    checked = client.call("ping")["last_seq"].get<std::int64_t>();
  }
  while (final_state.empty()) {
    zmq::message_t topic, body;
    if (!sub.recv(topic) || !sub.recv(body)) continue;
    auto event = json::parse(body.to_string_view(), nullptr, false);
    if (event.is_discarded()) continue;
    auto seq = event.value("seq", std::int64_t{0});
    if (topic.to_string_view() == "heartbeat") {
      // A heartbeat carries the last stored seq: if we are behind, fetch what we missed.
      if (seq > checked && !job_id.empty()) catch_up();
      if (job_id.empty() && seq > checked) catch_up();
      continue;
    }
    if (job_id.empty() && seq > checked + 1) catch_up();  // a gap in the global sequence
    handle(event);
    if (job_id.empty()) checked = std::max(checked, seq);
  }
  return final_state == "succeeded" ? kExitOk : kExitRefused;
}

}  // namespace assay::ctl
