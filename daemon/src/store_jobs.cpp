// Store: jobs, their plates and wells, and job state changes.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "assay/daemon/store.hpp"

namespace assay::daemon {
namespace {

using nlohmann::json;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json parse_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  return json::parse(text, nullptr, false);
}

const char* kJobColumns =
    "id, protocol, instrument, name, priority, state, attempts, progress, message, error_code, "
    "error, submitted_at, COALESCE(started_at, ''), COALESCE(finished_at, ''), spec, "
    "COALESCE(truth, ''), COALESCE(summary, '')";

// The same columns for a list: spec and truth (kilobytes of JSON each) are left out.
const char* kJobListColumns =
    "id, protocol, instrument, name, priority, state, attempts, progress, message, error_code, "
    "error, submitted_at, COALESCE(started_at, ''), COALESCE(finished_at, ''), '', '', "
    "COALESCE(summary, '')";

JobRecord job_from_row(Statement& row) {
  JobRecord job;
  job.id = row.column_text(0);
  job.protocol = row.column_text(1);
  job.instrument = row.column_text(2);
  job.name = row.column_text(3);
  job.priority = static_cast<int>(row.column_int(4));
  auto state = row.column_text(5);
  auto parsed = parse_job_state(state);
  if (!parsed) throw StoreError("job " + job.id + " has the unknown state '" + state + "'");
  job.state = *parsed;
  job.attempts = static_cast<int>(row.column_int(6));
  job.progress = row.column_double(7);
  job.message = row.column_text(8);
  job.error_code = row.column_text(9);
  job.error = row.column_text(10);
  job.submitted_at = row.column_text(11);
  job.started_at = row.column_text(12);
  job.finished_at = row.column_text(13);
  job.spec = parse_or_null(row.column_text(14));
  job.truth = parse_or_null(row.column_text(15));
  job.summary = parse_or_null(row.column_text(16));
  return job;
}

}  // namespace

json JobRecord::to_json(bool with_spec) const {
  json out{{"job_id", id},         {"protocol", protocol},      {"instrument", instrument},
           {"name", name},         {"priority", priority},      {"state", to_string(state)},
           {"attempts", attempts}, {"progress", progress},      {"message", message},
           {"submitted_at", submitted_at}};
  if (!started_at.empty()) out["started_at"] = started_at;
  if (!finished_at.empty()) out["finished_at"] = finished_at;
  if (!error.empty()) out["error"] = {{"code", error_code}, {"message", error}};
  if (!summary.is_null()) out["summary"] = summary;
  if (with_spec) {
    out["spec"] = spec;
    if (!truth.is_null()) out["truth"] = truth;
  }
  return out;
}

