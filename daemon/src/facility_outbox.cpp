#include "facility_outbox.hpp"

#include "assay/facility/envelope.hpp"

#include "event_log_read.hpp"

namespace assay::daemon {
namespace {

using nlohmann::json;

json parsed(const std::string& text) { return json::parse(text, nullptr, false); }

// The event that created a job (Store::insert_job): the only queued state event naming a protocol.
bool is_submit_event(const std::string& topic, const json& body) {
  return topic.size() > 6 && topic.compare(topic.size() - 6, 6, ".state") == 0 && body.value("state", "") == "queued" &&
         body.contains("protocol");
}

bool is_result_event(const std::string& topic) {
  return topic.size() > 7 && topic.compare(topic.size() - 7, 7, ".result") == 0;
}

// Ends a read transaction however the reading ends.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Database& db) : db_(db) { db_.exec("BEGIN"); }
  ~ReadSnapshot() {
    try {
      db_.exec("COMMIT");
    } catch (...) {
      // A read-only transaction has nothing to lose; the next BEGIN would report a real fault.
    }
  }

 private:
  Database& db_;
};

}  // namespace

FacilityOutbox::FacilityOutbox(const std::filesystem::path& database, std::string host)
    : db_(database, /*read_only=*/true), host_(std::move(host)) {}

std::vector<OutgoingMessage> FacilityOutbox::after(std::int64_t after_seq, int limit) {
  ReadSnapshot snapshot(db_);
  std::vector<OutgoingMessage> messages;
  for (const StoredEvent& event : read_event_log(db_, after_seq, limit)) {
    const auto seq = event.seq;
    const std::string& topic = event.topic;
    json body = parsed(*event.text);
    const bool object = body.is_object();  // every stored body is; a damaged one is sent as it is
    json envelope{{"v", facility::kEnvelopeVersion}, {"host", host_},       {"seq", seq},
                  {"topic", topic},                  {"time", object ? body.value("time", "") : ""}};
    const std::string job_id = object ? body.value("job_id", "") : "";
    if (!job_id.empty() && is_submit_event(topic, body)) {
      envelope["job"] = submitted_job(job_id);
      envelope["plate"] = plate(job_id);
      envelope["wells"] = wells(job_id);
    } else if (!job_id.empty() && is_result_event(topic)) {
      envelope["results"] = results(job_id);
    }
    envelope["event"] = std::move(body);
    messages.push_back({seq, facility::event_subject(host_, topic), facility::message_id(host_, seq),
                        envelope.dump()});
  }
  return messages;
}

json FacilityOutbox::submitted_job(const std::string& job_id) {
  auto select = db_.prepare("SELECT protocol, instrument, name, priority, submitted_at, spec FROM jobs WHERE id = ?");
  select.bind(1, job_id);
  if (!select.step()) return json::object();
  return {{"protocol", select.column_text(0)}, {"instrument", select.column_text(1)},
          {"name", select.column_text(2)},     {"priority", select.column_int(3)},
          {"submitted_at", select.column_text(4)}, {"spec", parsed(select.column_text(5))}};
}

json FacilityOutbox::plate(const std::string& job_id) {
  auto select = db_.prepare("SELECT barcode, format, rows, columns FROM plates WHERE job_id = ?");
  select.bind(1, job_id);
  if (!select.step()) return json::object();
  return {{"barcode", select.column_text(0)}, {"format", select.column_text(1)},
          {"rows", select.column_int(2)},     {"columns", select.column_int(3)}};
}

json FacilityOutbox::wells(const std::string& job_id) {
  auto select = db_.prepare(
      "SELECT well, row, col, role, sample, compound, conc_nM, stimulated, cells_plated FROM wells "
      "WHERE job_id = ? ORDER BY rowid");
  select.bind(1, job_id);
  json rows = json::array();
  while (select.step()) {
    rows.push_back({select.column_text(0), select.column_int(1), select.column_int(2), select.column_text(3),
                    select.column_text(4), select.column_text(5), select.column_double(6),
                    select.column_int(7) != 0, select.column_double(8)});
  }
  return rows;
}

json FacilityOutbox::results(const std::string& job_id) {
  auto select = db_.prepare("SELECT attempt, kind, key, value FROM results WHERE job_id = ? ORDER BY rowid");
  select.bind(1, job_id);
  json rows = json::array();
  while (select.step()) {
    rows.push_back({select.column_int(0), select.column_text(1), select.column_text(2),
                    parsed(select.column_text(3))});
  }
  return rows;
}

}  // namespace assay::daemon
