// Stores one bus message (see envelope.hpp) in the facility schema, inside the caller's
// transaction. Idempotent on (host, seq): the event row is inserted first, and a message whose
// event is already stored changes nothing. A job row follows its host's events in seq order
// (jobs.last_seq guards against an older event arriving late).
#pragma once

#include <nlohmann/json.hpp>

#include "assay/facility/pg.hpp"

namespace assay::facility {

class EnvelopeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True when stored now, false when (host, seq) was stored before. Throws EnvelopeError for a
// message that is not an envelope of a known version, PgError from PostgreSQL.
bool apply_envelope(PgConnection& connection, const nlohmann::json& envelope);

}  // namespace assay::facility
