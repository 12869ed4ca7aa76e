#!/usr/bin/python3
"""Inputs and the scipy baseline for timing `assayctl fit` as a whole process.

  fit_cli_bench.py make CURVES.csv [--curves 10000]   write the table (conc, response, compound)
  fit_cli_bench.py scipy CURVES.csv                   fit it with curve_fit in a Python loop
  fit_cli_bench.py compare CURVES.csv --assayctl build/bin/assayctl [--runs 3] [--curves 10000]
                                                      both side by side (makes CURVES.csv if absent)

`make` writes N simulated 12-point curves in duplicate (24 rows a compound; 10,000 curves are
240,000 rows): 0.5-log dilution steps from 0.1 nM, Top 80-120, Bottom -10-20, Hill -0.5 to -3,
LogIC50 inside the doses, noise 2-20 % of the span, seed fixed. `scipy` is what a user would
write: read the CSV, group by compound, curve_fit each curve from the usual start (extremes,
mid-range, slope -1) with the analytic Jacobian, print one CSV row of parameters and SEs per
compound. Time both commands as whole processes, e.g. with /usr/bin/time:

  assayctl fit --input CURVES.csv --x conc --y response --group compound [--csv]
  /usr/bin/python3 bench/fit_cli_bench.py scipy CURVES.csv

`compare` does that: after one warm-up run of each, it runs assayctl (JSON), assayctl (CSV) and
scipy in turn, --runs times, each a whole process with its output to /dev/null, and prints for
each the median wall and CPU (user + sys) time a curve and the ratio scipy / assayctl of each turn's
wall times (median, min, max), with the load average before and after: on a shared machine
another process's load slows both, and a loaded machine gives assayctl's threads fewer cores.
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import time

import numpy as np


def make(path, count):
    rng = np.random.default_rng(16)
    log_conc = -10.0 + 0.5 * np.arange(12)
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["compound", "conc", "response"])
        for i in range(count):
            top = 80 + 40 * rng.random()
            bottom = -10 + 30 * rng.random()
            log_ic50 = -9.0 + 3.5 * rng.random()
            hill = -np.exp(np.log(0.5) + np.log(6.0) * rng.random())
            noise = (0.02 + 0.18 * rng.random()) * (top - bottom)
            name = f"cmpd-{i + 1:05d}"
            for x in log_conc:
                y = bottom + (top - bottom) / (1 + 10 ** ((log_ic50 - x) * hill))
                for _ in range(2):
                    out.writerow([name, f"{10 ** x * 1e9:.6g}", f"{y + noise * rng.standard_normal():.4f}"])


def scipy_fit(path):
    from scipy.optimize import curve_fit

    sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/tests/scripts")
    import fit_4pl_scipy as m

    groups = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            entry = groups.setdefault(row["compound"], ([], []))
            entry[0].append(float(row["conc"]))
            entry[1].append(float(row["response"]))
    out = csv.writer(sys.stdout)
    out.writerow(["group", "top", "bottom", "log_ic50", "hill_slope", "se_top", "se_bottom",
                  "se_log_ic50", "se_hill_slope"])
    for name, (conc, y) in groups.items():
        conc = np.asarray(conc) * 1e-9
        y = np.asarray(y)
        try:
            popt, pcov = curve_fit(m.model, conc, y, p0=m.naive_start(conc, y), jac=m.jacobian,
                                   maxfev=20000)
            se = np.sqrt(np.diag(pcov))
            out.writerow([name, *m.canonical(popt), *se])
        except RuntimeError:
            out.writerow([name] + [""] * 8)


def timed(command):
    """Wall and CPU seconds of one whole process (the child's own accounting, as time(1) reads it)."""
    with open(os.devnull, "wb") as sink:
        start = time.monotonic()
        child = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        errors = child.stderr.read().decode(errors="replace")
        child.stderr.close()
    if child.returncode != 0:
        sys.exit(f"{' '.join(command)} exited with {child.returncode}: {errors}")
    return wall, usage.ru_utime + usage.ru_stime


def compare(path, assayctl, runs, curves):
    if not os.path.exists(path):
        make(path, curves)
    with open(path) as f:
        count = len({line.split(",", 1)[0] for line in f}) - 1  # groups, less the header
    fit = [assayctl, "fit", "--input", path, "--x", "conc", "--y", "response", "--group", "compound"]
    commands = {
        "assayctl fit (JSON)": fit,
        "assayctl fit --csv": fit + ["--csv"],
        "scipy curve_fit loop": [sys.executable, os.path.abspath(__file__), "scipy", path],
    }
    load_before = os.getloadavg()
    for command in commands.values():
        timed(command)  # warm-up: page cache, Python's imports
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(timed(command))
    load_after = os.getloadavg()
    print(f"{count} curves, {runs} runs each in turn; load average (1, 5, 15 min) "
          f"before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; {os.cpu_count()} cores")
    for name, samples in times.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        print(f"  {name:22s} wall {wall:7.3f} s = {wall / count * 1e6:7.1f} us a curve, "
              f"cpu {cpu:7.3f} s = {cpu / count * 1e6:7.1f} us a curve")
    scipy_wall = [w for w, _ in times["scipy curve_fit loop"]]
    for name in ("assayctl fit (JSON)", "assayctl fit --csv"):
        ratios = [b / a for (a, _), b in zip(times[name], scipy_wall)]
        print(f"  scipy / {name:20s} wall, turn by turn: median {statistics.median(ratios):6.1f}x "
              f"(min {min(ratios):.1f}, max {max(ratios):.1f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["make", "scipy", "compare"])
    parser.add_argument("csv")
    parser.add_argument("--curves", type=int, default=10000)
    parser.add_argument("--assayctl", default="build/bin/assayctl")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.action == "make":
        make(args.csv, args.curves)
    elif args.action == "scipy":
        scipy_fit(args.csv)
    else:
        compare(args.csv, args.assayctl, args.runs, args.curves)


if __name__ == "__main__":
    main()
