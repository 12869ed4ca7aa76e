"""The facility view (docs/facility.md, "The facility view") and duplicate instrument names:
assay-facility serves every host's jobs from PostgreSQL over HTTP, read with a read-only role;
an instrument name on two hosts is shown there and a submit by that name is refused."""
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request

from services import facility_seq, tables_exist, wait_until
from submit_checks import FacilityClient, expect

FINAL = {"succeeded", "failed", "cancelled"}


def instrument_names(index):
    """host0: reader0, imager0; host1: reader1 and an imager also named imager0 (the duplicate)."""
    return {"sim-reader": f"reader{index}", "sim-imager": "imager0"}


def get(url, host=None, method="GET"):
    """(status, headers, body text) of one request; `host` replaces the Host header."""
    request = urllib.request.Request(url, method=method, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def get_json(url):
    status, _, body = get(url)
    assert status == 200, f"{url}: {status} {body}"
    return json.loads(body)


def view_url(facility):
    def found():
        match = re.search(r"web: facility view at (http://\S+)", open(facility.log, errors="replace").read())
        return match.group(1) if match else None
    return wait_until("assay-facility to serve the facility view", found, 30)


def grant_reader(pg):
    """The read-only role of docs/facility.md, once the schema exists."""
    wait_until("the facility schema", lambda: tables_exist(pg), 30)
    pg.query("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'assay_reader') THEN "
             "CREATE ROLE assay_reader LOGIN; END IF; END $$; GRANT USAGE ON SCHEMA assay TO assay_reader; "
             "GRANT SELECT ON ALL TABLES IN SCHEMA assay TO assay_reader")


def check_duplicate_refused(client, src, hosts):
    """A submit by a name two hosts have is refused before it is sent; --host still works."""
    before = [len(h.states()) for h in hosts]
    out = client.submit(client.job_file(src, "cfu_dish6.json", "imager0"))
    expect(out, 1, "instrument 'imager0' is on 2 hosts (host0, host1)", "--host", "unique name")
    assert [len(h.states()) for h in hosts] == before, "an ambiguous submit made a job"
    chosen = expect(client.submit(client.job_file(src, "cfu_dish6.json", "imager0"), "--host", "host1"), 0)
    assert chosen.startswith("host1/J"), chosen
    unique = expect(client.submit(client.job_file(src, "demo_plate_read.json", "reader1")), 0)
    assert unique.startswith("host1/J"), unique
    return [chosen, unique]


def check_queue(url, timeout_s=90):
    """One queue across hosts: running jobs first, then the queued ones, oldest first."""
    def queue_seen():
        jobs = get_json(url + "api/v1/queue")["jobs"]
        states = [j["state"] for j in jobs]
        return jobs if "running" in states and "queued" in states else None
    jobs = wait_until("a running and a queued job in the facility queue", queue_seen, timeout_s, 0.2)
    states = [j["state"] for j in jobs]
    assert states == sorted(states, key=lambda s: s != "running"), states
    queued = [j["submitted_at"] for j in jobs if j["state"] == "queued"]
    assert queued == sorted(queued), queued
    assert all(j["state"] not in FINAL for j in jobs), jobs
    return jobs


def check_views(url, hosts, flux_ref):
    status = get_json(url + "api/v1/hosts")
    by_host = {h["host"]: h for h in status["hosts"]}
    assert sorted(by_host) == ["host0", "host1"], by_host
    for host in hosts:
        seen = by_host[host.name]
        assert seen["last_seq"] == host.last_seq() and seen["waiting"] == 0, seen
        assert seen["lag_s"] is not None and 0 <= seen["lag_s"] < 60, seen
        names = {i["name"]: i["state"] for i in seen["instruments"]}
        assert set(names) == set(instrument_names(int(host.name[-1])).values()), names
        assert all(state in ("online", "busy") for state in names.values()), names
    assert status["duplicate_instruments"] == [{"name": "imager0", "hosts": ["host0", "host1"]}], status
    jobs = get_json(url + "api/v1/jobs?limit=100")["jobs"]
    local = {(h.name, j): s for h in hosts for j, s in h.states().items()}
    assert {(j["host"], j["job_id"]): j["state"] for j in jobs} == local, (jobs, local)
    assert all(0 <= j["progress"] <= 1 and j["instrument"] for j in jobs), jobs
    one_host = get_json(url + "api/v1/jobs?host=host1")["jobs"]
    assert one_host and all(j["host"] == "host1" for j in one_host), one_host
    host, job_id = flux_ref.split("/")
    job = get_json(f"{url}api/v1/jobs/{host}/{job_id}")
    assert job["host"] == host and job["protocol"] == "calcium_flux" and job["state"] == "succeeded", job
    qc = job["summary"]["qc"]
    assert isinstance(qc["z_prime"], float) and qc["pass"] in (True, False), qc
    results = get_json(f"{url}api/v1/jobs/{host}/{job_id}/results")
    kinds = {row["kind"] for row in results["rows"]}
    assert "series" in kinds and "well" in kinds, kinds
    return job


def check_refusals(url):
    status, _, body = get(url + "api/v1/jobs/host0/J999999")
    assert status == 404 and "no job J999999 of host host0" in body, (status, body)
    status, _, body = get(url + "api/v1/jobs?colour=red")
    assert status == 400 and "unknown_field" in body, (status, body)
    status, _, body = get(url + "api/v1/hosts", host="evil.example.org")
    assert status == 421 and "allowed_hosts" in body, (status, body)
    status, headers, body = get(url + "api/v1/jobs", method="POST")
    assert status == 405 and headers.get("Allow") == "GET", (status, headers, body)
    status, headers, page = get(url)
    assert status == 200 and headers["Content-Type"].startswith("text/html"), (status, headers)
    assert "default-src 'none'" in headers["Content-Security-Policy"], headers
    # The shared style and scripts are compiled in, no marker is left.
    assert "assay facility" in page and "function analysisView" in page and "--ink:" in page, page[:300]
    assert "/*@" not in page, "a shared page part was not filled in"


def check_page_in_browser(url, flux_ref, root, screenshot):
    """The page as Chromium renders it: hosts, the duplicate, queue and jobs, the job's QC."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("  no chromium: the page was checked over HTTP only", flush=True)
        return
    flags = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--disable-extensions", f"--user-data-dir={os.path.join(root, 'chromium')}", "--window-size=1400,1100",
             "--virtual-time-budget=8000"]
    page = f"{url}#{flux_ref}"
    dom = subprocess.run(flags + ["--dump-dom", page], capture_output=True, text=True, timeout=120).stdout
    for needle in ('data-host="host0"', 'data-host="host1"', 'data-duplicate="imager0"', 'data-instrument="reader1"',
                   f'data-job="{flux_ref}"', 'id="qc"', "verdict", "Dose-response", 'id="heatmap"'):
        assert needle in dom, f"{needle} not in the rendered page: {dom[:2000]}"
    png = screenshot or os.path.join(root, "facility-view.png")
    subprocess.run(flags + [f"--screenshot={png}", page], capture_output=True, timeout=120)
    assert os.path.getsize(png) > 10000, png
    print(f"  page rendered by Chromium; screenshot {png}", flush=True)


def facility_view(args, root, hosts, nats, pg, facility):
    client = FacilityClient(os.path.join(root, "client"), args.bin_dir, nats.url)
    os.makedirs(client.root, exist_ok=True)
    src = args.source_dir
    grant_reader(pg)
    url = view_url(facility)
    print("  facility view at", url, flush=True)
    wait_until("both hosts' instruments in the facility database",
               lambda: len(get_json(url + "api/v1/hosts")["duplicate_instruments"]) == 1, 60, 0.25)
    refs = check_duplicate_refused(client, src, hosts)
    # Three plates for one reader: one runs, two wait, so the queue has both kinds.
    flux = client.job_file(src, "calcium_flux_96.json", "reader0")
    queued = [expect(client.submit(flux, "--host", "host0"), 0) for _ in range(3)]
    refs += queued
    check_queue(url)
    wait_until("every job to end", lambda: all(s in FINAL for h in hosts for s in h.states().values()), 240, 0.25)
    wait_until("the facility store to catch up", lambda: all(facility_seq(pg, h.name) >= h.last_seq() for h in hosts),
               60, 0.25)
    time.sleep(0.5)
    check_views(url, hosts, queued[0])
    check_refusals(url)
    check_page_in_browser(url, queued[0], root, args.screenshot)
