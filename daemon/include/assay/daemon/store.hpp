// The store: assayd's SQLite database, the source of truth for jobs, plates, wells, readings,
// images, results and the event log.
//
// Threading: one write connection guarded by a mutex (the "writer"), used by any thread through
// the methods below; one read connection for the io thread's queries (read_* methods, io thread
// only). Every state change is written together with its event in one transaction; after the
// commit, and still under the writer lock, the EventListener is called, so listeners see events
// in seq order exactly as stored. Errors throw SqliteError or StoreError.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/daemon/job_state.hpp"
#include "assay/daemon/sqlite.hpp"
#include "assay/daemon/attempt_readings.hpp"
#include "assay/drivers/imager.hpp"
#include "assay/drivers/readings.hpp"
#include "assay/protocols/job_spec.hpp"
#include "assay/protocols/protocol.hpp"

namespace assay::daemon {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr int kSchemaVersion = 7;

// The SQL that migrates a database from user_version `from_version` to the next one, or null
// (tests build databases of older versions with it). Step 5 -> 6 also moves the rows of the old
// readings table (renamed readings_v5 by its SQL) into reading_pages, in C++ (see migrate()).
const char* schema_migration_sql(int from_version);

struct JobRecord {
  std::string id;
  std::string protocol;
  std::string instrument;
  std::string name;
  int priority = 0;
  JobState state = JobState::queued;
  int attempts = 0;
  double progress = 0.0;
  std::string message;
  std::string error_code;
  std::string error;
  std::string submitted_at;
  std::string started_at;
  std::string finished_at;
  nlohmann::json spec;
  nlohmann::json truth;
  nlohmann::json summary;

  nlohmann::json to_json(bool with_spec) const;
};

struct StoredEvent {
  std::int64_t seq = 0;
  std::string topic;
  // The body as stored and published: JSON text including seq, time and topic. Shared, so that
  // handing a page of 1536 readings to the io thread and to each web stream copies no text.
  std::shared_ptr<const std::string> text;

  nlohmann::json body() const { return nlohmann::json::parse(*text); }
};

struct ImageRecord {
  std::filesystem::path path;
  std::string kind;  // "raw", "overlay"
  drivers::CapturedImage meta;  // pixels unused here
};

// What makes a submit idempotent: the caller's key for the request, a digest of the job it
// asked for, and how long the key holds. A key seen again within its lifetime with the same
// digest is a retry (the first job is returned); with another digest it is a conflict.
struct RequestKey {
  std::string key;     // "client/request id"; empty = not idempotent
  std::string digest;  // of the submitted job
  std::int64_t ttl_s = 24 * 3600;
};

struct SubmitOutcome {
  std::string job_id;  // the new job, or the first job of a retry or a conflict
  bool duplicate = false;
  bool conflict = false;  // the key was used for a different job; nothing was created
};

struct RecoveredJob {
  std::string job_id;
  JobState new_state = JobState::queued;  // queued or failed
};

// One attempt's wait for a manual addition (the additions table): what the person was asked,
// and, once jobs.continue arrived, when (the daemon's clock) and where on the read's clock.
struct AdditionRow {
  int attempt = 0;
  std::string message;
  double timeout_s = 0.0;
  std::string requested_at;
  std::string added_at;         // empty while waiting, or when the wait ended otherwise
  double baseline_end_s = 0.0;  // where the reads before the wait ended on the read's clock
  std::optional<double> time_s;  // seconds since the attempt's first read began

  nlohmann::json to_json() const;
};

// Which jobs jobs.list answers with: newest first, optionally of one state and/or one
// instrument, at most `limit`, and only jobs submitted before the job `before` (the next page).
struct JobListFilter {
  std::optional<JobState> state;
  std::string instrument;  // empty = every instrument
  std::string before;      // a job id; empty = from the newest job
  int limit = 100;
};

// The SQL that Store::read_jobs runs for `filter` (its parameters, in order: state, instrument,
// before, limit, each only when used). Every filter is answered from an index walked newest
// first, so a page costs the same with 100 or 100,000 stored jobs; tests check the plan.
std::string job_list_sql(const JobListFilter& filter);

using EventListener = std::function<void(const StoredEvent&)>;

std::string utc_now();
// `time` as UTC text with microseconds ("2026-03-09T18:20:01.123456Z"), as utc_now() writes it.
std::string utc_text(std::chrono::system_clock::time_point time);

class Store {
 public:
  explicit Store(const std::filesystem::path& database);

  void set_event_listener(EventListener listener);
  std::int64_t last_seq();
  // The database file (other components open their own read connections on it).
  const std::filesystem::path& path() const { return path_; }

