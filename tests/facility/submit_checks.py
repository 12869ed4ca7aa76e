"""Jobs submitted through the facility bus (docs/facility.md, "Submitting through the facility"):
`assayctl --facility-nats URL submit JOB.json` reaches the host that has the job's instrument,
with the same idempotent request ids and the same errors as the host's own API."""
import json
import os
import signal
import socket
import subprocess
import threading
import time

import compare

FINAL = {"succeeded", "failed", "cancelled"}


def instrument_names(index):
    """Per host its own instrument names, so that a name routes to one host."""
    return {"sim-reader": f"reader{index}", "sim-imager": f"imager{index}"}


class FacilityClient:
    """assayctl with --facility-nats and no local daemon at all (an empty state dir)."""

    def __init__(self, root, bin_dir, nats_url):
        self.root = root
        self.bin = os.path.join(bin_dir, "assayctl")
        self.nats_url = nats_url
        self.nowhere = os.path.join(root, "no-daemon")
        os.makedirs(self.nowhere, exist_ok=True)

    def job_file(self, source_dir, example, instrument, **changes):
        job = json.load(open(os.path.join(source_dir, "examples", "jobs", example)))
        job["instrument"] = instrument
        job.update(changes)
        path = os.path.join(self.root, f"{instrument}-{len(os.listdir(self.root))}.json")
        json.dump(job, open(path, "w"))
        return path

    def submit(self, job_file, *options):
        return subprocess.run([self.bin, "--state-dir", self.nowhere, "--facility-nats", self.nats_url, "submit",
                               job_file, *options], capture_output=True, text=True, timeout=30)


def raw_request(nats_url, subject, body, timeout_s=10):
    """One request in NATS's text protocol, for bodies assayctl never sends; the reply as JSON."""
    host, port = nats_url.replace("nats://", "").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout_s) as s:
        f = s.makefile("rb")
        f.readline()  # INFO
        data = json.dumps(body).encode()
        s.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\nSUB _INBOX.raw 1\r\n'
                  + f"PUB {subject} _INBOX.raw {len(data)}\r\n".encode() + data + b"\r\n")
        while True:
            line = f.readline().decode()
            if line.startswith("PING"):
                s.sendall(b"PONG\r\n")
            elif line.startswith("MSG"):
                return json.loads(f.read(int(line.split()[-1]) + 2)[:-2])
            elif not line or line.startswith("-ERR"):
                raise AssertionError(f"NATS: {line!r}")


def expect(out, code, *words):
    text = out.stdout + out.stderr
    assert out.returncode == code, f"exit {out.returncode} (wanted {code}): {text}"
    for word in words:
        assert word in text, f"'{word}' not in: {text}"
    return out.stdout.strip()


