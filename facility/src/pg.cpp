#include "assay/facility/pg.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <utility>

namespace assay::facility {

PgResult::~PgResult() {
  if (result_) PQclear(result_);
}

PgResult::PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

int PgResult::rows() const { return PQntuples(result_); }
int PgResult::columns() const { return PQnfields(result_); }
std::string PgResult::text(int row, int column) const { return PQgetvalue(result_, row, column); }
bool PgResult::is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }
long PgResult::affected() const {
  const char* n = PQcmdTuples(result_);
  return (n && *n) ? std::atol(n) : 0;
}

PgConnection::PgConnection(const std::string& conninfo, const std::string& password) {
  // Keyword form so the password never has to be spliced into the caller's conninfo.
  const char* keys[] = {"dbname", "password", "application_name", nullptr};
  const char* values[] = {conninfo.c_str(), password.empty() ? nullptr : password.c_str(), "assay-facility", nullptr};
  conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    throw PgError("PostgreSQL: cannot connect (" + conninfo + "): " + message);
  }
  // Quiet the notices of CREATE ... IF NOT EXISTS.
  PQclear(PQexec(conn_, "SET client_min_messages = warning"));
}

PgConnection::~PgConnection() {
  if (conn_) PQfinish(conn_);
}

bool PgConnection::ok() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

namespace {

[[noreturn]] void fail_with(pg_conn* conn, pg_result* raw, const std::string& sql) {
  std::string message = raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  throw PgError("PostgreSQL: " + message + " in: " + sql.substr(0, 80));
}

std::vector<const char*> values_of(const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

}  // namespace

void PgConnection::queue(std::string sql, std::vector<PgParam> params) {
  queued_.push_back({std::move(sql), std::move(params)});
}

void PgConnection::flush() {
  if (queued_.empty()) return;
  auto batch = std::move(queued_);
  queued_.clear();
  if (PQenterPipelineMode(conn_) != 1) fail_with(conn_, nullptr, "(entering pipeline mode)");
  for (const auto& q : batch) {
    auto values = values_of(q.params);
    if (PQsendQueryParams(conn_, q.sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                          nullptr, 0) != 1) {
      fail_with(conn_, nullptr, q.sql);
    }
  }
  if (PQpipelineSync(conn_) != 1) fail_with(conn_, nullptr, "(pipeline sync)");
  // Every result is read, up to the sync, before an error is thrown: the connection stays usable.
  std::string error;
  for (const auto& q : batch) {
    pg_result* raw = PQgetResult(conn_);
    if (!raw) {
      if (error.empty()) error = "PostgreSQL: " + std::string(PQerrorMessage(conn_)) + " in: " + q.sql.substr(0, 80);
      break;
    }
    const auto status = PQresultStatus(raw);
    if (error.empty() && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      error = "PostgreSQL: " + std::string(PQresultErrorMessage(raw)) + " in: " + q.sql.substr(0, 80);
    }
    PQclear(raw);
    while ((raw = PQgetResult(conn_)) != nullptr) PQclear(raw);  // the NULL that ends each query's results
  }
  while (pg_result* raw = PQgetResult(conn_)) {
    const bool sync = PQresultStatus(raw) == PGRES_PIPELINE_SYNC;
    PQclear(raw);
    if (sync) break;
  }
  PQexitPipelineMode(conn_);
  if (!error.empty()) {
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    throw PgError(error);
  }
}

PgResult PgConnection::exec(const std::string& sql, const std::vector<PgParam>& params) {
  flush();
  auto values = values_of(params);
  pg_result* raw = params.empty() ? PQexec(conn_, sql.c_str())
                                  : PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                                 values.data(), nullptr, nullptr, 0);
  const auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    PgResult owned(raw);  // cleared when the error leaves
    fail_with(conn_, raw, sql);
  }
  return PgResult(raw);
}

PgTransaction::PgTransaction(PgConnection& connection) : connection_(connection) { connection_.exec("BEGIN"); }

PgTransaction::~PgTransaction() {
  if (done_) return;
  try {
    connection_.drop_queued();
    connection_.exec("ROLLBACK");
  } catch (...) {
    // The connection may be gone; the server rolls back an abandoned transaction by itself.
  }
}

void PgTransaction::commit() {
  connection_.exec("COMMIT");
  done_ = true;
}

std::string read_secret_file(const std::string& file) {
  std::string path = file;
  const std::string prefix = "credential:";
  if (path.rfind(prefix, 0) == 0) {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir) {
      throw PgError(file + ": names a systemd credential but $CREDENTIALS_DIRECTORY is unset "
                    "(add LoadCredential= to the unit, or give a file path)");
    }
    path = std::string(dir) + "/" + path.substr(prefix.size());
  }
  std::ifstream in(path);
  if (!in) throw PgError("cannot read secret file " + path + ": it does not exist or is not readable by this user");
  std::string secret;
  std::getline(in, secret);
  while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ' || secret.back() == '\t')) secret.pop_back();
  return secret;
}

}  // namespace assay::facility
