// Reading the stored event log back as it was published. A reading event's body is stored
// without its rows, which are its page's in reading_pages (reading_rows.hpp): they are put back
// here, so the API's events.since, the web stream and the facility bridge all send the same text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "assay/daemon/sqlite.hpp"
#include "assay/daemon/store.hpp"

namespace assay::daemon {

// Up to `limit` events after `after_seq` in seq order, of one job when `job_id` is not empty.
std::vector<StoredEvent> read_event_log(Database& db, std::int64_t after_seq, int limit, const std::string& job_id = {});

}  // namespace assay::daemon