def submit_through_facility(args, root, hosts, nats, pg, facility):
    client = FacilityClient(os.path.join(root, "client"), args.bin_dir, nats.url)
    os.makedirs(client.root, exist_ok=True)
    src = args.source_dir
    begin = time.monotonic()
    # By instrument name: each job lands on the host that has the instrument.
    read0 = client.job_file(src, "demo_plate_read.json", "reader0")
    first = expect(client.submit(read0, "--request-id", "facility-a"), 0)
    assert first.startswith("host0/J"), first
    second = expect(client.submit(client.job_file(src, "demo_plate_read.json", "reader1"), "--request-id", "facility-b"), 0)
    assert second.startswith("host1/J"), second
    third = expect(client.submit(client.job_file(src, "cfu_dish6.json", "imager1")), 0)
    assert third.startswith("host1/J") and third != second, third
    print(f"  routed: {first} {second} {third} ({time.monotonic() - begin:.1f} s)", flush=True)
    # A retry with the same request id is the first job, not a second one.
    again = expect(client.submit(read0, "--request-id", "facility-a"), 0, "seen before")
    assert again == first, (again, first)
    with hosts[0].db() as db:
        assert db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 1, "a retried submit stored a second job"
    # The same id for another job is refused, naming the first.
    other = client.job_file(src, "demo_plate_read.json", "reader0", name="another plate")
    expect(client.submit(other, "--request-id", "facility-a"), 1, "id_reused", first.split("/")[1], "host0")
    # Clear errors: an instrument no host has; an invalid spec (the API's words, the field named).
    expect(client.submit(client.job_file(src, "demo_plate_read.json", "reader9")), 4, "no host has instrument 'reader9'")
    bad = client.job_file(src, "demo_plate_read.json", "reader1",
                          layout=[{"wells": "Z99", "role": "blank"}])
    expect(client.submit(bad), 1, "invalid_job", "job.layout[0].wells", "host1")
    # A host named explicitly answers for its own instruments only.
    expect(client.submit(read0, "--host", "host1"), 1, "unknown_instrument", "reader0")
    # The bus takes jobs.submit only, and a job goes to the instrument whose subject it came on.
    job = json.load(open(read0))
    other_op = raw_request(nats.url, "assayd.submit.host.host0", {"v": 1, "id": "x1", "op": "jobs.cancel", "job_id": "J000001"})
    assert other_op["error"]["code"] == "unknown_op" and other_op["host"] == "host0", other_op
    misrouted = raw_request(nats.url, "assayd.submit.instrument.reader1", {"v": 1, "id": "x2", "op": "jobs.submit", "job": job})
    assert misrouted["error"]["code"] == "wrong_instrument" and "reader0" in misrouted["error"]["message"], misrouted
    # The local daemon keeps answering its own API while the bus brings it jobs.
    latencies = []
    burst = threading.Thread(target=lambda: [expect(client.submit(read0), 0) for _ in range(4)])
    burst.start()
    while burst.is_alive() or not latencies:
        t = time.monotonic()
        hosts[0].ctl("ping")
        latencies.append(time.monotonic() - t)
    burst.join()
    print(f"  local ping during facility submits: max {max(latencies):.2f} s of {len(latencies)}", flush=True)
    assert max(latencies) < 2.5, latencies
    # The jobs run on their hosts and reach PostgreSQL under those hosts.
    def all_final():
        return all(s in FINAL for h in hosts for s in h.states().values())
    deadline = time.monotonic() + 60
    while not all_final():
        assert time.monotonic() < deadline, [h.states() for h in hosts]
        time.sleep(0.25)
    states = {h.name: h.states() for h in hosts}
    assert all(s == "succeeded" for per in states.values() for s in per.values()), states
    assert len(states["host0"]) == 5 and len(states["host1"]) == 2, states
    stored = {(h, j, i) for h, j, i in pg_wait_jobs(pg, hosts)}
    for ref, instrument in ((first, "reader0"), (second, "reader1"), (third, "imager1")):
        host, job = ref.split("/")
        assert (host, job, instrument) in stored, (ref, instrument, sorted(stored))
    for host in hosts:
        print("  equal:", compare.assert_host_equal(host, pg), flush=True)
    # Routing follows a reload that renames an instrument: the new name reaches the host, the old
    # one no host.
    text = open(hosts[1].config).read()
    open(hosts[1].config, "w").write(text.replace('name = "reader1"', 'name = "reader1b"'))
    hosts[1].proc.send_signal(signal.SIGHUP)
    renamed = client.job_file(src, "demo_plate_read.json", "reader1b")
    deadline = time.monotonic() + 20
    while (out := client.submit(renamed)).returncode != 0:
        assert time.monotonic() < deadline and out.returncode == 4, out.stdout + out.stderr
        time.sleep(0.25)
    assert out.stdout.startswith("host1/J"), out.stdout
    expect(client.submit(client.job_file(src, "demo_plate_read.json", "reader1")), 4, "no host has instrument 'reader1'")
    # A host that starts while nats-server is away serves its own API at once, and takes
    # facility submits once the bus is back.
    hosts[1].stop()
    nats.stop()
    hosts[1].start()  # waits for its API to answer
    expect(client.submit(read0), 3, "connecting to")
    nats.start()
    late = client.job_file(src, "demo_plate_read.json", "reader1b")
    deadline = time.monotonic() + 20
    while (out := client.submit(late, "--request-id", "after-outage")).returncode != 0:
        assert time.monotonic() < deadline and out.returncode == 4, out.stdout + out.stderr
        time.sleep(0.5)
    assert out.stdout.startswith("host1/J"), out.stdout


def pg_wait_jobs(pg, hosts, timeout_s=60):
    from services import facility_seq, wait_until
    wait_until("the facility store to catch up", lambda: all(facility_seq(pg, h.name) >= h.last_seq() for h in hosts),
               timeout_s, 0.25)
    return pg.query("SELECT host, job_id, instrument FROM assay.jobs")
