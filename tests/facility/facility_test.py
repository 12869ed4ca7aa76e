#!/usr/bin/python3
"""Facility tests on real services: nats-server (JetStream), PostgreSQL, assayd hosts on the
simulators and assay-facility.

  facility_test.py BIN_DIR SOURCE_DIR equality   three hosts run jobs; PostgreSQL equals each SQLite
  facility_test.py BIN_DIR SOURCE_DIR faults     the same through kill -9 of a host and of
                                                 assay-facility, a nats-server restart and a
                                                 PostgreSQL stop: nothing lost, nothing duplicated
  facility_test.py BIN_DIR SOURCE_DIR submit     jobs submitted through the bus to two hosts by
                                                 instrument name (submit_checks.py)
  facility_test.py BIN_DIR SOURCE_DIR view       the facility view over HTTP (and in Chromium) and
                                                 an instrument name on two hosts (view_checks.py)
Options: --hosts N, --rounds N (jobs per host), --keep (leave the temporary directory),
--screenshot PNG (view: where the page's screenshot goes).
Exit 77 (skipped) when nats-server or PostgreSQL is not installed."""
import argparse
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402
import submit_checks  # noqa: E402
import view_checks  # noqa: E402
from services import PG_BIN, Facility, Host, Nats, Postgres, facility_seq, wait_until  # noqa: E402

FINAL = {"succeeded", "failed", "cancelled"}
JOBS = ["demo_plate_read.json", "calcium_flux_96.json", "cfu_dish6.json"]


def submit_round(hosts, source_dir, jobs=JOBS):
    ids = []
    for host in hosts:
        for job in jobs:
            ids.append((host, host.submit(os.path.join(source_dir, "examples", "jobs", job))))
    return ids


def wait_jobs_final(ids, timeout_s=240):
    def done():
        return all(host.states().get(job) in FINAL for host, job in ids)
    wait_until(f"{len(ids)} jobs to end", done, timeout_s, 0.25)
    failed = [(h.name, j, h.states()[j]) for h, j in ids if h.states()[j] != "succeeded"]
    if failed:
        raise AssertionError(f"jobs did not succeed: {failed}")


def wait_caught_up(hosts, pg, timeout_s=120):
    def caught_up():
        return all(facility_seq(pg, h.name) >= h.last_seq() for h in hosts)
    wait_until("the facility store to catch up with every host", caught_up, timeout_s, 0.25)


def check_equal(hosts, pg):
    for host in hosts:
        print("  equal:", compare.assert_host_equal(host, pg), flush=True)
    dup = pg.query("SELECT COUNT(*) FROM (SELECT host, seq FROM assay.events GROUP BY host, seq HAVING COUNT(*) > 1) d")
    assert dup[0][0] == "0", "duplicated events"
    rejected = pg.query("SELECT COUNT(*) FROM assay.rejected")[0][0]
    assert rejected == "0", f"{rejected} messages rejected: " + str(pg.query("SELECT error FROM assay.rejected LIMIT 3"))


def equality(args, root, hosts, nats, pg, facility):
    ids = submit_round(hosts, args.source_dir)
    for _ in range(args.rounds - 1):
        ids += submit_round(hosts, args.source_dir)
    wait_jobs_final(ids)
    wait_caught_up(hosts, pg)
    check_equal(hosts, pg)
    # Facility reads across hosts.
    out = hosts[0].ctl("--facility", pg.conninfo, "jobs", "--json").stdout
    import json
    jobs = json.loads(out)
    per_host = {h.name: sum(1 for j in jobs if j["host"] == h.name) for h in hosts}
    assert all(n == len(JOBS) * args.rounds for n in per_host.values()), per_host
    ambiguous = hosts[0].ctl("--facility", pg.conninfo, "job", "J000001", check=False)
    assert ambiguous.returncode == 4 and "exists on" in ambiguous.stderr, ambiguous.stderr
    one = json.loads(hosts[0].ctl("--facility", pg.conninfo, "job", f"{hosts[1].name}/J000002").stdout)
    assert one["host"] == hosts[1].name and one["state"] == "succeeded" and one["counts"]["readings"] > 0, one
    results = json.loads(hosts[0].ctl("--facility", pg.conninfo, "results", f"{hosts[2].name}/J000002").stdout)
    assert len(results["rows"]) > 0, results


