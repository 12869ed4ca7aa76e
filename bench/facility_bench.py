#!/usr/bin/python3
"""Readings per second through the facility bus into PostgreSQL, and the lag from a host's
stored event to its facility row, with N simulated hosts (docs/facility.md).

  bench/facility_bench.py [--bin-dir build/bin] [--hosts 3] [--jobs 2] [--time-scale 0.002]

Starts a throwaway PostgreSQL, nats-server (JetStream), N assayd hosts on the simulators and
assay-facility, as the facility tests do (tests/facility/services.py). Two phases:
  live:    every host runs --jobs calcium-flux jobs (96 wells, kinetic) with everything up;
           lag = assay.events.stored_at - the host's event time, p50/p99/max over every event
           of the phase, and the readings/s the hosts produced meanwhile.
  backlog: nats-server is down while every host runs the same jobs again (the bridges keep
           the events in SQLite); then it starts and the time until PostgreSQL holds every
           event gives the drain rate: readings/s through bridge, JetStream and assay-facility.
Prints the figures and the load average; asserts nothing beyond equality of the counts.
"""
import argparse
import os
import pathlib
import signal
import sys
import tempfile
import shutil
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "facility"))
from services import Facility, Host, Nats, Postgres, facility_seq, wait_until  # noqa: E402

JOB = str(ROOT / "examples" / "jobs" / "calcium_flux_96.json")


def readings_in_pg(pg):
    return int(pg.query("SELECT COUNT(*) FROM assay.readings")[0][0])


def lag(pg, after_time):
    row = pg.query(
        "SELECT COUNT(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY l), percentile_cont(0.99) WITHIN GROUP "
        "(ORDER BY l), MAX(l) FROM (SELECT EXTRACT(EPOCH FROM stored_at - time) * 1000 AS l FROM assay.events "
        f"WHERE time >= '{after_time}') x")[0]
    return int(row[0]), float(row[1]), float(row[2]), float(row[3])


def run_jobs(hosts, jobs):
    ids = [(h, h.submit(JOB)) for h in hosts for _ in range(jobs)]
    wait_until("the jobs to end", lambda: all(h.states().get(j) in {"succeeded", "failed"} for h, j in ids), 900, 0.5)
    return ids


def caught_up(hosts, pg):
    return all(facility_seq(pg, h.name) >= h.last_seq() for h in hosts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", default=str(ROOT / "build" / "bin"))
    parser.add_argument("--hosts", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="calcium-flux jobs per host and phase")
    parser.add_argument("--time-scale", type=float, default=0.002)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="assay-facility-bench-")
    started = []
    try:
        pg = Postgres(root); started.append(pg)
        nats = Nats(root); started.append(nats)
        hosts = [Host(root, args.bin_dir, str(ROOT), f"h{i:02d}", nats.url, args.time_scale) for i in range(args.hosts)]
        started += hosts
        facility = Facility(root, args.bin_dir, nats.url, pg.conninfo); started.append(facility)
        wait_until("the facility to see every host", lambda: caught_up(hosts, pg), 60, 0.2)

        phase_start = pg.query("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")[0][0]
        before = readings_in_pg(pg)
        t0 = time.monotonic()
        run_jobs(hosts, args.jobs)
        wait_until("the facility to catch up", lambda: caught_up(hosts, pg), 300, 0.1)
        live_s = time.monotonic() - t0
        live_readings = readings_in_pg(pg) - before
        events, p50, p99, worst = lag(pg, phase_start)
        print(f"live: {args.hosts} hosts, {live_readings} readings in {live_s:.1f} s ({live_readings / live_s:.0f}/s "
              f"produced by the simulators); lag over {events} events: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
              f"max {worst:.1f} ms", flush=True)

        nats.stop(signal.SIGTERM)
        run_jobs(hosts, args.jobs)
        before = readings_in_pg(pg)
        backlog_events = sum(h.last_seq() for h in hosts) - sum(facility_seq(pg, h.name) for h in hosts)
        t0 = time.monotonic()
        nats.start()
        wait_until("the backlog to drain", lambda: caught_up(hosts, pg), 600, 0.05)
        drain_s = time.monotonic() - t0
        drained = readings_in_pg(pg) - before
        print(f"backlog: {backlog_events} events, {drained} readings drained in {drain_s:.1f} s: "
              f"{drained / drain_s:.0f} readings/s, {backlog_events / drain_s:.0f} events/s through "
              f"bridge -> JetStream -> assay-facility -> PostgreSQL", flush=True)
        print(f"load average: {' '.join(open('/proc/loadavg').read().split()[:3])}, {os.cpu_count()} CPUs")
    finally:
        for service in reversed(started):
            service.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