  // --- writes (any thread) ---
  // Inserts a queued job with its plate and wells; a live request key returns the first job
  // (duplicate, or conflict when the digest differs); an expired key is forgotten.
  SubmitOutcome insert_job(const protocols::JobSpec& spec, const RequestKey& request = {});
  std::optional<std::string> next_queued(const std::string& instrument);
  // queued -> running; returns the attempt number (1 for the first run).
  int start_attempt(const std::string& job_id);
  void finish_job(const std::string& job_id, JobState state, const std::string& error_code,
                  const std::string& error);
  // queued -> cancelled; false when the job was not queued.
  bool cancel_if_queued(const std::string& job_id);
  void set_progress(const std::string& job_id, double fraction, const std::string& message);
  void set_truth(const std::string& job_id, const nlohmann::json& truth);
  // Stores one page of readings in one transaction with its job.<id>.reading event: when it
  // returns, the page is committed (a reading acknowledged is a reading stored; see
  // docs/service.md for what survives a crash of assayd and what a power loss). A reading this
  // attempt already stored (same well, channel and cycle) is left out, never duplicated.
  void append_readings(const std::string& job_id, int attempt,
                       std::span<const drivers::Reading> readings);
  void add_image(const std::string& job_id, int attempt, const ImageRecord& image);
  void store_results(const std::string& job_id, int attempt, const protocols::AssayResult& result);
  std::int64_t emit(const std::string& topic, nlohmann::json body);
  // At start: running jobs become interrupted, then re-queued or failed by policy.
  std::vector<RecoveredJob> recover_interrupted(bool requeue, int max_attempts);
  // At graceful stop: a running job cut short becomes interrupted (resumable).
  void mark_interrupted(const std::string& job_id, const std::string& reason);
  // running -> waiting: the job asks a person for an addition (`message`), publishes it in the
  // state event and records the request for `attempt`. StoreError when the job is not running.
  void begin_waiting(const std::string& job_id, int attempt, const std::string& message,
                     double timeout_s, double baseline_end_s);
  // waiting -> running: records when the addition was made (`added_at`, the daemon's clock when
  // jobs.continue arrived) and its time on the read's clock. StoreError when not waiting.
  void end_waiting(const std::string& job_id, int attempt, const std::string& added_at, double time_s);
  // The latest attempt before `attempt` whose addition was made, or nullopt.
  std::optional<AdditionRow> addition_before_attempt(const std::string& job_id, int attempt);
  nlohmann::json load_job_spec(const std::string& job_id);
  std::vector<drivers::Reading> readings_before_attempt(const std::string& job_id, int attempt);
  // Records that `attempt` finished the acquisition `name` (see RunContext::acquisition_complete).
  void mark_acquisition_complete(const std::string& job_id, int attempt, const std::string& name);
  // The readings of the latest attempt before `attempt` that finished `name`, or nullopt.
  std::optional<std::vector<drivers::Reading>> readings_of_completed(const std::string& job_id, int attempt,
                                                                     const std::string& name);

  // The facility bridge's position (store_facility.cpp): the last seq `target` acknowledged
  // ("<stream>/<host>"), 0 when it never did. Any thread.
  std::int64_t facility_acked_seq(const std::string& target);
  void set_facility_acked_seq(const std::string& target, std::int64_t seq);

  // --- reads (io thread only) ---
  std::optional<JobRecord> read_job(const std::string& job_id);
  // One page of jobs (see JobListFilter), without their spec and truth.
  std::vector<JobRecord> read_jobs(const JobListFilter& filter);
  nlohmann::json read_results(const std::string& job_id, const std::string& kind);
  nlohmann::json read_readings(const std::string& job_id, std::int64_t after_id, int limit);
  nlohmann::json read_images(const std::string& job_id);
  nlohmann::json read_job_counts(const std::string& job_id);
  // The job's latest addition request (any attempt), or nullopt when it never waited for one.
  std::optional<AdditionRow> read_addition(const std::string& job_id);
  // All events after `seq`, or only those of one job when job_id is not empty.
  std::vector<StoredEvent> read_events_since(std::int64_t seq, int limit, const std::string& job_id = {});
  std::map<JobState, int> read_state_counts();

 private:
  void migrate();
  std::int64_t emit_locked(const std::string& topic, nlohmann::json body);
  // Writes an event whose text is made: `stored_body` in the log, `published` to listeners (they
  // differ for a reading event, whose rows the log keeps in the page `reading_page`; 0 = none).
  void record_event_locked(std::int64_t seq, const std::string& topic, const std::string& job_id,
                           const std::string& time, const std::string& stored_body,
                           std::int64_t reading_page, std::string published);
  // The readings `attempt` of `job_id` has stored, loaded from the database on first use.
  AttemptReadings& attempt_readings_locked(const std::string& job_id, int attempt);
  void forget_attempt_locked(const std::string& job_id);
  void set_state_locked(const std::string& job_id, JobState state,
                        nlohmann::json extra = nlohmann::json::object());
  // Locks the writer, runs `body` in one transaction and hands its events to the listener after
  // the commit; on failure rolls back and forgets the events.
  void write_transaction(const std::function<void()>& body);

  std::filesystem::path path_;
  std::mutex write_mutex_;
  Database writer_;
  Database reader_;
  EventListener listener_;
  std::int64_t next_seq_ = 1;
  // Readings are numbered in arrival order across all jobs (a page rolled back leaves a gap).
  std::int64_t next_reading_id_ = 1;
  std::vector<StoredEvent> pending_events_;  // written in the open transaction
  // Of the attempts storing readings now (dropped when their job finishes or is interrupted).
  std::map<std::pair<std::string, int>, AttemptReadings> attempts_;
  // The statements of every page, prepared once (destroyed before the connection).
  std::optional<Statement> insert_event_;
  std::optional<Statement> insert_page_;
};

}  // namespace assay::daemon
