"""The 4PL model of assayd (GraphPad Prism's log(inhibitor) vs. response, variable slope) for
scipy.optimize.curve_fit, shared by the side-by-side test and the speed comparison.

Y = Bottom + (Top - Bottom) / (1 + 10^((LogIC50 - X) * HillSlope)), X = log10(conc); conc 0 is
X = -inf (Top for a falling curve, Bottom for a rising one).
"""
import numpy as np

LN10 = np.log(10.0)


def fraction(conc, log_ic50, hill):
    """s = 1 / (1 + 10^((L - X) h)) with conc 0 handled as X = -inf."""
    conc = np.asarray(conc, dtype=float)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        x = np.where(conc > 0, np.log10(np.where(conc > 0, conc, 1.0)), -np.inf)
        z = np.where(np.isinf(x), np.where(hill < 0, -np.inf, np.inf), LN10 * (log_ic50 - x) * hill)
        return 1.0 / (1.0 + np.exp(z)), x


def model(conc, top, bottom, log_ic50, hill):
    s, _ = fraction(conc, log_ic50, hill)
    return bottom + (top - bottom) * s


def jacobian(conc, top, bottom, log_ic50, hill):
    s, x = fraction(conc, log_ic50, hill)
    ds = -(top - bottom) * s * (1.0 - s) * LN10
    finite = np.isfinite(x)
    d_log = np.where(finite, ds * hill, 0.0)
    d_hill = np.where(finite, ds * np.where(finite, log_ic50 - x, 0.0), 0.0)
    return np.column_stack([s, 1.0 - s, d_log, d_hill])


def naive_start(conc, y):
    """The start a scipy user typically writes: extremes, middle of the range, slope +/-1."""
    conc = np.asarray(conc, dtype=float)
    positive = conc[conc > 0]
    mid = 0.5 * (np.log10(positive.min()) + np.log10(positive.max()))
    low = y[conc <= np.median(conc)].mean()
    high = y[conc > np.median(conc)].mean() if np.any(conc > np.median(conc)) else low
    hill = -1.0 if high < low else 1.0
    return [max(y), min(y), mid, hill] if hill < 0 else [max(y), min(y), mid, hill]


def canonical(params):
    """(Top, Bottom, L, h) and (Bottom, Top, L, -h) are one curve: report Top >= Bottom."""
    top, bottom, log_ic50, hill = params
    if top < bottom:
        return [bottom, top, log_ic50, -hill]
    return [top, bottom, log_ic50, hill]


def rss(conc, y, params):
    return float(np.sum((model(conc, *params) - y) ** 2))
