// Store: readings, images and results, written as they arrive and read back for clients.
#include "assay/daemon/store.hpp"

namespace assay::daemon {
namespace {

using nlohmann::json;

const json kReadingColumns = {"well", "channel", "cycle", "time_s", "value", "saturated"};

// Rows of `SELECT well, channel, cycle, time_s, value, saturated ...` as readings.
std::vector<drivers::Reading> readings_from(Statement& select) {
  std::vector<drivers::Reading> readings;
  while (select.step()) {
    readings.push_back({select.column_text(0), select.column_text(1), static_cast<int>(select.column_int(2)),
                        select.column_double(3), select.column_double(4), select.column_int(5) != 0});
  }
  return readings;
}

}  // namespace

void Store::append_readings(const std::string& job_id, int attempt,
                            std::span<const drivers::Reading> readings) {
  if (readings.empty()) return;
  write_transaction([&] {
    // OR IGNORE: a reading re-delivered within one attempt is kept once, never duplicated.
    auto insert = writer_.prepare(
        "INSERT OR IGNORE INTO readings (job_id, attempt, well, channel, cycle, time_s, value, "
        "saturated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    json rows = json::array();
    for (const auto& r : readings) {
      insert.bind(1, job_id).bind(2, attempt).bind(3, r.well).bind(4, r.channel).bind(5, r.cycle);
      insert.bind(6, r.time_s).bind(7, r.value).bind(8, r.saturated ? 1 : 0);
      insert.run();
      rows.push_back({r.well, r.channel, r.cycle, r.time_s, r.value, r.saturated});
    }
    emit_locked("job." + job_id + ".reading", {{"job_id", job_id},
                                               {"attempt", attempt},
                                               {"columns", kReadingColumns},
                                               {"rows", std::move(rows)}});
  });
}

std::vector<drivers::Reading> Store::readings_before_attempt(const std::string& job_id, int attempt) {
  std::lock_guard lock(write_mutex_);
  auto select = writer_.prepare(
      "SELECT well, channel, cycle, time_s, value, saturated FROM readings "
      "WHERE job_id = ? AND attempt < ? ORDER BY id");
  select.bind(1, job_id).bind(2, attempt);
  return readings_from(select);
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
      "SELECT well, channel, cycle, time_s, value, saturated FROM readings "
      "WHERE job_id = ? AND attempt = ? ORDER BY id");
  select.bind(1, job_id).bind(2, finished);
  return readings_from(select);
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
  auto statement = reader_.prepare(
      "SELECT id, attempt, well, channel, cycle, time_s, value, saturated FROM readings "
      "WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?");
  statement.bind(1, job_id).bind(2, after_id).bind(3, limit);
  json rows = json::array();
  std::int64_t last_id = after_id;
  while (statement.step()) {
    last_id = statement.column_int(0);
    rows.push_back({statement.column_int(1), statement.column_text(2), statement.column_text(3),
                    statement.column_int(4), statement.column_double(5),
                    statement.column_double(6), statement.column_int(7) != 0});
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
      "SELECT (SELECT COUNT(*) FROM readings WHERE job_id = ?1),"
      "       (SELECT COUNT(*) FROM images WHERE job_id = ?1),"
      "       (SELECT COUNT(*) FROM results WHERE job_id = ?1)");
  statement.bind(1, job_id);
  statement.step();
  return {{"readings", statement.column_int(0)},
          {"images", statement.column_int(1)},
          {"results", statement.column_int(2)}};
}

}  // namespace assay::daemon
