// The facility's hosts as the facility view shows them (docs/facility.md, "The facility view"):
// each host, how far behind its stream the facility database is, and its instruments with their
// latest state; and the instrument names that more than one host announced.
#pragma once

#include <nlohmann/json.hpp>

#include "assay/facility/pg.hpp"

namespace assay::facility {

// {"hosts": [{"host", "last_seq", "waiting", "last_event", "stored_at", "lag_s", "silent_s",
//             "instruments": [{"name", "state", "detail", "since"}], ...}],
//  "duplicate_instruments": [{"name", "hosts": [...]}]}
// lag_s: how long the host's latest stored event took to reach PostgreSQL; silent_s: how long
// ago that event happened on the host (the facility cannot see events it has not received).
nlohmann::json facility_hosts(PgConnection& pg);

// Instrument names announced by two or more hosts, each with its hosts (sorted).
nlohmann::json duplicate_instruments(PgConnection& pg);

}  // namespace assay::facility
