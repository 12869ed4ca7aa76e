// RAII over libpq: a PgConnection owns a PGconn*, a PgResult owns a PGresult*.
//
// Every statement goes through exec(sql, params) with text parameters ($1, $2, ...), so no
// value is ever spliced into SQL. Errors throw PgError with PostgreSQL's message and the first
// words of the statement. One connection belongs to one thread.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct pg_conn;
struct pg_result;

namespace assay::facility {

class PgError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PgResult final {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  ~PgResult();
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;

  int rows() const;
  int columns() const;
  std::string text(int row, int column) const;
  bool is_null(int row, int column) const;
  // Rows changed by INSERT/UPDATE/DELETE.
  long affected() const;

 private:
  pg_result* result_ = nullptr;
};

using PgParam = std::optional<std::string>;  // nullopt = SQL NULL

class PgConnection final {
 public:
  // `conninfo`: "host=... dbname=... user=..." or a postgresql:// URL; `password` is passed
  // beside it (read from a file by the caller) so it never sits in a config file or a command line.
  PgConnection(const std::string& conninfo, const std::string& password = {});
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs now (after any queued statements) and returns the rows.
  PgResult exec(const std::string& sql, const std::vector<PgParam>& params = {});
  // Queues a statement whose result nobody reads; queued statements go to the server together
  // in one pipeline (libpq pipeline mode) at the next exec() or flush(): one round trip for a
  // whole batch instead of one each. Their errors throw from that exec() or flush().
  void queue(std::string sql, std::vector<PgParam> params);
  void flush();
  // Forgets the queued statements (a transaction rolled back before they were sent).
  void drop_queued() { queued_.clear(); }
  bool ok() const;

 private:
  struct Queued {
    std::string sql;
    std::vector<PgParam> params;
  };
  pg_conn* conn_ = nullptr;
  std::vector<Queued> queued_;
};

// BEGIN now; COMMIT on commit(), ROLLBACK when destroyed without it (errors swallowed then).
class PgTransaction final {
 public:
  explicit PgTransaction(PgConnection& connection);
  ~PgTransaction();
  void commit();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;

 private:
  PgConnection& connection_;
  bool done_ = false;
};

// The secret in `file` (first line, trailing white space dropped). "credential:NAME" reads
// $CREDENTIALS_DIRECTORY/NAME (systemd LoadCredential=). Throws PgError naming the file.
std::string read_secret_file(const std::string& file);

}  // namespace assay::facility
