"""Row-for-row comparison of one host's SQLite with the facility's PostgreSQL rows of that host."""
import hashlib
import json


def _digest(rows):
    h = hashlib.sha256()
    for row in rows:
        h.update(repr(row).encode())
    return h.hexdigest()[:16]


def _float(text):
    return float(text)


def readings(host, pg):
    with host.db() as db:
        local = sorted((j, a, w, c, cy, float(t), float(v), bool(s)) for j, a, w, c, cy, t, v, s in db.execute(
            "SELECT job_id, attempt, well, channel, cycle, time_s, value, saturated FROM readings"))
    remote = sorted((j, int(a), w, c, int(cy), _float(t), _float(v), s == "t") for j, a, w, c, cy, t, v, s in pg.query(
        f"SELECT job_id, attempt, well, channel, cycle, time_s, value, saturated FROM assay.readings "
        f"WHERE host = '{host.name}'"))
    return local, remote


def tables(host, pg):
    """(name, local rows, facility rows) for each compared table of `host`."""
    out = []
    r_local, r_remote = readings(host, pg)
    out.append(("readings", r_local, r_remote))
    with host.db() as db:
        jobs_local = sorted(db.execute("SELECT id, protocol, instrument, state, attempts, error_code FROM jobs"))
        wells_local = sorted((j, w, r, c, role, float(conc), bool(st)) for j, w, r, c, role, conc, st in db.execute(
            "SELECT job_id, well, row, col, role, conc_nM, stimulated FROM wells"))
        results_local = sorted((j, a, k, key, json.dumps(json.loads(v), sort_keys=True)) for j, a, k, key, v in
                               db.execute("SELECT job_id, attempt, kind, key, value FROM results"))
        images_local = sorted(db.execute("SELECT job_id, attempt, well, field, kind, path FROM images"))
        seqs_local = [s for (s,) in db.execute("SELECT seq FROM events ORDER BY seq")]
    h = f"'{host.name}'"
    jobs_remote = sorted((j, p, i, s, int(a), e) for j, p, i, s, a, e in pg.query(
        f"SELECT job_id, protocol, instrument, state, attempts, error_code FROM assay.jobs WHERE host = {h}"))
    wells_remote = sorted((j, w, int(r), int(c), role, float(conc), st == "t") for j, w, r, c, role, conc, st in pg.query(
        f"SELECT job_id, well, row, col, role, conc_nm, stimulated FROM assay.wells WHERE host = {h}"))
    results_remote = sorted((j, int(a), k, key, json.dumps(json.loads(v), sort_keys=True)) for j, a, k, key, v in
                            pg.query(f"SELECT job_id, attempt, kind, key, value FROM assay.results WHERE host = {h}"))
    images_remote = sorted((j, int(a), w, int(f), k, p) for j, a, w, f, k, p in pg.query(
        f"SELECT job_id, attempt, well, field, kind, path FROM assay.images WHERE host = {h}"))
    seqs_remote = [int(s) for (s,) in pg.query(f"SELECT seq FROM assay.events WHERE host = {h} ORDER BY seq")]
    out += [("jobs", jobs_local, jobs_remote), ("wells", wells_local, wells_remote),
            ("results", results_local, results_remote), ("images", images_local, images_remote),
            ("events", seqs_local, seqs_remote)]
    return out


def assert_host_equal(host, pg):
    """Raises AssertionError naming the first table that differs; returns a summary line."""
    summary = []
    for name, local, remote in tables(host, pg):
        if local != remote:
            local_set, remote_set = set(local), set(remote)
            missing = [r for r in local if r not in remote_set][:3]
            extra = [r for r in remote if r not in local_set][:3]
            if not missing and not extra:
                missing = ["(the same rows, counted differently: a row is duplicated)"]
            raise AssertionError(f"host {host.name}: {name} differ: {len(local)} rows in SQLite, {len(remote)} in "
                                 f"PostgreSQL; missing {missing}, extra {extra}")
        summary.append(f"{name} {len(local)} ({_digest(local)})")
    return f"{host.name}: " + ", ".join(summary)
