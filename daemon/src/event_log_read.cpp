#include "event_log_read.hpp"

#include <memory>

#include "reading_rows.hpp"

namespace assay::daemon {

std::vector<StoredEvent> read_event_log(Database& db, std::int64_t after_seq, int limit, const std::string& job_id) {
  auto statement = db.prepare(
      job_id.empty()
          ? "SELECT e.seq, e.topic, e.body, e.time, p.job_id, p.attempt, p.rows FROM events e "
            "LEFT JOIN reading_pages p ON p.first_id = e.reading_page WHERE e.seq > ?1 ORDER BY e.seq LIMIT ?2"
          : "SELECT e.seq, e.topic, e.body, e.time, p.job_id, p.attempt, p.rows FROM events e "
            "LEFT JOIN reading_pages p ON p.first_id = e.reading_page WHERE e.job_id = ?3 AND e.seq > ?1 "
            "ORDER BY e.seq LIMIT ?2");
  statement.bind(1, after_seq).bind(2, limit);
  if (!job_id.empty()) statement.bind(3, job_id);
  std::vector<StoredEvent> events;
  while (statement.step()) {
    const auto event_seq = statement.column_int(0);
    auto topic = statement.column_text(1);
    std::string text;
    if (statement.column_is_null(6)) {
      text = statement.column_text(2);
    } else {
      const auto rows = statement.column_text(6);
      text = reading_event_text(statement.column_text(4), statement.column_int(5), &rows, event_seq,
                                statement.column_text(3), topic);
    }
    events.push_back({event_seq, std::move(topic), std::make_shared<const std::string>(std::move(text))});
  }
  return events;
}

}  // namespace assay::daemon
