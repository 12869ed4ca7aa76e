// Variable-projection pieces of the 4PL: plateaus by (box-constrained) linear least squares, the
// projected SS and its exact Newton system; see separable_logistic4.hpp.
#include "fit/separable_logistic4.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "fit/dense_qr.hpp"

namespace assay::protocols::fit::detail {
namespace {

// The plateaus are undetermined when the Gram matrix of s and 1 - s is this close to singular
// (the whole transition lies outside the data): their bounds then decide.
constexpr double kSingularGram = 1e-12;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kUnknowns = kLogistic4Params;

}  // namespace

SeparableLogistic4::SeparableLogistic4(const CurveData& data)
    : data_(data), s_(data.x.size()), complement_(data.x.size()) {}

bool SeparableLogistic4::solve_plateaus(const CurveConstraints& c, const Gram& gram,
                                        Plateaus& pl) const {
  const bool top_free = !c.fixed[kTop], bottom_free = !c.fixed[kBottom];
  const double lo_t = c.lower[kTop], hi_t = c.upper[kTop];
  const double lo_b = c.lower[kBottom], hi_b = c.upper[kBottom];
  // sum w s^2, w s (1-s), w (1-s)^2, w y s, w y (1-s); plain names (not a structured binding)
  // so the edge search below can capture them.
  const double a = gram.ss, b = gram.sc, cc = gram.cc, p = gram.sy, q = gram.cy;
  double top = c.fixed_value[kTop], bottom = c.fixed_value[kBottom];
  if (top_free && bottom_free) {
    const double det = a * cc - b * b;
    bool interior = false;
    if (det > kSingularGram * a * cc) {
      top = (p * cc - q * b) / det;
      bottom = (q * a - p * b) / det;
      interior = top >= lo_t && top <= hi_t && bottom >= lo_b && bottom <= hi_b;
    }
    if (!interior) {
      // The box-constrained optimum of a convex quadratic whose free optimum lies outside the
      // box is on an edge: the best of the four edge optima (each a clamped 1-D optimum).
      double best = kInf;
      auto consider = [&](double t, double u) {
        if (!std::isfinite(t) || !std::isfinite(u)) return;
        const double value = a * t * t + 2 * b * t * u + cc * u * u - 2 * p * t - 2 * q * u;
        if (value < best) {
          best = value;
          top = t;
          bottom = u;
        }
      };
      for (double t : {lo_t, hi_t})
        if (std::isfinite(t) && cc > 0) consider(t, std::clamp((q - t * b) / cc, lo_b, hi_b));
      for (double u : {lo_b, hi_b})
        if (std::isfinite(u) && a > 0) consider(std::clamp((p - u * b) / a, lo_t, hi_t), u);
      if (!std::isfinite(best)) return false;
    }
  } else if (top_free) {
    if (!(a > 0)) return false;
    top = std::clamp((p - bottom * b) / a, lo_t, hi_t);
  } else if (bottom_free) {
    if (!(cc > 0)) return false;
    bottom = std::clamp((q - top * b) / cc, lo_b, hi_b);
  }
  pl.top = top;
  pl.bottom = bottom;
  pl.top_free = top_free && top > lo_t && top < hi_t;
  pl.bottom_free = bottom_free && bottom > lo_b && bottom < hi_b;
  return true;
}

double SeparableLogistic4::evaluate(const CurveConstraints& c, double log_ic50, double hill,
                                    Plateaus& pl) {
  // logistic_fraction without its test per point: at concentration 0 (x = -inf) the exponent is
  // -inf or +inf, so e is 0 or inf and s is 1 or 0, the plateau of the slope's sign. A slope of 0
  // puts every point, that one too, at s = 1/2.
  const std::size_t n = data_.x.size();
  const double* x = data_.x.data();
  double* s = s_.data();
  double* complement = complement_.data();
  if (hill == 0) {
    std::fill(s, s + n, 0.5);
    std::fill(complement, complement + n, 0.5);
    return fit_plateaus(c, pl);
  }
  const double z_per_log = std::numbers::ln10 * hill;
  for (std::size_t i = 0; i < n; ++i) {
    // Replicates of one concentration usually follow each other: a point at the concentration of
    // the one before takes its fractions (the same exp of the same argument), so duplicate curves
    // need half the exponentials.
    if (i > 0 && x[i] == x[i - 1]) {
      s[i] = s[i - 1];
      complement[i] = complement[i - 1];
      continue;
    }
    const double e = std::exp(z_per_log * (log_ic50 - x[i]));
    const double si = 1.0 / (1.0 + e);
    s[i] = si;
    const double from_s = 1.0 - si, from_e = e * si;  // both, then a select: no branch
    complement[i] = e >= 1.0 ? from_s : from_e;
  }
  return fit_plateaus(c, pl);
}

double SeparableLogistic4::fit_plateaus(const CurveConstraints& c, Plateaus& pl) {
  const std::size_t n = data_.x.size();
  Gram gram{};
  for (std::size_t i = 0; i < n; ++i) {
    const double ws = data_.weight[i] * s_[i], wc = data_.weight[i] * complement_[i];
    gram.ss += ws * s_[i];
    gram.sc += ws * complement_[i];
    gram.cc += wc * complement_[i];
    gram.sy += ws * data_.y[i];
    gram.cy += wc * data_.y[i];
  }
  if (!solve_plateaus(c, gram, pl)) return std::numeric_limits<double>::quiet_NaN();
  double ss = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = pl.top * s_[i] + pl.bottom * complement_[i] - data_.y[i];
    ss += data_.weight[i] * r * r;
  }
  return std::isfinite(ss) ? ss : kInf;
}

