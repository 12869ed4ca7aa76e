#!/usr/bin/python3
"""Inputs and the scipy baseline for timing `assayctl fit` as a whole process.

  fit_cli_bench.py make CURVES.csv [--curves 10000]   write the table (conc, response, compound)
  fit_cli_bench.py scipy CURVES.csv                   fit it with curve_fit in a Python loop

`make` writes N simulated 12-point curves in duplicate (24 rows a compound; 10,000 curves are
240,000 rows): 0.5-log dilution steps from 0.1 nM, Top 80-120, Bottom -10-20, Hill -0.5 to -3,
LogIC50 inside the doses, noise 2-20 % of the span, seed fixed. `scipy` is what a user would
write: read the CSV, group by compound, curve_fit each curve from the usual start (extremes,
mid-range, slope -1) with the analytic Jacobian, print one CSV row of parameters and SEs per
compound. Time both commands as whole processes, e.g. with /usr/bin/time:

  assayctl fit --input CURVES.csv --x conc --y response --group compound [--csv]
  /usr/bin/python3 bench/fit_cli_bench.py scipy CURVES.csv
"""
import argparse
import csv
import sys

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["make", "scipy"])
    parser.add_argument("csv")
    parser.add_argument("--curves", type=int, default=10000)
    args = parser.parse_args()
    if args.action == "make":
        make(args.csv, args.curves)
    else:
        scipy_fit(args.csv)


if __name__ == "__main__":
    main()