SubmitOutcome Store::insert_job(const protocols::JobSpec& spec, const RequestKey& request) {
  SubmitOutcome outcome;
  const auto& request_key = request.key;
  const std::int64_t now = unix_now();
  write_transaction([&] {
    if (!request_key.empty()) {
      auto existing = writer_.prepare(
          "SELECT id, COALESCE(request_digest, ''), COALESCE(request_expires_at, 0) FROM jobs "
          "WHERE request_key = ?");
      existing.bind(1, request_key);
      if (existing.step()) {
        auto first = existing.column_text(0);
        auto digest = existing.column_text(1);
        const bool live = existing.column_int(2) > now;
        existing.reset();
        if (live) {
          outcome = {first, digest == request.digest, digest != request.digest};
          return;
        }
        // Expired (keys of older versions carry no lifetime): the new request gets the key.
        writer_.prepare("UPDATE jobs SET request_key = NULL WHERE id = ?").bind(1, first).run();
      }
    }
    auto count = writer_.prepare("SELECT COALESCE(MAX(rowid), 0) + 1 FROM jobs");
    count.step();
    char id[32];
    std::snprintf(id, sizeof id, "J%06lld", static_cast<long long>(count.column_int(0)));
    outcome = {id, false};

    auto insert = writer_.prepare(
        "INSERT INTO jobs (id, request_key, protocol, instrument, name, priority, state, "
        "submitted_at, spec, request_digest, request_expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, outcome.job_id);
    if (request_key.empty()) {
      insert.bind_null(2).bind_null(10).bind_null(11);
    } else {
      insert.bind(2, request_key).bind(10, request.digest).bind(11, now + request.ttl_s);
    }
    insert.bind(3, spec.protocol).bind(4, spec.instrument).bind(5, spec.name);
    insert.bind(6, spec.priority).bind(7, to_string(JobState::queued));
    insert.bind(8, utc_now()).bind(9, spec.raw.dump());
    insert.run();

    auto plate = writer_.prepare(
        "INSERT INTO plates (job_id, barcode, format, rows, columns) VALUES (?, ?, ?, ?, ?)");
    plate.bind(1, outcome.job_id).bind(2, spec.plate_barcode).bind(3, spec.plate.name);
    plate.bind(4, spec.plate.geometry.rows).bind(5, spec.plate.geometry.columns).run();

    auto well = writer_.prepare(
        "INSERT INTO wells (job_id, well, row, col, role, sample, compound, conc_nM, stimulated, "
        "cells_plated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& w : spec.layout.wells()) {
      well.bind(1, outcome.job_id).bind(2, w.well).bind(3, w.position.row).bind(4, w.position.column);
      well.bind(5, w.role).bind(6, w.sample).bind(7, w.compound).bind(8, w.conc_nM);
      well.bind(9, w.stimulated ? 1 : 0).bind(10, w.cells_plated);
      well.run();
    }
    emit_locked("job." + outcome.job_id + ".state",
                {{"job_id", outcome.job_id},
                 {"state", to_string(JobState::queued)},
                 {"protocol", spec.protocol},
                 {"instrument", spec.instrument},
                 {"priority", spec.priority}});
  });
  return outcome;
}

std::optional<std::string> Store::next_queued(const std::string& instrument) {
  std::lock_guard lock(write_mutex_);
  auto statement = writer_.prepare(
      "SELECT id FROM jobs WHERE instrument = ? AND state = ? "
      "ORDER BY priority DESC, rowid LIMIT 1");
  statement.bind(1, instrument).bind(2, to_string(JobState::queued));
  if (!statement.step()) return std::nullopt;
  return statement.column_text(0);
}

void Store::set_state_locked(const std::string& job_id, JobState state, json extra) {
  extra["job_id"] = job_id;
  extra["state"] = to_string(state);
  emit_locked("job." + job_id + ".state", std::move(extra));
}

int Store::start_attempt(const std::string& job_id) {
  int attempt = 0;
  write_transaction([&] {
    auto update = writer_.prepare(
        "UPDATE jobs SET state = ?3, attempts = attempts + 1, started_at = ?1, progress = 0, "
        "message = '' WHERE id = ?2 AND state = ?4 RETURNING attempts");
    update.bind(1, utc_now()).bind(2, job_id);
    update.bind(3, to_string(JobState::running)).bind(4, to_string(JobState::queued));
    if (!update.step()) throw StoreError("job " + job_id + " is no longer queued");
    attempt = static_cast<int>(update.column_int(0));
    update.reset();
    set_state_locked(job_id, JobState::running, {{"attempt", attempt}});
  });
  return attempt;
}

void Store::finish_job(const std::string& job_id, JobState state,
                       const std::string& error_code, const std::string& error) {
  write_transaction([&] {
    forget_attempt_locked(job_id);
    // Only a running (or waiting) job ends here: a job the deadline check already failed stays
    // failed when its stuck worker returns at last.
    auto update = writer_.prepare(
        "UPDATE jobs SET state = ?, finished_at = ?, error_code = ?, error = ?, "
        "progress = CASE WHEN ? THEN 1 ELSE progress END WHERE id = ? "
        "AND state IN ('running', 'waiting')");
    update.bind(1, to_string(state)).bind(2, utc_now()).bind(3, error_code).bind(4, error);
    update.bind(5, state == JobState::succeeded ? 1 : 0).bind(6, job_id).run();
    if (writer_.changes() != 1) return;
    json extra = json::object();
    if (!error.empty()) extra["error"] = {{"code", error_code}, {"message", error}};
    set_state_locked(job_id, state, std::move(extra));
  });
}

bool Store::cancel_if_queued(const std::string& job_id) {
  bool cancelled = false;
  write_transaction([&] {
    auto update = writer_.prepare(
        "UPDATE jobs SET state = ?3, finished_at = ?1, error_code = 'cancelled', "
        "error = 'cancelled by request before it started' WHERE id = ?2 AND state = ?4");
    update.bind(1, utc_now()).bind(2, job_id);
    update.bind(3, to_string(JobState::cancelled)).bind(4, to_string(JobState::queued)).run();
    cancelled = writer_.changes() == 1;
    if (cancelled) set_state_locked(job_id, JobState::cancelled);
  });
  return cancelled;
}

void Store::set_progress(const std::string& job_id, double fraction, const std::string& message) {
  write_transaction([&] {
    auto update = writer_.prepare("UPDATE jobs SET progress = ?, message = ? WHERE id = ?");
    update.bind(1, fraction).bind(2, message).bind(3, job_id).run();
    emit_locked("job." + job_id + ".progress",
                {{"job_id", job_id}, {"progress", fraction}, {"message", message}});
  });
}

void Store::set_truth(const std::string& job_id, const json& truth) {
  std::lock_guard lock(write_mutex_);
  auto update = writer_.prepare("UPDATE jobs SET truth = ? WHERE id = ?");
  update.bind(1, truth.dump()).bind(2, job_id).run();
}

std::vector<RecoveredJob> Store::recover_interrupted(bool requeue, int max_attempts) {
  std::vector<RecoveredJob> recovered;
  write_transaction([&] {
    auto select = writer_.prepare(
        "SELECT id, attempts, state IN (?1, ?3) FROM jobs WHERE state IN (?1, ?2, ?3) ORDER BY rowid");
    select.bind(1, to_string(JobState::running)).bind(2, to_string(JobState::interrupted));
    // A job waiting for a manual addition when assayd died is interrupted like a running one.
    select.bind(3, to_string(JobState::waiting));
    std::vector<std::tuple<std::string, int, bool>> jobs;
    while (select.step()) {
      jobs.emplace_back(select.column_text(0), static_cast<int>(select.column_int(1)),
                        select.column_int(2) != 0);
    }
    for (const auto& [id, attempts, was_running] : jobs) {
      if (was_running) {
        writer_.prepare("UPDATE jobs SET state = ? WHERE id = ?")
            .bind(1, to_string(JobState::interrupted))
            .bind(2, id)
            .run();
        set_state_locked(id, JobState::interrupted, {{"reason", "assayd stopped while the job ran"}});
      }
      const bool again = requeue && attempts < max_attempts;
      const JobState next = again ? JobState::queued : JobState::failed;
      auto update = writer_.prepare(
          again ? "UPDATE jobs SET state = ?1 WHERE id = ?2"
                : "UPDATE jobs SET state = ?1, finished_at = ?3, error_code = 'interrupted', "
                  "error = 'interrupted and not re-queued (policy or attempts exhausted)' "
                  "WHERE id = ?2");
      update.bind(1, to_string(next)).bind(2, id);
      if (!again) update.bind(3, utc_now());
      update.run();
      set_state_locked(id, next, {{"after", to_string(JobState::interrupted)}, {"attempts", attempts}});
      recovered.push_back({id, next});
    }
  });
  return recovered;
}

void Store::mark_interrupted(const std::string& job_id, const std::string& reason) {
  write_transaction([&] {
    forget_attempt_locked(job_id);
    auto update = writer_.prepare(
        "UPDATE jobs SET state = ?3, message = ?1 WHERE id = ?2 AND state IN (?4, ?5)");
    update.bind(1, reason).bind(2, job_id);
    update.bind(3, to_string(JobState::interrupted)).bind(4, to_string(JobState::running));
    update.bind(5, to_string(JobState::waiting)).run();
    if (writer_.changes() == 1) set_state_locked(job_id, JobState::interrupted, {{"reason", reason}});
  });
}

json Store::load_job_spec(const std::string& job_id) {
  std::lock_guard lock(write_mutex_);
  auto select = writer_.prepare("SELECT spec FROM jobs WHERE id = ?");
  select.bind(1, job_id);
  if (!select.step()) throw StoreError("no job " + job_id);
  return json::parse(select.column_text(0));
}

std::optional<JobRecord> Store::read_job(const std::string& job_id) {
  auto statement = reader_.prepare(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?");
  statement.bind(1, job_id);
  if (!statement.step()) return std::nullopt;
  return job_from_row(statement);
}

std::string job_list_sql(const JobListFilter& filter) {
  std::string sql = std::string("SELECT ") + kJobListColumns + " FROM jobs";
  std::vector<std::string> conditions;
  if (filter.state) conditions.emplace_back("state = ?");
  if (!filter.instrument.empty()) conditions.emplace_back("instrument = ?");
  if (!filter.before.empty()) conditions.emplace_back("rowid < (SELECT rowid FROM jobs WHERE id = ?)");
  for (std::size_t i = 0; i < conditions.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
  return sql + " ORDER BY rowid DESC LIMIT ?";
}

std::vector<JobRecord> Store::read_jobs(const JobListFilter& filter) {
  auto statement = reader_.prepare(job_list_sql(filter));
  int index = 0;
  if (filter.state) statement.bind(++index, to_string(*filter.state));
  if (!filter.instrument.empty()) statement.bind(++index, filter.instrument);
  if (!filter.before.empty()) statement.bind(++index, filter.before);
  statement.bind(++index, filter.limit);
  std::vector<JobRecord> jobs;
  while (statement.step()) jobs.push_back(job_from_row(statement));
  return jobs;
}

std::map<JobState, int> Store::read_state_counts() {
  auto statement = reader_.prepare("SELECT state, COUNT(*) FROM jobs GROUP BY state");
  std::map<JobState, int> counts;
  while (statement.step()) {
    if (auto state = parse_job_state(statement.column_text(0))) {
      counts[*state] = static_cast<int>(statement.column_int(1));
    }
  }
  return counts;
}

}  // namespace assay::daemon