double SeparableLogistic4::projected_ss_ladder(const CurveConstraints& c, double log_ic50,
                                               double hill0, int count, double* ss) {
  const std::size_t n = data_.x.size();
  count = std::clamp(count, 0, kMaxLadderRungs);
  // Gram sums of every rung at once: the inner loops run over the rungs (independent sums, so
  // they vectorise), and the SS comes from the sums, not from a second pass over the points.
  double gss[kMaxLadderRungs] = {}, gsc[kMaxLadderRungs] = {}, gcc[kMaxLadderRungs] = {},
         gsy[kMaxLadderRungs] = {}, gcy[kMaxLadderRungs] = {};
  double wyy = 0.0;
  const double base[2] = {hill0, std::numbers::sqrt2 * hill0};
  double e[kMaxLadderRungs];
  for (std::size_t i = 0; i < n; ++i) {
    const double x = data_.x[i], w = data_.weight[i], wy = w * data_.y[i];
    wyy += wy * data_.y[i];
    // e = 10^((L - x) h): s = 1 / (1 + e); rung k + 2 has twice the slope of rung k, so its e is
    // the square. Concentration 0 keeps its plateau on every rung. A replicate of the point
    // before keeps its e (see evaluate).
    const bool same_x = i > 0 && x == data_.x[i - 1];
    for (int parity = 0; parity < 2 && parity < count && !same_x; ++parity) {
      const double h = base[parity];
      double power = std::isinf(x) ? (h < 0 ? 0.0 : (h > 0 ? kInf : 1.0))
                                   : std::exp(std::numbers::ln10 * h * (log_ic50 - x));
      for (int k = parity; k < count; k += 2) {
        e[k] = power;
        power *= power;
      }
    }
    for (int k = 0; k < count; ++k) {
      const double s = 1.0 / (1.0 + e[k]);
      const double cs = e[k] >= 1.0 ? 1.0 - s : e[k] * s;
      const double ws = w * s, wc = w * cs;
      gss[k] += ws * s;
      gsc[k] += ws * cs;
      gcc[k] += wc * cs;
      gsy[k] += wy * s;
      gcy[k] += wy * cs;
    }
  }
  double worst = 0.0;
  for (int k = 0; k < count; ++k) {
    Plateaus pl;
    const Gram gram{gss[k], gsc[k], gcc[k], gsy[k], gcy[k]};
    if (!solve_plateaus(c, gram, pl)) {
      ss[k] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    const double t = pl.top, b = pl.bottom;
    const double terms[] = {wyy, -2 * t * gram.sy, -2 * b * gram.cy, t * t * gram.ss,
                            2 * t * b * gram.sc, b * b * gram.cc};
    double sum = 0.0, magnitude = 0.0;
    for (double term : terms) {
      sum += term;
      magnitude += std::abs(term);
    }
    ss[k] = std::isfinite(sum) ? std::max(sum, 0.0) : kInf;
    worst = std::max(worst, magnitude);
  }
  // Rounding of the sums (n terms each) and of the expansion, with a wide margin.
  return 4.0 * static_cast<double>(n + 16) * std::numeric_limits<double>::epsilon() * worst;
}

void SeparableLogistic4::newton_system(double log_ic50, double hill, const Plateaus& pl,
                                       Matrix4& m, double* g, double* column_norm2) const {
  // Sums in named locals, one per entry, not arrays indexed in loops: arrays of the Jacobian row
  // and of the sums went through the stack (each half stored, then both loaded: a stall at every
  // point). The outputs could also alias the data for all the compiler knows; locals do not.
  // Entries (a, b) of the lower triangle: h_ab over Top 0, Bottom 1, LogIC50 2, HillSlope 3.
  double h10 = 0, h20 = 0, h21 = 0, h22 = 0, h30 = 0, h31 = 0, h32 = 0, h33 = 0;
  double grad0 = 0, grad1 = 0, grad2 = 0, grad3 = 0;
  double norm0 = 0, norm1 = 0, norm2 = 0, norm3 = 0;
  const double span = pl.top - pl.bottom;
  constexpr double ln10 = std::numbers::ln10;
  const double z_l = ln10 * hill;
  const std::size_t n = data_.x.size();
  const double* x = data_.x.data();
  const double* y = data_.y.data();
  const double* weight = data_.weight.data();
  for (std::size_t i = 0; i < n; ++i) {
    const double s = s_[i], cs = complement_[i], w = weight[i];
    const double r = pl.top * s + pl.bottom * cs - y[i];
    // The Jacobian row (Top, Bottom, LogIC50, HillSlope).
    const double j0 = s, j1 = cs;
    double j2 = 0.0, j3 = 0.0;
    if (std::isfinite(x[i])) {
      // s = 1 / (1 + e^z), z = ln10 (L - x) h: ds/dz = -s (1 - s), d2s/dz2 = s (1 - s)(1 - 2s).
      // Concentration 0 (x = -inf) sits on a plateau and depends on neither L nor h.
      const double s_z = -s * cs, s_zz = s * cs * (cs - s);
      const double z_h = ln10 * (log_ic50 - x[i]);
      const double ds_l = s_z * z_l, ds_h = s_z * z_h;
      j2 = span * ds_l;
      j3 = span * ds_h;
      // Second-derivative terms r * d2f: f = Top s + Bottom (1 - s).
      const double wr = w * r, wrs = wr * span;
      h20 += wr * ds_l;
      h30 += wr * ds_h;
      h21 -= wr * ds_l;
      h31 -= wr * ds_h;
      h22 += wrs * s_zz * z_l * z_l;
      h32 += wrs * (s_zz * z_l * z_h + s_z * ln10);
      h33 += wrs * s_zz * z_h * z_h;
    }
    // J^T r, the column norms and J^T J below the diagonal.
    const double w0 = w * j0, w1 = w * j1, w2 = w * j2, w3 = w * j3;
    grad0 += w0 * r;
    grad1 += w1 * r;
    grad2 += w2 * r;
    grad3 += w3 * r;
    norm0 += w0 * j0;
    norm1 += w1 * j1;
    norm2 += w2 * j2;
    norm3 += w3 * j3;
    h10 += w1 * j0;
    h20 += w2 * j0;
    h21 += w2 * j1;
    h30 += w3 * j0;
    h31 += w3 * j1;
    h32 += w3 * j2;
  }
  const double grad[kUnknowns] = {grad0, grad1, grad2, grad3};
  const double norm[kUnknowns] = {norm0, norm1, norm2, norm3};
  const double h[kUnknowns][kUnknowns] = {
      {0, 0, 0, 0}, {h10, 0, 0, 0}, {h20, h21, h22, 0}, {h30, h31, h32, h33}};
  for (int a = 0; a < kUnknowns; ++a) {
    g[a] = grad[a];
    column_norm2[a] = norm[a];
    m[a][a] = h[a][a] + norm[a];
    for (int b = 0; b < a; ++b) m[a][b] = m[b][a] = h[a][b];
  }
}

double SeparableLogistic4::projected_ss(const CurveConstraints& c, double log_ic50, double hill) {
  Plateaus pl;
  return evaluate(c, log_ic50, hill, pl);
}

ProjectedPoint SeparableLogistic4::project(const CurveConstraints& c, double log_ic50,
                                           double hill) {
  ProjectedPoint point;
  Plateaus pl;
  point.ss = evaluate(c, log_ic50, hill, pl);
  if (!std::isfinite(point.ss)) return point;
  Matrix4 hessian;
  double gradient[kUnknowns], column_norm2[kUnknowns];
  newton_system(log_ic50, hill, pl, hessian, gradient, column_norm2);
  int index[kUnknowns], k = 0;
  if (pl.top_free) index[k++] = kTop;
  if (pl.bottom_free) index[k++] = kBottom;
  const int linear = k;
  index[k++] = kLogIc50;
  index[k++] = kHillSlope;
  Matrix4 m;
  double g[kUnknowns];
  for (int a = 0; a < k; ++a) {
    g[a] = gradient[index[a]];
    for (int b = 0; b < k; ++b) m[a][b] = hessian[index[a]][index[b]];
  }
  if (!eliminate_leading(m, g, k, linear, kSingularPlateauPivot)) return point;
  for (int a = 0; a < 2; ++a) {
    point.gradient[a] = g[linear + a];
    point.column_norm2[a] = column_norm2[kNonlinearParams[a]];
    for (int b = 0; b < 2; ++b) point.hessian[a][b] = m[linear + a][linear + b];
  }
  point.params = {pl.top, pl.bottom, log_ic50, hill};
  point.ok = true;
  return point;
}

}  // namespace assay::protocols::fit::detail