def faults(args, root, hosts, nats, pg, facility):
    ids = submit_round(hosts, args.source_dir)
    # kill -9 a host while its jobs run (the bridge dies with it), then start it again.
    wait_until("a reading stored on host 0", lambda: hosts[0].last_seq() > 20, 60, 0.05)
    print("  kill -9 assayd", hosts[0].name, "at seq", hosts[0].last_seq(), flush=True)
    hosts[0].stop(signal.SIGKILL)
    hosts[0].start()
    # kill -9 assay-facility mid-stream, start it again.
    print("  kill -9 assay-facility", flush=True)
    facility.stop(signal.SIGKILL)
    time.sleep(0.5)
    facility.start()
    # nats-server stops while the hosts keep running jobs (they must not stall), then comes back.
    print("  nats-server down while jobs run", flush=True)
    nats.stop(signal.SIGKILL)
    cut_off = time.monotonic()
    offline = submit_round(hosts, args.source_dir, JOBS[:2])
    wait_jobs_final(offline, 180)  # the daemons finish jobs with the bus away
    # --offline-s: the hosts stay cut off that long, running job after job with the bus away.
    while time.monotonic() - cut_off < args.offline_s:
        more_offline = submit_round(hosts, args.source_dir, JOBS[:2])
        wait_jobs_final(more_offline, 180)
        offline += more_offline
    print(f"  hosts cut off from the bus for {time.monotonic() - cut_off:.0f} s, {len(offline)} jobs run meanwhile",
          flush=True)
    nats.start()
    # PostgreSQL stops for a while with the stream filling meanwhile.
    print("  PostgreSQL down while jobs run", flush=True)
    pg.stop()
    more = submit_round(hosts, args.source_dir, JOBS[:2])
    time.sleep(args.pg_down_s)
    pg.start()
    ids += offline + more
    # A job that the kill interrupted was re-queued and finished on restart (or failed there).
    wait_jobs_final([(h, j) for h, j in ids if h is not hosts[0]] + [(h, j) for h, j in ids if h is hosts[0]
                                                                       and h.states()[j] != "failed"], 240)
    wait_caught_up(hosts, pg, 180)
    check_equal(hosts, pg)
    restarts = pg.query("SELECT COUNT(*) FROM assay.events WHERE topic LIKE '%.state' AND body->>'state' = 'interrupted'")
    print("  interrupted-state events stored:", restarts[0][0], flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bin_dir")
    parser.add_argument("source_dir")
    parser.add_argument("mode", choices=["equality", "faults", "submit", "view"])
    parser.add_argument("--hosts", type=int, default=None, help="3; 2 for submit")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--pg-down-s", type=float, default=3.0)
    parser.add_argument("--offline-s", type=float, default=0.0, help="faults: the hosts stay cut off from NATS this long")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--screenshot", default=None)
    args = parser.parse_args()
    if args.hosts is None:
        args.hosts = 2 if args.mode in ("submit", "view") else 3
    if not shutil.which("nats-server") or not os.path.exists(f"{PG_BIN}/postgres") or not shutil.which("psql"):
        print("skipped: nats-server, PostgreSQL 15 or psql is not installed (scripts/packages.txt)")
        return 77
    root = tempfile.mkdtemp(prefix="assay-facility-")
    started = []
    try:
        pg = Postgres(root); started.append(pg)
        nats = Nats(root); started.append(nats)
        hosts = []
        for i in range(args.hosts):
            names = {"submit": submit_checks.instrument_names, "view": view_checks.instrument_names}.get(args.mode)
            # The view needs a plate running long enough to see others queued behind it.
            hosts.append(Host(root, args.bin_dir, args.source_dir, f"host{i}", nats.url,
                              time_scale=0.02 if args.mode == "view" else 0.005, instruments=names and names(i)))
            started.append(hosts[-1])
        # The view reads with the read-only role (view_checks.grant_reader makes it).
        web = (f'listen = "127.0.0.1:0"\nconninfo = "{pg.conninfo.replace("user=assay", "user=assay_reader")}"'
               if args.mode == "view" else "")
        facility = Facility(root, args.bin_dir, nats.url, pg.conninfo, web); started.append(facility)
        begin = time.monotonic()
        modes = {"equality": equality, "faults": faults, "submit": submit_checks.submit_through_facility,
                 "view": view_checks.facility_view}
        modes[args.mode](args, root, hosts, nats, pg, facility)
        print(f"ok: {args.mode} with {args.hosts} hosts in {time.monotonic() - begin:.1f} s")
        return 0
    except BaseException:
        print(f"FAILED; logs in {root}", file=sys.stderr)
        for log in ["assay-facility.log", "nats-server.log", "postgres.log"] + [f"host{i}/assayd.log" for i in range(args.hosts)]:
            path = os.path.join(root, log)
            if os.path.exists(path):
                print(f"--- {log} (last lines)", file=sys.stderr)
                print("".join(open(path, errors="replace").readlines()[-15:]), file=sys.stderr)
        args.keep = True
        raise
    finally:
        for service in reversed(started):
            service.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
