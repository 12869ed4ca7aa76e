// Store: a job's wait for a manual addition (running <-> waiting) and what it recorded.
#include "assay/daemon/store.hpp"

namespace assay::daemon {
namespace {

using nlohmann::json;

const char* kAdditionColumns =
    "attempt, message, timeout_s, requested_at, COALESCE(added_at, ''), time_s, baseline_end_s";

AdditionRow addition_from_row(Statement& row) {
  AdditionRow out;
  out.attempt = static_cast<int>(row.column_int(0));
  out.message = row.column_text(1);
  out.timeout_s = row.column_double(2);
  out.requested_at = row.column_text(3);
  out.added_at = row.column_text(4);
  if (!row.column_is_null(5)) out.time_s = row.column_double(5);
  out.baseline_end_s = row.column_double(6);
  return out;
}

}  // namespace

json AdditionRow::to_json() const {
  json out{{"attempt", attempt},
           {"message", message},
           {"timeout_s", timeout_s},
           {"requested_at", requested_at},
           {"added_at", added_at.empty() ? json(nullptr) : json(added_at)},
           {"baseline_end_s", baseline_end_s}};
  if (time_s) out["time_s"] = *time_s;
  return out;
}

void Store::begin_waiting(const std::string& job_id, int attempt, const std::string& message,
                          double timeout_s, double baseline_end_s) {
  write_transaction([&] {
    auto update = writer_.prepare("UPDATE jobs SET state = ?1, message = ?2 WHERE id = ?3 AND state = ?4");
    update.bind(1, to_string(JobState::waiting)).bind(2, message).bind(3, job_id);
    update.bind(4, to_string(JobState::running)).run();
    if (writer_.changes() != 1) throw StoreError("job " + job_id + " is not running; it cannot wait");
    const auto now = utc_now();
    auto insert = writer_.prepare(
        "INSERT OR REPLACE INTO additions (job_id, attempt, message, timeout_s, requested_at, "
        "baseline_end_s) VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, job_id).bind(2, attempt).bind(3, message).bind(4, timeout_s).bind(5, now);
    insert.bind(6, baseline_end_s).run();
    set_state_locked(job_id, JobState::waiting,
                     {{"attempt", attempt},
                      {"message", message},
                      {"timeout_s", timeout_s},
                      {"continue", "jobs.continue (assayctl continue " + job_id + ")"}});
  });
}

void Store::end_waiting(const std::string& job_id, int attempt, const std::string& added_at, double time_s) {
  write_transaction([&] {
    auto update = writer_.prepare("UPDATE jobs SET state = ?1, message = ?2 WHERE id = ?3 AND state = ?4");
    update.bind(1, to_string(JobState::running))
        .bind(2, "addition recorded at " + added_at + "; reading the response")
        .bind(3, job_id)
        .bind(4, to_string(JobState::waiting))
        .run();
    if (writer_.changes() != 1) throw StoreError("job " + job_id + " is not waiting");
    auto record = writer_.prepare(
        "UPDATE additions SET added_at = ?1, time_s = ?2 WHERE job_id = ?3 AND attempt = ?4");
    record.bind(1, added_at).bind(2, time_s).bind(3, job_id).bind(4, attempt).run();
    set_state_locked(job_id, JobState::running,
                     {{"attempt", attempt},
                      {"after", to_string(JobState::waiting)},
                      {"added_at", added_at},
                      {"addition_time_s", time_s}});
  });
}

std::optional<AdditionRow> Store::addition_before_attempt(const std::string& job_id, int attempt) {
  std::lock_guard lock(write_mutex_);
  auto select = writer_.prepare(std::string("SELECT ") + kAdditionColumns +
                                " FROM additions WHERE job_id = ? AND attempt < ? AND added_at IS NOT NULL "
                                "ORDER BY attempt DESC LIMIT 1");
  select.bind(1, job_id).bind(2, attempt);
  if (!select.step()) return std::nullopt;
  return addition_from_row(select);
}

std::optional<AdditionRow> Store::read_addition(const std::string& job_id) {
  auto select = reader_.prepare(std::string("SELECT ") + kAdditionColumns +
                                " FROM additions WHERE job_id = ? ORDER BY attempt DESC LIMIT 1");
  select.bind(1, job_id);
  if (!select.step()) return std::nullopt;
  return addition_from_row(select);
}

}  // namespace assay::daemon
