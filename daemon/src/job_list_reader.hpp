// jobs.list pages as JSON text, read on a connection of their own and written straight from the
// rows (no JobRecord, no DOM): the `jobs` array and `next` of the result, each job as
// JobRecord::to_json(false) dumps it (tests compare the two). The summary is spliced in as
// stored: the store writes it with dump(). The query is Store::read_jobs' (job_list_sql), and
// its statement for each filter shape is prepared once. io thread only.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "assay/daemon/sqlite.hpp"
#include "assay/daemon/store.hpp"

struct sqlite3_stmt;

namespace assay::daemon {

class JobListReader {
 public:
  explicit JobListReader(const std::filesystem::path& database);
  ~JobListReader();
  // {"jobs":[...],"next":"<id>"}: `next` only when the page is full.
  std::string page_json(const JobListFilter& filter);

 private:
  sqlite3_stmt* statement_for(const JobListFilter& filter);

  Database db_;
  std::map<std::string, sqlite3_stmt*> statements_;  // by SQL; finalized before db_ closes
};

}  // namespace assay::daemon
