// Store: readings, images and results, written as they arrive and read back for clients.
#include "assay/daemon/store.hpp"

#include "reading_rows.hpp"

namespace assay::daemon {
namespace {

using nlohmann::json;

// A page's readings from `SELECT rows FROM reading_pages ...`, appended in arrival order.
void append_pages(Statement& select, std::vector<drivers::Reading>& readings) {
  while (select.step()) {
    auto page = parse_reading_rows(select.column_text(0));
    readings.insert(readings.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
  }
}

}  // namespace

AttemptReadings& Store::attempt_readings_locked(const std::string& job_id, int attempt) {
  auto [it, inserted] = attempts_.try_emplace({job_id, attempt});
  if (inserted) {
    // Normally empty (a new attempt); after a reopened Store, what the attempt stored before.
    auto select = writer_.prepare("SELECT rows FROM reading_pages WHERE job_id = ? AND attempt = ? ORDER BY first_id");
    select.bind(1, job_id).bind(2, attempt);
    std::vector<drivers::Reading> stored;
    append_pages(select, stored);
    for (const auto& r : stored) it->second.first_time(r, 0);
  }
  return it->second;
}

void Store::forget_attempt_locked(const std::string& job_id) {
  std::erase_if(attempts_, [&](const auto& entry) { return entry.first.first == job_id; });
}

void Store::append_readings(const std::string& job_id, int attempt,
                            std::span<const drivers::Reading> readings) {
  if (readings.empty()) return;
  try {
    write_transaction([&] {
      // A page is one row: its readings as JSON text (the `readings` view expands them), written
      // once and reused as the event's rows. A row per reading cost two B-tree inserts each, and
      // the UNIQUE key's index, ordered by well before cycle, made every commit rewrite most of it.
      auto& seen = attempt_readings_locked(job_id, attempt);
      // Usually every reading is new and the page is stored as delivered; a reading this attempt
      // already stored (or twice in this page) is left out.
      std::vector<drivers::Reading> fresh;
      bool repeated = false;
      for (std::size_t i = 0; i < readings.size(); ++i) {
        const bool first = seen.first_time(readings[i], i);
        if (!first && !repeated) {
          repeated = true;
          fresh.assign(readings.begin(), readings.begin() + static_cast<std::ptrdiff_t>(i));
        } else if (first && repeated) {
          fresh.push_back(readings[i]);
        }
      }
      const auto page = repeated ? std::span<const drivers::Reading>(fresh) : readings;
      if (page.empty()) return;
      std::string rows;
      append_reading_rows(rows, page);
      const std::int64_t first_id = next_reading_id_;
      insert_page_->bind(1, first_id).bind(2, job_id).bind(3, attempt);
      insert_page_->bind(4, static_cast<std::int64_t>(page.size())).bind_static(5, rows).run();
      next_reading_id_ += static_cast<std::int64_t>(page.size());
      // The event log keeps the event without its rows (they are the page's: stored once) and
      // events.since puts them back; subscribers get the whole event now.
      const std::int64_t seq = next_seq_++;
      const auto time = utc_now();
      const auto topic = "job." + job_id + ".reading";
      record_event_locked(seq, topic, job_id, time, reading_event_text(job_id, attempt, nullptr, seq, time, topic),
                          first_id, reading_event_text(job_id, attempt, &rows, seq, time, topic));
    });
  } catch (...) {
    // Rolled back: what this page marked as seen is not stored, so the attempt's readings are
    // read again from the database at the next page.
    std::lock_guard lock(write_mutex_);
    attempts_.erase({job_id, attempt});
    throw;
  }
}

std::vector<drivers::Reading> Store::readings_before_attempt(const std::string& job_id, int attempt) {
  std::lock_guard lock(write_mutex_);
  auto select = writer_.prepare(
      "SELECT rows FROM reading_pages WHERE job_id = ? AND attempt < ? ORDER BY first_id");
  select.bind(1, job_id).bind(2, attempt);
  std::vector<drivers::Reading> readings;
  append_pages(select, readings);
  return readings;
}

void Store::mark_acquisition_complete(const std::string& job_id, int attempt, const std::string& name) {
  std::lock_guard lock(write_mutex_);
  auto insert = writer_.prepare(
      "INSERT OR IGNORE INTO acquisitions (job_id, attempt, name, completed_at) VALUES (?, ?, ?, ?)");
  insert.bind(1, job_id).bind(2, attempt).bind(3, name).bind(4, utc_now()).run();
}

std::optional<std::vector<drivers::Reading>> Store::readings_of_completed(const std::string& job_id, int attempt,
                                                                          const std::string& name) {
  std::lock_guard lock(write_mutex_);
  auto latest = writer_.prepare(
      "SELECT MAX(attempt) FROM acquisitions WHERE job_id = ? AND attempt < ? AND name = ?");
  latest.bind(1, job_id).bind(2, attempt).bind(3, name);
  if (!latest.step() || latest.column_is_null(0)) return std::nullopt;
  const auto finished = latest.column_int(0);
  auto select = writer_.prepare(
      "SELECT rows FROM reading_pages WHERE job_id = ? AND attempt = ? ORDER BY first_id");
  select.bind(1, job_id).bind(2, finished);
  std::vector<drivers::Reading> readings;
  append_pages(select, readings);
  return readings;
}

void Store::add_image(const std::string& job_id, int attempt, const ImageRecord& image) {
  write_transaction([&] {
    const auto& m = image.meta;
    auto insert = writer_.prepare(
        "INSERT INTO images (job_id, attempt, well, field, kind, path, width, height, "
        "pixel_size_um, exposure_ms, z_um, offset_x_mm, offset_y_mm, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, job_id).bind(2, attempt).bind(3, m.well).bind(4, m.field).bind(5, image.kind);
    insert.bind(6, image.path.string()).bind(7, m.pixels.cols).bind(8, m.pixels.rows);
    insert.bind(9, m.pixel_size_um).bind(10, m.exposure_ms).bind(11, m.z_um);
    insert.bind(12, m.offset_x_mm).bind(13, m.offset_y_mm).bind(14, utc_now()).run();
    emit_locked("job." + job_id + ".image", {{"job_id", job_id},
                                             {"attempt", attempt},
                                             {"well", m.well},
                                             {"field", m.field},
                                             {"kind", image.kind},
                                             {"path", image.path.string()},
                                             {"width", m.pixels.cols},
                                             {"height", m.pixels.rows},
                                             {"pixel_size_um", m.pixel_size_um},
                                             {"exposure_ms", m.exposure_ms},
                                             {"z_um", m.z_um}});
  });
}

void Store::store_results(const std::string& job_id, int attempt,
                          const protocols::AssayResult& result) {
  write_transaction([&] {
    writer_.prepare("DELETE FROM results WHERE job_id = ?").bind(1, job_id).run();
    auto insert = writer_.prepare(
        "INSERT OR REPLACE INTO results (job_id, attempt, kind, key, value) VALUES (?, ?, ?, ?, ?)");
    for (const auto& row : result.rows) {
      insert.bind(1, job_id).bind(2, attempt).bind(3, row.kind).bind(4, row.key);
      insert.bind(5, row.value.dump()).run();
    }
    json summary = result.summary;
    json figures = json::array();
    for (const auto& figure : result.figures) figures.push_back(figure.string());
    summary["figures"] = figures;
    writer_.prepare("UPDATE jobs SET summary = ? WHERE id = ?")
        .bind(1, summary.dump())
        .bind(2, job_id)
        .run();
    emit_locked("job." + job_id + ".result",
                {{"job_id", job_id}, {"attempt", attempt}, {"summary", summary},
                 {"rows", static_cast<int>(result.rows.size())}});
  });
}

json Store::read_results(const std::string& job_id, const std::string& kind) {
  auto statement = reader_.prepare(
      "SELECT kind, key, value, attempt FROM results WHERE job_id = ?1 AND (?2 = '' OR kind = ?2) "
      "ORDER BY rowid");
  statement.bind(1, job_id).bind(2, kind);
  json rows = json::array();
  while (statement.step()) {
    rows.push_back({{"kind", statement.column_text(0)},
                    {"key", statement.column_text(1)},
                    {"value", json::parse(statement.column_text(2), nullptr, false)},
                    {"attempt", statement.column_int(3)}});
  }
  return rows;
}

json Store::read_readings(const std::string& job_id, std::int64_t after_id, int limit) {
  // Pages holding a reading after `after_id`, oldest first; a page's readings are numbered
  // first_id, first_id + 1, ... in their order in `rows`.
  auto statement = reader_.prepare(
      "SELECT first_id, attempt, rows FROM reading_pages "
      "WHERE job_id = ? AND first_id + count > ? ORDER BY first_id");
  statement.bind(1, job_id).bind(2, after_id + 1);
  json rows = json::array();
  std::int64_t last_id = after_id;
  while (static_cast<int>(rows.size()) < limit && statement.step()) {
    const auto first_id = statement.column_int(0);
    const auto attempt = statement.column_int(1);
    auto page = parse_reading_rows(statement.column_text(2));
    for (std::size_t i = 0; i < page.size() && static_cast<int>(rows.size()) < limit; ++i) {
      const auto id = first_id + static_cast<std::int64_t>(i);
      if (id <= after_id) continue;
      const auto& r = page[i];
      rows.push_back({attempt, r.well, r.channel, r.cycle, r.time_s, r.value, r.saturated});
      last_id = id;
    }
  }
  return {{"columns", {"attempt", "well", "channel", "cycle", "time_s", "value", "saturated"}},
          {"rows", std::move(rows)},
          {"last_id", last_id}};
}

json Store::read_images(const std::string& job_id) {
  auto statement = reader_.prepare(
      "SELECT attempt, well, field, kind, path, width, height, pixel_size_um, exposure_ms, z_um "
      "FROM images WHERE job_id = ? ORDER BY id");
  statement.bind(1, job_id);
  json images = json::array();
  while (statement.step()) {
    images.push_back({{"attempt", statement.column_int(0)},   {"well", statement.column_text(1)},
                      {"field", statement.column_int(2)},     {"kind", statement.column_text(3)},
                      {"path", statement.column_text(4)},     {"width", statement.column_int(5)},
                      {"height", statement.column_int(6)},
                      {"pixel_size_um", statement.column_double(7)},
                      {"exposure_ms", statement.column_double(8)},
                      {"z_um", statement.column_double(9)}});
  }
  return images;
}

json Store::read_job_counts(const std::string& job_id) {
  auto statement = reader_.prepare(
      "SELECT (SELECT COALESCE(SUM(count), 0) FROM reading_pages WHERE job_id = ?1),"
      "       (SELECT COUNT(*) FROM images WHERE job_id = ?1),"
      "       (SELECT COUNT(*) FROM results WHERE job_id = ?1)");
  statement.bind(1, job_id);
  statement.step();
  return {{"readings", statement.column_int(0)},
          {"images", statement.column_int(1)},
          {"results", statement.column_int(2)}};
}

}  // namespace assay::daemon
