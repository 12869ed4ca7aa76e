// Thin RAII wrappers over the SQLite C API: a Database owns a sqlite3*, a Statement owns a
// sqlite3_stmt*. Errors throw SqliteError with SQLite's message and the SQL at fault.
//
// A Database and its Statements belong to one thread at a time (SQLite's "multi-thread" mode);
// the Store hands out separate connections for its writer and its readers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace assay::daemon {

class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Statement;

class Database final {
 public:
  Database() = default;
  // Opens (creating if needed) with WAL, foreign keys on and a busy timeout.
  explicit Database(const std::filesystem::path& path, bool read_only = false);
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// Commits on commit(); rolls back when destroyed without it.
class Transaction final {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  Database& db_;
  bool done_ = false;
};

class Statement final {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  // Binds without a copy: `value` must stay unchanged until the statement is reset.
  Statement& bind_static(int index, std::string_view value);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<std::string>& value);

  // Advances; true while a row is available.
  bool step();
  // Runs to completion (for statements without rows).
  void run();
  void reset();

  std::int64_t column_int(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

}  // namespace assay::daemon
