#include "assay/facility/schema.hpp"

namespace assay::facility {
namespace {

// Tables mirror assayd's SQLite tables with the host added to every key. Times are the host's
// clock as it stored them. No foreign keys: hosts and their events arrive in any order.
const char* const kSchemaSql = R"sql(
CREATE SCHEMA IF NOT EXISTS assay;
CREATE TABLE IF NOT EXISTS assay.hosts (
  host        text PRIMARY KEY,
  last_seq    bigint NOT NULL DEFAULT 0,       -- every event of this host up to here is stored
  pending     bigint NOT NULL DEFAULT 0,       -- its messages waiting in assay.pending
  last_event  timestamptz,                     -- the host's time of event last_seq
  updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- Messages that arrived before an earlier one of their host (a redelivery): stored when the
-- gap closes (src/host_order.cpp).
CREATE TABLE IF NOT EXISTS assay.pending (
  host       text NOT NULL,
  seq        bigint NOT NULL,
  payload    text NOT NULL,
  parked_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (host, seq)
);
CREATE TABLE IF NOT EXISTS assay.events (
  host       text NOT NULL,
  seq        bigint NOT NULL,
  time       timestamptz NOT NULL,             -- when the host stored the event
  topic      text NOT NULL,
  job_id     text,
  body       jsonb NOT NULL,                   -- as stored; a reading page keeps its row count only
  stored_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (host, seq)
);
CREATE INDEX IF NOT EXISTS events_job ON assay.events (host, job_id, seq);
CREATE TABLE IF NOT EXISTS assay.jobs (
  host          text NOT NULL,
  job_id        text NOT NULL,
  protocol      text NOT NULL,
  instrument    text NOT NULL,
  name          text NOT NULL DEFAULT '',
  priority      integer NOT NULL DEFAULT 0,
  state         text NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  progress      double precision NOT NULL DEFAULT 0,
  message       text NOT NULL DEFAULT '',
  error_code    text NOT NULL DEFAULT '',
  error         text NOT NULL DEFAULT '',
  submitted_at  timestamptz NOT NULL,
  started_at    timestamptz,
  finished_at   timestamptz,
  spec          jsonb NOT NULL,
  summary       jsonb,
  last_seq      bigint NOT NULL,               -- the event that last changed this row
  PRIMARY KEY (host, job_id)
);
CREATE INDEX IF NOT EXISTS jobs_by_submission ON assay.jobs (submitted_at DESC);
CREATE TABLE IF NOT EXISTS assay.plates (
  host     text NOT NULL,
  job_id   text NOT NULL,
  barcode  text NOT NULL,
  format   text NOT NULL,
  rows     integer NOT NULL,
  columns  integer NOT NULL,
  PRIMARY KEY (host, job_id)
);
CREATE TABLE IF NOT EXISTS assay.wells (
  host          text NOT NULL,
  job_id        text NOT NULL,
  well          text NOT NULL,
  row           integer NOT NULL,
  col           integer NOT NULL,
  role          text NOT NULL,
  sample        text NOT NULL DEFAULT '',
  compound      text NOT NULL DEFAULT '',
  conc_nm       double precision NOT NULL DEFAULT 0,
  stimulated    boolean NOT NULL,
  cells_plated  double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (host, job_id, well)
);
CREATE TABLE IF NOT EXISTS assay.readings (
  host       text NOT NULL,
  job_id     text NOT NULL,
  attempt    integer NOT NULL,
  well       text NOT NULL,
  channel    text NOT NULL,
  cycle      integer NOT NULL,
  time_s     double precision NOT NULL,
  value      double precision NOT NULL,
  saturated  boolean NOT NULL,
  seq        bigint NOT NULL,                  -- the reading page's event
  PRIMARY KEY (host, job_id, attempt, well, channel, cycle)
);
CREATE TABLE IF NOT EXISTS assay.images (
  host           text NOT NULL,
  seq            bigint NOT NULL,
  job_id         text NOT NULL,
  attempt        integer NOT NULL,
  well           text NOT NULL,
  field          integer NOT NULL,
  kind           text NOT NULL,
  path           text NOT NULL,                -- relative to the host's state directory
  width          integer NOT NULL,
  height         integer NOT NULL,
  pixel_size_um  double precision NOT NULL,
  exposure_ms    double precision NOT NULL,
  z_um           double precision NOT NULL,
  PRIMARY KEY (host, seq)
);
CREATE TABLE IF NOT EXISTS assay.results (
  host     text NOT NULL,
  job_id   text NOT NULL,
  attempt  integer NOT NULL,
  kind     text NOT NULL,
  key      text NOT NULL,
  value    jsonb NOT NULL,
  seq      bigint NOT NULL,
  PRIMARY KEY (host, job_id, kind, key)
);
-- Every instrument a host announced (its instrument.<name>.state events) and its latest state.
-- A name on more than one host makes submitting by that name ambiguous (docs/facility.md).
CREATE TABLE IF NOT EXISTS assay.instruments (
  host    text NOT NULL,
  name    text NOT NULL,
  state   text NOT NULL,
  detail  text NOT NULL DEFAULT '',
  time    timestamptz NOT NULL,                -- the host's time of that state
  seq     bigint NOT NULL,
  PRIMARY KEY (host, name)
);
-- Messages that could not be stored (malformed, or refused by a constraint): kept to look at,
-- acknowledged so that they do not block the stream.
CREATE TABLE IF NOT EXISTS assay.rejected (
  subject    text NOT NULL,
  stream_seq bigint,
  error      text NOT NULL,
  payload    text NOT NULL,
  stored_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
)sql";

const char* const kInstrumentsFromEventsSql = R"sql(
INSERT INTO assay.instruments (host, name, state, detail, time, seq)
SELECT DISTINCT ON (host, body->>'instrument') host, body->>'instrument', COALESCE(body->>'state', ''),
       COALESCE(body->>'detail', ''), time, seq
FROM assay.events WHERE job_id IS NULL AND topic LIKE 'instrument.%' AND body ? 'instrument'
ORDER BY host, body->>'instrument', seq DESC
)sql";

}  // namespace

void ensure_schema(PgConnection& connection) {
  // Two facility programs starting at once must not race on CREATE ... IF NOT EXISTS.
  PgTransaction transaction(connection);
  connection.exec("SELECT pg_advisory_xact_lock(2026120701)");
  const bool had_instruments = connection.exec("SELECT to_regclass('assay.instruments') IS NOT NULL").text(0, 0) == "t";
  connection.exec(kSchemaSql);
  // A database from before assay.instruments: its instruments from the events stored so far, once.
  if (!had_instruments) connection.exec(kInstrumentsFromEventsSql);
  transaction.commit();
}

}  // namespace assay::facility
