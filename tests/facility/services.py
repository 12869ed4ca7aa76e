"""Real services for the facility tests: a throwaway PostgreSQL cluster, nats-server with
JetStream, assayd hosts on the simulators and assay-facility, each in a temporary directory.

PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user (created
by Debian's postgresql package) or, without it, to `nobody`; the test's own user otherwise."""
import json
import os
import pwd
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

PG_BIN = "/usr/lib/postgresql/15/bin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, condition, timeout_s=60.0, step_s=0.1):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def stop_process(proc, sig=signal.SIGTERM, timeout_s=20):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Postgres:
    """initdb + postgres on a unix socket in a temporary directory, trust auth, no fsync."""

    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "pgdata")
        self.socket_dir = os.path.join(root, "pgsock")
        self.port = free_port()
        self.proc = None
        self.user = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    self.user = pwd.getpwnam(name)
                    break
                except KeyError:
                    pass
            if self.user is None:
                raise RuntimeError("running as root and neither user postgres nor nobody exists")
        os.makedirs(self.socket_dir)
        if self.user:
            # The cluster's owner must reach its folders through the test's temporary directory.
            os.chmod(root, 0o755)
            os.chown(self.socket_dir, self.user.pw_uid, self.user.pw_gid)
        self._run([f"{PG_BIN}/initdb", "-D", self.data, "-A", "trust", "-U", "assay", "--no-sync",
                   "-E", "UTF8", "--locale=C"], log="initdb.log", wait=True)
        self.start()

    def _run(self, argv, log, wait=False):
        out = open(os.path.join(self.root, log), "ab")
        kwargs = {}
        if self.user:
            kwargs = dict(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
            if not os.path.exists(self.data):
                os.makedirs(self.data)
                os.chown(self.data, self.user.pw_uid, self.user.pw_gid)
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd="/", **kwargs)
        if wait:
            if proc.wait() != 0:
                raise RuntimeError(f"{argv[0]} failed; see {out.name}:\n" + open(out.name).read()[-2000:])
        return proc

    def start(self):
        self.proc = self._run([f"{PG_BIN}/postgres", "-D", self.data, "-k", self.socket_dir, "-p", str(self.port),
                               "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
                               "-c", "full_page_writes=off"], log="postgres.log")
        wait_until("PostgreSQL to accept connections", lambda: self.ready(), 30)

    def ready(self):
        return subprocess.run([f"{PG_BIN}/pg_isready", "-q", "-h", self.socket_dir, "-p", str(self.port)]).returncode == 0

    def stop(self):
        stop_process(self.proc, signal.SIGINT)  # fast shutdown

    @property
    def conninfo(self):
        return f"host={self.socket_dir} port={self.port} user=assay dbname=postgres"

    def query(self, sql):
        """Rows as lists of text (NULL as None)."""
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-P", "null=\x1e", "-v", "ON_ERROR_STOP=1",
                              "-d", self.conninfo, "-c", sql], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"psql: {out.stderr.strip()} in {sql[:120]}")
        rows = []
        for line in out.stdout.split("\n"):
            if line == "":
                continue
            rows.append([None if v == "\x1e" else v for v in line.split("\x1f")])
        return rows


class Nats:
    def __init__(self, root):
        self.store = os.path.join(root, "jetstream")
        self.log = os.path.join(root, "nats-server.log")
        self.port = free_port()
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(["nats-server", "-js", "-sd", self.store, "-a", "127.0.0.1", "-p", str(self.port)],
                                     stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        wait_until("nats-server to listen", self._listening, 20)

    def _listening(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM):
        stop_process(self.proc, sig)

    @property
    def url(self):
        return f"nats://127.0.0.1:{self.port}"


class Host:
    """One assayd on the simulated reader and imager, with its bridge to the facility bus."""

    def __init__(self, root, bin_dir, source_dir, name, nats_url, time_scale=0.005, instruments=None):
        """`instruments`: new names for the shipped config's instruments, e.g. {"sim-reader": "reader0"}."""
        self.name = name
        self.bin_dir = bin_dir
        self.state = os.path.join(root, name)
        os.makedirs(self.state)
        shipped = open(os.path.join(source_dir, "systemd", "assayd.toml")).read()
        shipped = re.sub(r"time_scale = [0-9.]+", f"time_scale = {time_scale}", shipped)
        for old, new in (instruments or {}).items():
            shipped = shipped.replace(f'name = "{old}"', f'name = "{new}"')
        self.config = os.path.join(self.state, "assayd.toml")
        with open(self.config, "w") as f:
            f.write(shipped.replace("[logging]", f'[facility]\nnats_url = "{nats_url}"\nhost = "{name}"\n\n[logging]', 1))
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen([os.path.join(self.bin_dir, "assayd"), "--config", self.config, "--state-dir",
                                      self.state], stdout=open(os.path.join(self.state, "assayd.log"), "ab"),
                                     stderr=subprocess.STDOUT)
        wait_until(f"assayd {self.name} to answer", lambda: self.ctl("ping", check=False).returncode == 0, 30)

    def stop(self, sig=signal.SIGTERM):
        stop_process(self.proc, sig)

    def ctl(self, *args, check=True):
        out = subprocess.run([os.path.join(self.bin_dir, "assayctl"), "--state-dir", self.state, *args],
                             capture_output=True, text=True)
        if check and out.returncode != 0:
            raise RuntimeError(f"assayctl {' '.join(args)} on {self.name}: {out.stderr.strip()}")
        return out

    def submit(self, job_file):
        return self.ctl("submit", job_file).stdout.strip()

    def db(self):
        return sqlite3.connect(f"file:{os.path.join(self.state, 'assayd.db')}?mode=ro", uri=True)

    def last_seq(self):
        with self.db() as db:
            return db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]

    def states(self):
        with self.db() as db:
            return dict(db.execute("SELECT id, state FROM jobs"))


class Facility:
    def __init__(self, root, bin_dir, nats_url, conninfo, web=""):
        """`web`: the [web] table's lines (the facility view), e.g. 'listen = "127.0.0.1:0"'."""
        self.bin = os.path.join(bin_dir, "assay-facility")
        self.config = os.path.join(root, "facility.toml")
        self.log = os.path.join(root, "assay-facility.log")
        with open(self.config, "w") as f:
            f.write(f'[nats]\nurl = "{nats_url}"\n\n[postgres]\nconninfo = "{conninfo}"\n\n[logging]\nlevel = "{os.environ.get("ASSAY_FACILITY_LOG", "info")}"\n')
            if web:
                f.write(f"\n[web]\nenabled = true\n{web}\n")
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen([self.bin, "--config", self.config], stdout=open(self.log, "ab"),
                                     stderr=subprocess.STDOUT)

    def stop(self, sig=signal.SIGTERM):
        stop_process(self.proc, sig)


def facility_seq(pg, host):
    rows = pg.query(f"SELECT last_seq FROM assay.hosts WHERE host = '{host}'") if tables_exist(pg) else []
    return int(rows[0][0]) if rows else 0


def tables_exist(pg):
    return pg.query("SELECT to_regclass('assay.hosts') IS NOT NULL")[0][0] == "t"
