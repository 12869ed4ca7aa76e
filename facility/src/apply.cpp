#include "assay/facility/apply.hpp"

#include "assay/facility/envelope.hpp"

namespace assay::facility {
namespace {

using nlohmann::json;

struct Event {
  std::string host;
  std::string seq;
  std::string time;
  std::string job_id;
  const json& body;
};

std::string text_of(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

PgParam optional_text(const json& object, const char* key) {
  if (!object.contains(key) || object[key].is_null()) return std::nullopt;
  return text_of(object[key]);
}

void insert_job(PgConnection& pg, const Event& e, const json& envelope) {
  const auto& job = envelope.at("job");
  pg.queue("INSERT INTO assay.jobs (host, job_id, protocol, instrument, name, priority, state, submitted_at, "
          "spec, last_seq) VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8, $9) ON CONFLICT DO NOTHING",
          {e.host, e.job_id, text_of(job.at("protocol")), text_of(job.at("instrument")), text_of(job.value("name", "")),
           std::to_string(job.value("priority", 0)), text_of(job.at("submitted_at")), job.at("spec").dump(), e.seq});
  if (envelope.contains("plate")) {
    const auto& plate = envelope["plate"];
    pg.queue("INSERT INTO assay.plates (host, job_id, barcode, format, rows, columns) VALUES ($1, $2, $3, $4, $5, $6) "
            "ON CONFLICT DO NOTHING",
            {e.host, e.job_id, text_of(plate.at("barcode")), text_of(plate.at("format")),
             std::to_string(plate.at("rows").get<int>()), std::to_string(plate.at("columns").get<int>())});
  }
  if (envelope.contains("wells")) {
    // One statement per page: PostgreSQL unpacks the JSON rows itself.
    pg.queue("INSERT INTO assay.wells (host, job_id, well, row, col, role, sample, compound, conc_nm, stimulated, "
            "cells_plated) SELECT $1, $2, w->>0, (w->>1)::int, (w->>2)::int, w->>3, w->>4, w->>5, "
            "(w->>6)::float8, (w->>7)::boolean, (w->>8)::float8 FROM jsonb_array_elements($3::jsonb) w "
            "ON CONFLICT DO NOTHING",
            {e.host, e.job_id, envelope["wells"].dump()});
  }
}

// A state change, as SQLite's jobs row changes with it (store_jobs.cpp, store_additions.cpp):
// the row is derived from the event alone, so it shows the host as it was at that seq.
void update_state(PgConnection& pg, const Event& e) {
  const std::string state = e.body.at("state").get<std::string>();
  const bool final_state = state == "succeeded" || state == "failed" || state == "cancelled";
  const bool resumed = e.body.value("after", "") == "waiting";
  // A new attempt starts (started_at, progress and message reset) on running with an attempt.
  const bool starts = state == "running" && e.body.contains("attempt") && !resumed;
  PgParam attempts = starts ? optional_text(e.body, "attempt") : std::nullopt;
  PgParam error_code, error, message;
  if (e.body.contains("error")) {
    error_code = text_of(e.body["error"].value("code", ""));
    error = text_of(e.body["error"].value("message", ""));
  } else if (state == "cancelled") {
    error_code = "cancelled";
    error = "cancelled by request before it started";
  } else if (state == "failed" && e.body.value("after", "") == "interrupted") {
    error_code = "interrupted";
    error = "interrupted and not re-queued (policy or attempts exhausted)";
  }
  if (starts) message = "";
  if (state == "waiting") message = optional_text(e.body, "message");
  if (resumed) message = "addition recorded at " + e.body.value("added_at", "") + "; reading the response";
  if (state == "interrupted" && e.body.contains("reason") && e.body["reason"] != "assayd stopped while the job ran") {
    message = optional_text(e.body, "reason");  // mark_interrupted keeps its reason as the message
  }
  pg.queue("UPDATE assay.jobs SET state = $3, last_seq = $4::bigint, attempts = COALESCE($5::int, attempts), "
          "started_at = CASE WHEN $5::int IS NOT NULL THEN $6::timestamptz ELSE started_at END, "
          "progress = CASE WHEN $5::int IS NOT NULL THEN 0 WHEN $3 = 'succeeded' THEN 1 ELSE progress END, "
          "message = COALESCE($9, message), "
          "finished_at = CASE WHEN $7::boolean THEN $6::timestamptz ELSE finished_at END, "
          "error_code = COALESCE($8, error_code), error = COALESCE($10, error) "
          "WHERE host = $1 AND job_id = $2 AND last_seq < $4::bigint",
          {e.host, e.job_id, state, e.seq, attempts, e.time, final_state ? "true" : "false", error_code, message,
           error});
}

void update_progress(PgConnection& pg, const Event& e) {
  pg.queue("UPDATE assay.jobs SET progress = $3::float8, message = $4, last_seq = $5::bigint "
          "WHERE host = $1 AND job_id = $2 AND last_seq < $5::bigint",
          {e.host, e.job_id, text_of(e.body.at("progress")), text_of(e.body.value("message", "")), e.seq});
}

void insert_readings(PgConnection& pg, const Event& e) {
  const auto& columns = e.body.at("columns");
  if (columns != json({"well", "channel", "cycle", "time_s", "value", "saturated"})) {
    throw EnvelopeError("reading page with unknown columns " + columns.dump());
  }
  pg.queue("INSERT INTO assay.readings (host, job_id, attempt, well, channel, cycle, time_s, value, saturated, seq) "
          "SELECT $1, $2, $3::int, r->>0, r->>1, (r->>2)::int, (r->>3)::float8, (r->>4)::float8, (r->>5)::boolean, "
          "$5::bigint FROM jsonb_array_elements($4::jsonb) r ON CONFLICT DO NOTHING",
          {e.host, e.job_id, text_of(e.body.at("attempt")), e.body.at("rows").dump(), e.seq});
}

void insert_image(PgConnection& pg, const Event& e) {
  const auto& b = e.body;
  pg.queue("INSERT INTO assay.images (host, seq, job_id, attempt, well, field, kind, path, width, height, "
          "pixel_size_um, exposure_ms, z_um) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
          "ON CONFLICT DO NOTHING",
          {e.host, e.seq, e.job_id, text_of(b.at("attempt")), text_of(b.at("well")), text_of(b.at("field")),
           text_of(b.at("kind")), text_of(b.at("path")), text_of(b.at("width")), text_of(b.at("height")),
           text_of(b.at("pixel_size_um")), text_of(b.at("exposure_ms")), text_of(b.at("z_um"))});
}

// A result replaces the job's results, as store_results() does in SQLite. The rows come from
// the host's table when the bridge sent the event (events are stored in seq order, so the
// latest result event is the last one applied).
void replace_results(PgConnection& pg, const Event& e, const json& envelope) {
  pg.queue("UPDATE assay.jobs SET summary = $3::jsonb, last_seq = $4::bigint WHERE host = $1 AND job_id = $2",
           {e.host, e.job_id, e.body.value("summary", json::object()).dump(), e.seq});
  pg.queue("DELETE FROM assay.results WHERE host = $1 AND job_id = $2", {e.host, e.job_id});
  pg.queue("INSERT INTO assay.results (host, job_id, attempt, kind, key, value, seq) "
           "SELECT $1, $2, (r->>0)::int, r->>1, r->>2, r->3, $4::bigint FROM jsonb_array_elements($3::jsonb) r "
           "ON CONFLICT DO NOTHING",
           {e.host, e.job_id, envelope.value("results", json::array()).dump(), e.seq});
}

// The instrument's latest state: rows of assay.instruments follow the events in seq order, so a
// replayed older event never overwrites a newer state.
void update_instrument(PgConnection& pg, const Event& e) {
  pg.queue("INSERT INTO assay.instruments (host, name, state, detail, time, seq) VALUES ($1, $2, $3, $4, $5, $6) "
           "ON CONFLICT (host, name) DO UPDATE SET state = EXCLUDED.state, detail = EXCLUDED.detail, "
           "time = EXCLUDED.time, seq = EXCLUDED.seq WHERE assay.instruments.seq < EXCLUDED.seq",
           {e.host, text_of(e.body.at("instrument")), text_of(e.body.value("state", "")),
            text_of(e.body.value("detail", "")), e.time, e.seq});
}

}  // namespace

void check_envelope(const json& envelope) {
  if (!envelope.is_object() || envelope.value("v", 0) != kEnvelopeVersion) {
    throw EnvelopeError("not a facility envelope of version " + std::to_string(kEnvelopeVersion));
  }
  const std::string host = envelope.at("host").get<std::string>();
  if (!is_valid_host_name(host)) throw EnvelopeError("invalid host name '" + host + "'");
  if (!envelope.at("seq").is_number_integer() || envelope["seq"].get<std::int64_t>() < 1) {
    throw EnvelopeError("seq must be a positive integer");
  }
  if (!envelope.at("event").is_object()) throw EnvelopeError("event must be an object");
  envelope.at("topic").get<std::string>();
  envelope.at("time").get<std::string>();
}

void store_event(PgConnection& pg, const json& envelope) {
  const std::string host = envelope.at("host").get<std::string>();
  const auto& body = envelope.at("event");
  const std::string topic = envelope.at("topic").get<std::string>();
  Event e{host, std::to_string(envelope.at("seq").get<std::int64_t>()), envelope.at("time").get<std::string>(),
          body.value("job_id", ""), body};

  json stored = body;
  if (stored.contains("rows") && stored["rows"].is_array()) stored["rows"] = stored["rows"].size();
  pg.queue("INSERT INTO assay.events (host, seq, time, topic, job_id, body) VALUES ($1, $2, $3, $4, $5, $6) "
          "ON CONFLICT DO NOTHING",
          {host, e.seq, e.time, topic, e.job_id.empty() ? PgParam{} : PgParam{e.job_id}, stored.dump()});
  if (e.job_id.empty()) {
    if (topic.rfind("instrument.", 0) == 0 && body.contains("instrument")) update_instrument(pg, e);
    return;
  }

  const auto kind = topic.substr(topic.rfind('.') + 1);
  if (kind == "state") {
    if (envelope.contains("job")) insert_job(pg, e, envelope);
    else update_state(pg, e);
  } else if (kind == "progress") {
    update_progress(pg, e);
  } else if (kind == "reading") {
    insert_readings(pg, e);
  } else if (kind == "image") {
    insert_image(pg, e);
  } else if (kind == "result") {
    replace_results(pg, e, envelope);
  }
}

}  // namespace assay::facility
