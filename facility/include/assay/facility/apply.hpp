// Stores bus messages (see envelope.hpp) in the facility schema, inside the caller's
// transaction, strictly in each host's seq order.
//
// JetStream redelivers an unacknowledged message after its ack wait, so a message can arrive
// after later ones of its host (a consumer killed mid-batch). assay.hosts.last_seq is the
// host's contiguous watermark: a message at or below it is a replay and changes nothing; the
// next one is stored, then any that arrived early and wait in assay.pending; one further ahead
// waits there itself. A gap that stays open longer than a timeout (the stream lost messages to
// its limits) is given up with an error naming the host and seqs, and storing goes on.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "assay/facility/pg.hpp"

namespace assay::facility {

class EnvelopeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Applied { stored, replayed, deferred };

// Where each host stands within one transaction: read (and locked) at a host's first message,
// kept here meanwhile, written back by save_host_cursors() before the commit. Most writes are
// queued (PgConnection::queue) and reach the server together.
struct HostCursor {
  std::int64_t watermark = 0;  // every seq up to here is stored
  long waiting = 0;            // rows of the host in assay.pending
};
using HostCursors = std::map<std::string, HostCursor>;

// Throws EnvelopeError for a message that is not an envelope of a known version, PgError from
// PostgreSQL.
Applied apply_envelope(PgConnection& connection, const nlohmann::json& envelope, HostCursors& cursors);
void save_host_cursors(PgConnection& connection, const HostCursors& cursors);

// Gives up gaps whose first waiting message has waited longer than `timeout_s`; returns the
// number of seqs given up (logged as errors). Runs its own transaction.
long release_stale_gaps(PgConnection& connection, int timeout_s);

// --- in apply.cpp: one event's rows, assuming every earlier event of its host is stored ---
void check_envelope(const nlohmann::json& envelope);
void store_event(PgConnection& connection, const nlohmann::json& envelope);

}  // namespace assay::facility
