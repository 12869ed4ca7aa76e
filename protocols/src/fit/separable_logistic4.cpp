// Variable-projection Levenberg-Marquardt for the 4PL; see separable_logistic4.hpp.
#include "fit/separable_logistic4.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace assay::protocols::fit::detail {
namespace {

constexpr double kAcceptRatio = 1e-4;  // minimum gain ratio for a step to be taken
constexpr double kMinDamping = 1e-20;
constexpr double kMaxDamping = 1e32;
// The plateaus are undetermined when the Gram matrix of s and 1 - s is this close to singular
// (the whole transition lies outside the data): their bounds then decide.
constexpr double kSingularGram = 1e-12;
// A pivot of the eliminated plateau block this small relative to its diagonal: singular.
constexpr double kSingularPivot = 1e-13;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kUnknowns = kLogistic4Params;
constexpr int kNonlinear[2] = {kLogIc50, kHillSlope};

using Matrix4 = double[kUnknowns][kUnknowns];

// Gaussian elimination (no pivoting: the block is positive definite) of the first `count`
// unknowns of the symmetric k x k system (m, g): the trailing block becomes the Schur complement
// and the trailing g the reduced gradient. False at a (relatively) vanishing pivot.
bool eliminate_leading(Matrix4& m, double* g, int k, int count) {
  for (int e = 0; e < count; ++e) {
    const double pivot = m[e][e];
    double diagonal_scale = 0.0;
    for (int i = e; i < k; ++i) diagonal_scale = std::max(diagonal_scale, std::abs(m[i][i]));
    if (!(pivot > kSingularPivot * diagonal_scale)) return false;
    for (int i = e + 1; i < k; ++i) {
      const double f = m[i][e] / pivot;
      for (int j = e + 1; j < k; ++j) m[i][j] -= f * m[e][j];
      g[i] -= f * g[e];
    }
  }
  return true;
}

// d = -(S + lambda D)^-1 g for k <= 2 unknowns by the closed-form inverse. False when the damped
// matrix is not positive definite (then more damping is needed).
bool damped_step(const double s[2][2], const double* g, const double* scaling, double lambda,
                 int k, double* d) {
  const double a00 = s[0][0] + lambda * scaling[0];
  if (!(a00 > 0)) return false;
  if (k == 1) {
    d[0] = -g[0] / a00;
    return std::isfinite(d[0]);
  }
  const double a11 = s[1][1] + lambda * scaling[1], a01 = s[0][1];
  const double det = a00 * a11 - a01 * a01;
  if (!(det > 0)) return false;
  d[0] = -(a11 * g[0] - a01 * g[1]) / det;
  d[1] = -(a00 * g[1] - a01 * g[0]) / det;
  return std::isfinite(d[0]) && std::isfinite(d[1]);
}

}  // namespace

SeparableLogistic4::SeparableLogistic4(const CurveData& data)
    : data_(data), s_(data.x.size()), complement_(data.x.size()) {}

