#!/usr/bin/python3
"""What an idle assayd costs: resident memory and CPU, fresh and after a CFU job.

  bench/bench_idle.py [--bin-dir build/bin] [--idle-seconds 30] [--job examples/jobs/cfu_dish6.json]

Starts assayd on its embedded default (simulated instruments) in a temporary state folder,
waits until it answers, then prints
  - fresh: VmRSS, anonymous memory, threads, shared libraries mapped;
  - idle CPU over --idle-seconds (user + system ticks of /proc/PID/stat) and the wake-ups of
    every thread (voluntary context switches);
  - the same after one CFU job on the simulated imager (submitted and watched with assayctl),
    and the job's peak (VmHWM).
It asserts nothing: it prints figures to compare between builds.
"""
import argparse
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def status(pid):
    fields = {}
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def anonymous_kb(pid):
    for line in pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Anonymous:"):
            return int(line.split()[1])
    return 0


def libraries(pid):
    names = set()
    for line in pathlib.Path(f"/proc/{pid}/maps").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 6 and ".so" in parts[5]:
            names.add(parts[5])
    return len(names)


def cpu_ticks(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def wakeups(pid):
    total = 0
    for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith("voluntary_ctxt_switches"):
                total += int(line.split()[1])
    return total


def memory_line(pid):
    s = status(pid)
    return (f"VmRSS {int(s['VmRSS'].split()[0]) / 1024:.1f} MB, anonymous "
            f"{anonymous_kb(pid) / 1024:.1f} MB, {s['Threads']} threads, "
            f"{libraries(pid)} shared libraries")


def idle_line(pid, seconds):
    ticks, wakes, start = cpu_ticks(pid), wakeups(pid), time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - start
    cpu_s = (cpu_ticks(pid) - ticks) / TICKS
    return (f"idle CPU over {elapsed:.0f} s: {cpu_s * 1000:.0f} ms ({100 * cpu_s / elapsed:.3f} %), "
            f"{(wakeups(pid) - wakes) / elapsed:.2f} thread wake-ups/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin-dir", default=str(ROOT / "build" / "bin"))
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--job", default=str(ROOT / "examples" / "jobs" / "cfu_dish6.json"))
    args = parser.parse_args()
    assayd = os.path.join(args.bin_dir, "assayd")
    assayctl = os.path.join(args.bin_dir, "assayctl")
    with tempfile.TemporaryDirectory(prefix="assay_bench_idle_") as state:
        ctl = [assayctl, "--state-dir", state]
        log = open(os.path.join(state, "assayd.log"), "w")
        daemon = subprocess.Popen([assayd, "--state-dir", state, "--web-listen", "127.0.0.1:0"],
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(100):
                if subprocess.run(ctl + ["ping"], capture_output=True).returncode == 0:
                    break
                time.sleep(0.1)
            else:
                sys.exit("assayd did not answer; see " + log.name)
            time.sleep(2)  # let start-up work settle
            print("fresh:    ", memory_line(daemon.pid))
            print("          ", idle_line(daemon.pid, args.idle_seconds))
            job = subprocess.run(ctl + ["submit", args.job], capture_output=True, text=True,
                                 check=True).stdout.strip()
            started = time.monotonic()
            subprocess.run(ctl + ["watch", "--json", job], capture_output=True, check=True)
            print(f"CFU job {job}: {time.monotonic() - started:.1f} s, peak VmRSS "
                  f"{int(status(daemon.pid)['VmHWM'].split()[0]) / 1024:.1f} MB")
            time.sleep(2)
            print("after job:", memory_line(daemon.pid))
            print("          ", idle_line(daemon.pid, args.idle_seconds))
            print("then:     ", memory_line(daemon.pid))
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)


if __name__ == "__main__":
    main()
