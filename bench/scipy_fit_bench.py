#!/usr/bin/env python3
"""Times scipy.optimize.curve_fit on the curves bench_fit writes (CSV: curve,conc,response) and
writes, per curve, the median CPU time (time.thread_time) of one fit and its optimum, as JSON, for bench_fit to compare.

Two variants are timed: curve_fit as most users call it (finite-difference Jacobian) and with the
analytic Jacobian. Both start from the usual user guess (extremes, mid-range, slope -1/+1).
"""
import argparse
import json
import sys
import time

import numpy as np
from scipy.optimize import curve_fit

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/tests/scripts")
import fit_4pl_scipy as m  # noqa: E402


def time_fit(conc, y, p0, jac, repeats):
    best = None
    times = []
    for _ in range(repeats):
        t0 = time.thread_time()
        try:
            popt, pcov = curve_fit(m.model, conc, y, p0=p0, jac=jac, maxfev=20000)
        except RuntimeError:
            popt = None
        times.append(time.thread_time() - t0)
        best = popt
    return float(np.median(times)), best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    raw = np.loadtxt(args.input, delimiter=",", skiprows=1)
    results = []
    for curve in np.unique(raw[:, 0]).astype(int):
        rows = raw[raw[:, 0] == curve]
        conc, y = rows[:, 1], rows[:, 2]
        p0 = m.naive_start(conc, y)
        t_numeric, popt_numeric = time_fit(conc, y, p0, None, args.repeats)
        t_analytic, popt = time_fit(conc, y, p0, m.jacobian, args.repeats)
        entry = {"curve": int(curve), "seconds_default": t_numeric, "seconds_analytic_jac": t_analytic}
        if popt is not None:
            entry["rss"] = m.rss(conc, y, m.canonical(popt))
            entry["params"] = m.canonical(popt)
        if popt_numeric is not None:
            entry["rss_default"] = m.rss(conc, y, m.canonical(popt_numeric))
        results.append(entry)
    with open(args.output, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
