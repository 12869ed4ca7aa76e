#include "job_list_reader.hpp"

#include <sqlite3.h>

#include <string_view>

#include "json_text.hpp"

namespace assay::daemon {
namespace {

// Column i of the row as text (valid until the next step); empty for NULL.
std::string_view column(sqlite3_stmt* row, int i) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(row, i));
  return text ? std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(row, i)))
              : std::string_view();
}

void bind_text(sqlite3_stmt* statement, int index, const std::string& text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

// One job of the page, its keys in the order dump() sorts them. Columns as kJobListColumns.
void append_job(std::string& out, sqlite3_stmt* row) {
  const auto id = column(row, 0);
  const auto state = parse_job_state(column(row, 5));
  if (!state) {
    throw StoreError("job " + std::string(id) + " has the unknown state '" + std::string(column(row, 5)) + "'");
  }
  const auto error = column(row, 10), started = column(row, 12), finished = column(row, 13),
             summary = column(row, 16);
  out += "{\"attempts\":";
  append_json_number(out, static_cast<std::int64_t>(sqlite3_column_int64(row, 6)));
  if (!error.empty()) {
    out += ",\"error\":{\"code\":";
    append_json_string(out, column(row, 9));
    out += ",\"message\":";
    append_json_string(out, error);
    out += '}';
  }
  if (!finished.empty()) {
    out += ",\"finished_at\":";
    append_json_string(out, finished);
  }
  out += ",\"instrument\":";
  append_json_string(out, column(row, 2));
  out += ",\"job_id\":";
  append_json_string(out, id);
  out += ",\"message\":";
  append_json_string(out, column(row, 8));
  out += ",\"name\":";
  append_json_string(out, column(row, 3));
  out += ",\"priority\":";
  append_json_number(out, static_cast<std::int64_t>(sqlite3_column_int64(row, 4)));
  out += ",\"progress\":";
  append_json_number(out, sqlite3_column_double(row, 7));
  out += ",\"protocol\":";
  append_json_string(out, column(row, 1));
  if (!started.empty()) {
    out += ",\"started_at\":";
    append_json_string(out, started);
  }
  out += ",\"state\":\"";
  out += to_string(*state);
  out += "\",\"submitted_at\":";
  append_json_string(out, column(row, 11));
  if (!summary.empty() && summary != "null") {
    out += ",\"summary\":";
    out += summary;
  }
  out += '}';
}

}  // namespace

JobListReader::JobListReader(const std::filesystem::path& database) : db_(database, true) {}

JobListReader::~JobListReader() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
}

sqlite3_stmt* JobListReader::statement_for(const JobListFilter& filter) {
  const auto sql = job_list_sql(filter);
  auto& statement = statements_[sql];
  if (!statement && sqlite3_prepare_v2(db_.handle(), sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    statements_.erase(sql);
    throw SqliteError(std::string("SQLite prepare: ") + sqlite3_errmsg(db_.handle()) + " in: " + sql);
  }
  sqlite3_reset(statement);
  return statement;
}

std::string JobListReader::page_json(const JobListFilter& filter) {
  auto* statement = statement_for(filter);
  int index = 0;
  if (filter.state) sqlite3_bind_text(statement, ++index, to_string(*filter.state), -1, SQLITE_STATIC);
  if (!filter.instrument.empty()) bind_text(statement, ++index, filter.instrument);
  if (!filter.before.empty()) bind_text(statement, ++index, filter.before);
  sqlite3_bind_int(statement, ++index, filter.limit);
  std::string out = "{\"jobs\":[";
  std::string last_id;
  int count = 0;
  int step = SQLITE_ROW;
  while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
    if (count++ > 0) out += ',';
    append_job(out, statement);
    if (count == filter.limit) last_id = column(statement, 0);
  }
  const bool failed = step != SQLITE_DONE;
  sqlite3_reset(statement);
  if (failed) throw SqliteError(std::string("SQLite step: ") + sqlite3_errmsg(db_.handle()));
  out += ']';
  // A full page may have more behind it: `next` is the `before` of the next page.
  if (count == filter.limit) {
    out += ",\"next\":";
    append_json_string(out, last_id);
  }
  out += '}';
  return out;
}

}  // namespace assay::daemon
