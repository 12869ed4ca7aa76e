// apply_envelope and release_stale_gaps: each host's events are stored in seq order (apply.hpp).
#include <spdlog/spdlog.h>

#include "assay/facility/apply.hpp"

namespace assay::facility {
namespace {

using nlohmann::json;

// Stores the waiting messages that now follow `watermark`; returns the new watermark.
std::int64_t drain(PgConnection& pg, const std::string& host, std::int64_t watermark, long& waiting) {
  while (waiting > 0) {
    auto next = pg.exec("DELETE FROM assay.pending WHERE host = $1 AND seq = $2 RETURNING payload",
                        {host, std::to_string(watermark + 1)});
    if (next.rows() == 0) break;
    store_event(pg, json::parse(next.text(0, 0)));
    ++watermark;
    --waiting;
  }
  return watermark;
}

}  // namespace

Applied apply_envelope(PgConnection& pg, const json& envelope, HostCursors& cursors) {
  check_envelope(envelope);
  const std::string host = envelope["host"].get<std::string>();
  const std::int64_t seq = envelope["seq"].get<std::int64_t>();
  auto found = cursors.find(host);
  if (found == cursors.end()) {
    // Locks the host's row for the transaction: one writer per host at a time.
    auto row = pg.exec("INSERT INTO assay.hosts (host) VALUES ($1) ON CONFLICT (host) DO UPDATE SET host = EXCLUDED.host "
                       "RETURNING last_seq, pending",
                       {host});
    found = cursors.emplace(host, HostCursor{std::stoll(row.text(0, 0)), std::stol(row.text(0, 1))}).first;
  }
  auto& cursor = found->second;
  if (seq <= cursor.watermark) return Applied::replayed;
  if (seq > cursor.watermark + 1) {
    auto parked = pg.exec("INSERT INTO assay.pending (host, seq, payload) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                          {host, std::to_string(seq), envelope.dump()});
    if (parked.affected() == 0) return Applied::replayed;
    ++cursor.waiting;
    return Applied::deferred;
  }
  store_event(pg, envelope);
  cursor.watermark = drain(pg, host, seq, cursor.waiting);
  return Applied::stored;
}

void save_host_cursors(PgConnection& pg, const HostCursors& cursors) {
  for (const auto& [host, cursor] : cursors) {
    pg.queue("UPDATE assay.hosts SET last_seq = $2, pending = $3, last_event = COALESCE((SELECT time FROM "
             "assay.events WHERE host = $1 AND seq = $2), last_event), updated_at = clock_timestamp() WHERE host = $1",
             {host, std::to_string(cursor.watermark), std::to_string(cursor.waiting)});
  }
  pg.flush();
}

long release_stale_gaps(PgConnection& pg, int timeout_s) {
  PgTransaction transaction(pg);
  auto stale = pg.exec("SELECT host FROM assay.pending GROUP BY host "
                       "HAVING MIN(parked_at) < clock_timestamp() - make_interval(secs => $1::int)",
                       {std::to_string(timeout_s)});
  long given_up = 0;
  for (int i = 0; i < stale.rows(); ++i) {
    const auto host = stale.text(i, 0);
    // Read again under the host's lock: a message may have closed the gap meanwhile.
    auto row = pg.exec("SELECT last_seq, pending, (SELECT MIN(seq) FROM assay.pending p WHERE p.host = h.host) "
                       "FROM assay.hosts h WHERE host = $1 FOR UPDATE",
                       {host});
    if (row.rows() == 0 || row.is_null(0, 2)) continue;
    const std::int64_t from = std::stoll(row.text(0, 0)) + 1, first_waiting = std::stoll(row.text(0, 2));
    long waiting = std::stol(row.text(0, 1));
    spdlog::error("facility: host {}: events {}..{} never arrived within {} s (trimmed from the stream by its "
                  "limits?); storing the later ones without them",
                  host, from, first_waiting - 1, timeout_s);
    given_up += first_waiting - from;
    const std::int64_t reached = drain(pg, host, first_waiting - 1, waiting);
    pg.exec("UPDATE assay.hosts SET last_seq = $2, pending = $3, updated_at = clock_timestamp() WHERE host = $1",
            {host, std::to_string(reached), std::to_string(waiting)});
  }
  transaction.commit();
  return given_up;
}

}  // namespace assay::facility
