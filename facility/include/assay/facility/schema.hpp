// The facility schema in PostgreSQL: every host's jobs, plates, wells, readings, images
// metadata, results and events, keyed by host. Created if missing (idempotent DDL).
#pragma once

#include "assay/facility/pg.hpp"

namespace assay::facility {

inline constexpr const char* kSchemaName = "assay";

// Creates schema "assay" and its tables when they do not exist yet.
void ensure_schema(PgConnection& connection);

}  // namespace assay::facility
