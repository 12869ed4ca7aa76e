#include "event_watch.hpp"

#include <unistd.h>

#include <iostream>
#include <map>
#include <set>

#include "assay/protocols/bounded_json.hpp"
#include "result_words.hpp"

namespace assay::ctl {
namespace {

using nlohmann::json;

bool is_terminal(const std::string& state) {
  return state == "succeeded" || state == "failed" || state == "cancelled";
}

class Printer {
 public:
  Printer(bool json_lines, bool progress_bar) : json_lines_(json_lines), progress_bar_(progress_bar) {}
  void set_protocol(const std::string& job_id, const std::string& protocol) { protocols_[job_id] = protocol; }

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
      if (!progress_bar_) return;  // a bar redrawn with \r is noise in a file or a pipe
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
    if (kind == "image") {  // counted, not listed: a CFU job stores dozens (`assayctl images`)
      ++images_;
      return;
    }
    close_bar();
    if (kind == "state" && topic.rfind("job.", 0) == 0) {
      if (event.contains("protocol")) set_protocol(job, event.value("protocol", ""));
      std::cout << describe_state(event);
      if (readings_ > 0 && images_ > 0) {
        std::cout << " (" << readings_ << " readings, " << images_ << " images so far)";
      } else if (readings_ > 0 || images_ > 0) {
        std::cout << " (" << (readings_ > 0 ? readings_ : images_) << (readings_ > 0 ? " readings" : " images") << " so far)";
      }
      std::cout << std::endl;
    } else if (kind == "result") {
      std::cout << job << " result:\n"
                << describe_result(event.value("summary", json::object()), protocols_[job]) << std::flush;
    } else {
      std::cout << topic << " " << event.dump() << std::endl;
    }
  }

  void close_bar() {
    if (bar_open_) std::cout << "\n";
    bar_open_ = false;
  }

  bool json_lines_;
  bool progress_bar_;
  std::map<std::string, std::string> protocols_;  // job id -> protocol, for the result's words
  bool bar_open_ = false;
  std::size_t readings_ = 0;
  std::size_t images_ = 0;
};

}  // namespace

int watch_events(ApiClient& client, const std::string& job_id, WatchOutput output) {
  zmq::socket_t sub(client.context(), zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  client.secure(sub);
  sub.set(zmq::sockopt::subscribe, job_id.empty() ? std::string() : "job." + job_id + ".");
  sub.set(zmq::sockopt::subscribe, "heartbeat");
  sub.connect(client.endpoints().events);
  const bool terminal = isatty(STDOUT_FILENO);
  Printer printer(output == WatchOutput::json || (output == WatchOutput::automatic && !terminal), terminal);

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
    auto job = client.call("jobs.get", {{"job_id", job_id}});  // exits kExitNotFound if unknown
    printer.set_protocol(job_id, job.value("protocol", ""));
    catch_up();
  } else {
    checked = client.call("ping")["last_seq"].get<std::int64_t>();
  }
  while (final_state.empty()) {
    zmq::message_t topic, body;
    if (!sub.recv(topic) || !sub.recv(body)) continue;
    auto parsed = protocols::parse_bounded_json(body.to_string_view());
    if (!parsed.ok()) continue;
    auto& event = parsed.value;
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
