// What the facility bridge sends: the stored event log after a seq, as bus messages
// (facility/include/assay/facility/envelope.hpp), read through a read-only SQLite connection of
// its own. A job's submit event carries the job, plate and wells; a result event carries the
// result rows as the results table holds them when it is read. One thread (the bridge's).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/daemon/sqlite.hpp"

namespace assay::daemon {

struct OutgoingMessage {
  std::int64_t seq = 0;
  std::string subject;
  std::string msg_id;
  std::string payload;
};

class FacilityOutbox {
 public:
  FacilityOutbox(const std::filesystem::path& database, std::string host);

  // The messages of up to `limit` events after `after_seq`, in seq order, read in one snapshot.
  std::vector<OutgoingMessage> after(std::int64_t after_seq, int limit);

 private:
  nlohmann::json submitted_job(const std::string& job_id);
  nlohmann::json plate(const std::string& job_id);
  nlohmann::json wells(const std::string& job_id);
  nlohmann::json results(const std::string& job_id);

  Database db_;
  std::string host_;
};

}  // namespace assay::daemon