bool SeparableLogistic4::solve_plateaus(const CurveConstraints& c, const Gram& gram,
                                        Plateaus& pl) const {
  const bool top_free = !c.fixed[kTop], bottom_free = !c.fixed[kBottom];
  const double lo_t = c.lower[kTop], hi_t = c.upper[kTop];
  const double lo_b = c.lower[kBottom], hi_b = c.upper[kBottom];
  const auto [a, b, cc, p, q] = gram;  // sum w s^2, w s (1-s), w (1-s)^2, w y s, w y (1-s)
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
  for (std::size_t i = 0; i < data_.x.size(); ++i) {
    const LogisticFraction f = logistic_fraction(data_.x[i], log_ic50, hill);
    s_[i] = f.s;
    complement_[i] = f.complement;
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

void SeparableLogistic4::projected_ss_ladder(const CurveConstraints& c, double log_ic50,
                                             double hill0, int count, double* ss) {
  const std::size_t n = data_.x.size();
  power_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    // e = 10^((L - x) h): s = 1 / (1 + e). Concentration 0 keeps its plateau on every rung.
    const double x = data_.x[i];
    power_[i] = std::isinf(x) ? (hill0 < 0 ? 0.0 : (hill0 > 0 ? kInf : 1.0))
                              : std::exp(std::numbers::ln10 * (log_ic50 - x) * hill0);
  }
  for (int k = 0; k < count; ++k) {
    for (std::size_t i = 0; i < n; ++i) {
      const double e = power_[i];
      const double s = 1.0 / (1.0 + e);
      s_[i] = s;
      complement_[i] = e >= 1.0 ? 1.0 - s : e * s;
      power_[i] = e * e;
    }
    Plateaus pl;
    ss[k] = fit_plateaus(c, pl);
  }
}

void SeparableLogistic4::newton_system(double log_ic50, double hill, const Plateaus& pl,
                                       Matrix4& m, double* g, double* column_norm2) const {
  // Sums in locals (the outputs could alias the data for all the compiler knows; locals stay in
  // registers).
  double h[kUnknowns][kUnknowns] = {}, grad[kUnknowns] = {}, norm2[kUnknowns] = {};
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
    double j[kUnknowns] = {s, cs, 0.0, 0.0};
    if (std::isfinite(x[i])) {
      // s = 1 / (1 + e^z), z = ln10 (L - x) h: ds/dz = -s (1 - s), d2s/dz2 = s (1 - s)(1 - 2s).
      // Concentration 0 (x = -inf) sits on a plateau and depends on neither L nor h.
      const double s_z = -s * cs, s_zz = s * cs * (cs - s);
      const double z_h = ln10 * (log_ic50 - x[i]);
      const double ds_l = s_z * z_l, ds_h = s_z * z_h;
      j[kLogIc50] = span * ds_l;
      j[kHillSlope] = span * ds_h;
      // Second-derivative terms r * d2f: f = Top s + Bottom (1 - s).
      const double wr = w * r, wrs = wr * span;
      h[kLogIc50][kTop] += wr * ds_l;
      h[kHillSlope][kTop] += wr * ds_h;
      h[kLogIc50][kBottom] -= wr * ds_l;
      h[kHillSlope][kBottom] -= wr * ds_h;
      h[kLogIc50][kLogIc50] += wrs * s_zz * z_l * z_l;
      h[kHillSlope][kLogIc50] += wrs * (s_zz * z_l * z_h + s_z * ln10);
      h[kHillSlope][kHillSlope] += wrs * s_zz * z_h * z_h;
    }
    for (int a = 0; a < kUnknowns; ++a) {
      const double wa = w * j[a];
      grad[a] += wa * r;
      norm2[a] += wa * j[a];
      for (int b = 0; b < a; ++b) h[a][b] += wa * j[b];
    }
  }
  for (int a = 0; a < kUnknowns; ++a) {
    g[a] = grad[a];
    column_norm2[a] = norm2[a];
    m[a][a] = h[a][a] + norm2[a];
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
  if (!eliminate_leading(m, g, k, linear)) return point;
  for (int a = 0; a < 2; ++a) {
    point.gradient[a] = g[linear + a];
    point.column_norm2[a] = column_norm2[kNonlinear[a]];
    for (int b = 0; b < 2; ++b) point.hessian[a][b] = m[linear + a][linear + b];
  }
  point.params = {pl.top, pl.bottom, log_ic50, hill};
  point.ok = true;
  return point;
}

const SeparableResult& SeparableLogistic4::minimize(const CurveConstraints& c,
                                                    const Logistic4Params& start,
                                                    const SeparableSettings& settings) {
  SeparableResult& res = result_;
  res = SeparableResult{};
  double theta[2];
  for (int t = 0; t < 2; ++t) {
    const int j = kNonlinear[t];
    theta[t] = c.fixed[j] ? c.fixed_value[j] : std::clamp(start[j], c.lower[j], c.upper[j]);
  }
  Plateaus pl;
  double cost = evaluate(c, theta[0], theta[1], pl);
  ++res.evaluations;
  if (!std::isfinite(cost)) {
    res.termination = Termination::non_finite;
    return res;
  }
  res.ok = true;
  double lambda = settings.initial_damping, nu = 2.0;
  double scaling[2] = {0.0, 0.0};  // largest projected curvature seen, per parameter
  const double xtol = settings.step_tolerance, ctol = settings.cost_tolerance;
  const int max_evaluations = 20 * settings.max_iterations;
  Matrix4 hessian;
  double gradient[kUnknowns] = {}, column_norm2[kUnknowns] = {};
  bool gradient_current = false;  // `gradient` belongs to the current point
  bool done = false;
  while (!done) {
    if (res.iterations >= settings.max_iterations) {
      res.termination = Termination::max_iterations;
      break;
    }
    ++res.iterations;
    if (cost == 0.0) {
      res.termination = Termination::zero_residual;
      res.converged = true;
      break;
    }
    newton_system(theta[0], theta[1], pl, hessian, gradient, column_norm2);
    gradient_current = true;
    // Unknowns of the step: the interior plateaus (eliminated), then the unblocked nonlinear ones.
    int index[kUnknowns], k = 0;
    if (pl.top_free) index[k++] = kTop;
    if (pl.bottom_free) index[k++] = kBottom;
    const int linear = k;
    int which[2], nonlinear = 0;
    double worst_cosine = 0.0;
    for (int t = 0; t < 2; ++t) {
      const int j = kNonlinear[t];
      if (c.fixed[j]) continue;
      const double g = gradient[j];
      const bool blocked = (theta[t] <= c.lower[j] && g > 0) || (theta[t] >= c.upper[j] && g < 0);
      if (blocked) continue;
      if (column_norm2[j] > 0)
        worst_cosine = std::max(worst_cosine, std::abs(g) / std::sqrt(column_norm2[j] * cost));
      index[k++] = j;
      which[nonlinear++] = t;
    }
    if (nonlinear == 0 || worst_cosine <= settings.gradient_tolerance) {
      res.termination = Termination::gradient_small;
      res.converged = true;
      break;
    }
    Matrix4 m;
    double g[kUnknowns];
    for (int a = 0; a < k; ++a) {
      g[a] = gradient[index[a]];
      for (int b = 0; b < k; ++b) m[a][b] = hessian[index[a]][index[b]];
    }
    if (!eliminate_leading(m, g, k, linear)) {
      res.ok = false;  // the plateaus are not determined by the data: general solver
      break;
    }
    double schur[2][2] = {}, reduced_gradient[2] = {}, damping_scale[2] = {};
    for (int a = 0; a < nonlinear; ++a) {
      reduced_gradient[a] = g[linear + a];
      for (int b = 0; b < nonlinear; ++b) schur[a][b] = m[linear + a][linear + b];
      // Marquardt's scaling on the projected problem: the curvature left after the plateaus are
      // eliminated (a HillSlope column nearly parallel to the plateau columns has little), or the
      // raw column norm while that curvature is not positive.
      double& d = scaling[which[a]];
      d = std::max(d, schur[a][a]);
      damping_scale[a] = d > 0 ? d : (column_norm2[kNonlinear[which[a]]] > 0 ? column_norm2[kNonlinear[which[a]]] : 1.0);
    }
    // Inner loop: raise the damping until a step lowers the cost.
    while (true) {
      double step[2] = {0.0, 0.0};
      if (!damped_step(schur, reduced_gradient, damping_scale, lambda, nonlinear, step)) {
        lambda *= nu;
        nu *= 2.0;
        if (lambda > kMaxDamping) {
          res.termination = Termination::damping_overflow;
          done = true;
          break;
        }
        continue;
      }
      double trial[2] = {theta[0], theta[1]};
      bool small_step = true;
      for (int a = 0; a < nonlinear; ++a) {
        const int t = which[a], j = kNonlinear[t];
        trial[t] = std::clamp(theta[t] + step[a], c.lower[j], c.upper[j]);
        step[a] = trial[t] - theta[t];
        if (std::abs(step[a]) > xtol * (std::abs(theta[t]) + xtol)) small_step = false;
      }
      // Reduction predicted by the quadratic model with the plateaus re-optimised: -2 g.d - d'Sd.
      double predicted = 0.0;
      for (int a = 0; a < nonlinear; ++a) {
        predicted -= 2.0 * reduced_gradient[a] * step[a];
        for (int b = 0; b < nonlinear; ++b) predicted -= step[a] * schur[a][b] * step[b];
      }
      Plateaus trial_pl;
      const double cost_new = evaluate(c, trial[0], trial[1], trial_pl);
      ++res.evaluations;
      const double actual = cost - cost_new;  // NaN when the plateaus were undetermined
      const double rho = predicted > 0 ? actual / predicted : -1.0;
      if (std::isfinite(cost_new) && rho > kAcceptRatio) {
        const double cost_old = cost;
        theta[0] = trial[0];
        theta[1] = trial[1];
        pl = trial_pl;
        cost = cost_new;
        gradient_current = false;
        const double u = 2.0 * rho - 1.0;
        lambda = std::max(kMinDamping, lambda * std::max(1.0 / 3.0, 1.0 - u * u * u));
        nu = 2.0;
        if (small_step) {
          res.termination = Termination::step_small;
          res.converged = done = true;
        } else if (actual <= ctol * cost_old && predicted <= ctol * cost_old) {
          res.termination = Termination::cost_converged;
          res.converged = done = true;
        }
        break;
      }
      if (small_step || (predicted <= ctol * cost && predicted >= 0 && std::isfinite(cost_new) &&
                         std::abs(actual) <= ctol * cost)) {
        // No representable step improves the cost: the minimum to machine precision.
        res.termination = small_step ? Termination::step_small : Termination::cost_converged;
        res.converged = done = true;
        break;
      }
      lambda *= nu;
      nu *= 2.0;
      if (lambda > kMaxDamping || res.evaluations >= max_evaluations) {
        res.termination = lambda > kMaxDamping ? Termination::damping_overflow
                                               : Termination::max_iterations;
        done = true;
        break;
      }
    }
  }
  // The last evaluation was at the current point unless a step was rejected after the last
  // Newton system, which then still belongs to it.
  if (res.ok && settings.final_gradient && !gradient_current)
    newton_system(theta[0], theta[1], pl, hessian, gradient, column_norm2);
  std::copy(gradient, gradient + kUnknowns, res.gradient.begin());
  if (!res.ok || (!settings.final_gradient && !gradient_current))
    res.gradient.fill(std::numeric_limits<double>::quiet_NaN());
  res.params[kTop] = pl.top;
  res.params[kBottom] = pl.bottom;
  res.params[kLogIc50] = theta[0];
  res.params[kHillSlope] = theta[1];
  res.cost = cost;
  return res;
}

}  // namespace assay::protocols::fit::detail
