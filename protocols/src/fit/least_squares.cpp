// Levenberg-Marquardt with QR subproblems, Marquardt scaling, bounds and fixed parameters; see
// least_squares.hpp for the method and the contract.
#include "assay/protocols/fit/least_squares.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "fit/dense_qr.hpp"

namespace assay::protocols::fit {
namespace {

constexpr double kAcceptRatio = 1e-4;     // minimum gain ratio for a step to be taken
constexpr double kMinDamping = 1e-20;
constexpr double kMaxDamping = 1e32;      // beyond this the step is zero in double precision
constexpr double kCovarianceRcond = 1e-11;  // relative pivot of the column-scaled R
constexpr double kInitialRadiusFactor = 100.0;  // MINPACK's default `factor`
constexpr double kRadiusSlack = 1.0;            // accept steps up to this multiple of the radius
constexpr int kMaxRadiusAttempts = 30;
constexpr double kVanishedColumn = 1e-20;  // squared-norm ratio: the column norm fell 1e10-fold

double sum_of_squares(std::span<const double> r) {
  double sum = 0.0;
  for (double v : r) sum += v * v;
  return std::isfinite(sum) ? sum : std::numeric_limits<double>::infinity();
}

// Scratch vectors of one solve, carved from the solver's arena.
struct Workspace {
  double *r, *r_new, *jac, *jac_new, *x_new, *a, *rmat, *qtr, *rhs, *damping, *delta, *scale,
      *gradient, *marquardt;
  int* column;  // free parameter index of each subproblem column
};

}  // namespace

bool covariance_from_jacobian(std::span<const double> jac, int n, int p,
                              std::span<const int> free_index, std::vector<double>& covariance) {
  const int m = static_cast<int>(free_index.size());
  const int rows = std::max(n, m);
  // Scratch on the stack for a curve-sized problem (no allocation per fit), else on the heap.
  constexpr std::size_t kStackRows = 64, kStackParams = 4;
  const std::size_t a_size = static_cast<std::size_t>(rows) * m;
  const bool small = rows <= static_cast<int>(kStackRows) && m <= static_cast<int>(kStackParams);
  double a_stack[kStackRows * kStackParams], zeros_stack[kStackRows], norms_stack[kStackParams],
      rmat_stack[kStackParams * kStackParams], qtb_stack[kStackParams],
      inv_stack[kStackParams * kStackParams];
  std::vector<double> heap;
  if (!small) heap.resize(a_size + 2 * static_cast<std::size_t>(rows) + 3 * m + 2 * m * m);
  double* base = heap.data();
  auto take = [&](double* stack_buffer, std::size_t size) {
    if (small) return std::span<double>(stack_buffer, size);
    const std::span<double> part(base, size);
    base += size;
    return part;
  };
  const std::span<double> a = take(a_stack, a_size), zeros = take(zeros_stack, rows),
                          norms = take(norms_stack, m), rmat = take(rmat_stack, m * m),
                          qtb = take(qtb_stack, m), inv = take(inv_stack, m * m);
  std::fill(a.begin(), a.end(), 0.0);
  std::fill(zeros.begin(), zeros.end(), 0.0);
  for (int c = 0; c < m; ++c) {
    double sum = 0.0;
    for (int i = 0; i < n; ++i) sum += jac[i * p + free_index[c]] * jac[i * p + free_index[c]];
    norms[c] = std::sqrt(sum);
    const double s = norms[c] > 0 ? 1.0 / norms[c] : 0.0;
    for (int i = 0; i < n; ++i) a[c * rows + i] = jac[i * p + free_index[c]] * s;
  }
  covariance.assign(static_cast<std::size_t>(p) * p, 0.0);
  detail::householder_qr(a, rows, m, zeros, rmat, qtb);
  if (!detail::inverse_normal_matrix(rmat, m, kCovarianceRcond, inv)) {
    for (int a_idx : free_index)
      for (int b_idx : free_index)
        covariance[a_idx * p + b_idx] = std::numeric_limits<double>::quiet_NaN();
    return false;
  }
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      covariance[free_index[i] * p + free_index[j]] = inv[j * m + i] / (norms[i] * norms[j]);
  return true;
}

void LeastSquaresSolver::compute_covariance(const double* jac, int n, int p) {
  result_.covariance_ok = covariance_from_jacobian(
      std::span<const double>(jac, static_cast<std::size_t>(n) * p), n, p, free_index_,
      result_.covariance);
}

std::string_view to_string(Termination termination) {
  switch (termination) {
    case Termination::step_small: return "step_small";
    case Termination::cost_converged: return "cost_converged";
    case Termination::gradient_small: return "gradient_small";
    case Termination::zero_residual: return "zero_residual";
    case Termination::max_iterations: return "max_iterations";
    case Termination::damping_overflow: return "damping_overflow";
    case Termination::non_finite: return "non_finite";
    case Termination::no_free_parameters: return "no_free_parameters";
  }
  return "unknown";
}

const LeastSquaresResult& LeastSquaresSolver::solve(const LeastSquaresModel& model,
                                                   std::span<const double> start,
                                                   const ParameterConstraints& constraints,
                                                   const LeastSquaresOptions& options) {
  run(model, start, constraints, options, true);
  const bool degenerate = !result_.converged || column_vanished_ ||
                          (options.compute_covariance && !result_.covariance_ok);
  if (!options.retry_unscaled || !degenerate || result_.termination == Termination::non_finite ||
      result_.termination == Termination::no_free_parameters)
    return result_;
  LeastSquaresResult first = result_;
  run(model, start, constraints, options, false);
  result_.iterations += first.iterations;
  result_.evaluations += first.evaluations;
  result_.unscaled_retry = true;
  if (!(result_.cost < first.cost) && first.converged) {
    first.iterations = result_.iterations;
    first.evaluations = result_.evaluations;
    result_ = std::move(first);
  }
  return result_;
}

void LeastSquaresSolver::run(const LeastSquaresModel& model, std::span<const double> start,
                             const ParameterConstraints& constraints,
                             const LeastSquaresOptions& options, bool marquardt_scaling) {
  const int n = model.num_residuals();
  const int p = model.num_parameters();
  if (static_cast<int>(start.size()) != p)
    throw std::invalid_argument("solve_least_squares: start has " + std::to_string(start.size()) +
                                " values, the model has " + std::to_string(p) + " parameters");
  const double inf = std::numeric_limits<double>::infinity();
  auto lower = [&](int j) { return constraints.lower.empty() ? -inf : constraints.lower[j]; };
  auto upper = [&](int j) { return constraints.upper.empty() ? inf : constraints.upper[j]; };
  auto is_fixed = [&](int j) { return !constraints.fixed.empty() && constraints.fixed[j]; };

  LeastSquaresResult& result = result_;
  result.params.assign(start.begin(), start.end());
  result.iterations = result.evaluations = 0;
  result.converged = result.covariance_ok = result.unscaled_retry = false;
  column_vanished_ = false;
  result.termination = Termination::max_iterations;
  result.covariance.clear();
  std::vector<int>& free_index = free_index_;
  free_index.clear();
  for (int j = 0; j < p; ++j) {
    if (!is_fixed(j)) {
      result.params[j] = std::clamp(result.params[j], lower(j), upper(j));
      free_index.push_back(j);
    }
  }
  const int m = static_cast<int>(free_index.size());
  const int rows = std::max(n, m);
  column_.resize(m);
  // One arena for all scratch vectors; it only grows, so repeated solves do not allocate.
  const std::size_t np = static_cast<std::size_t>(n) * p;
  const std::size_t need = 2 * static_cast<std::size_t>(rows) + 2 * np + p +
                           static_cast<std::size_t>(rows) * m + static_cast<std::size_t>(m) * m + 7 * m;
  if (arena_.size() < need) arena_.resize(need);
  double* next = arena_.data();
  auto carve = [&](std::size_t size) {
    double* block = next;
    next += size;
    return block;
  };
  Workspace w{carve(rows), carve(rows), carve(np), carve(np), carve(p), carve(rows * m),
              carve(m * m), carve(m), carve(m), carve(m), carve(m), carve(m), carve(m), carve(m),
              column_.data()};
  (void)next;
  std::fill(w.r, w.r + rows, 0.0);
  std::fill(w.r_new, w.r_new + rows, 0.0);
  std::vector<double>& x = result.params;

  auto evaluate = [&](std::span<const double> params, double* r, double* jac) {
    ++result.evaluations;
    model.evaluate(params, std::span<double>(r, n), std::span<double>(jac, np));
    return sum_of_squares(std::span<const double>(r, n));
  };
  double cost = evaluate(x, w.r, w.jac);
  result.cost = cost;
  if (!std::isfinite(cost)) {
    result.termination = Termination::non_finite;
    return;
  }
  if (m == 0) {
    result.termination = Termination::no_free_parameters;
    result.converged = true;
    result.at_bound.assign(p, false);
    if (options.compute_covariance) result.covariance.assign(static_cast<std::size_t>(p) * p, 0.0);
    result.covariance_ok = true;
    return;
  }

  double* marquardt = w.marquardt;
  std::fill(marquardt, marquardt + m, 0.0);
  double lambda = options.initial_damping;
  double nu = 2.0;
  double radius = -1.0;  // trust radius on the scaled step |D d|; set at the first iteration
  const double xtol = options.step_tolerance;
  bool done = false;
  const int max_evaluations = 20 * options.max_iterations;
  while (!done) {
    if (result.iterations >= options.max_iterations) {
      result.termination = Termination::max_iterations;
      break;
    }
    ++result.iterations;
    if (cost == 0.0) {
      result.termination = Termination::zero_residual;
      result.converged = true;
      break;
    }
    // Gradient, scaling and the bound-active set.
    double worst_cosine = 0.0;
    int k = 0;
    for (int c = 0; c < m; ++c) {
      const int j = free_index[c];
      double g = 0.0, norm2 = 0.0;
      for (int i = 0; i < n; ++i) {
        const double jij = w.jac[i * p + j];
        g += jij * w.r[i];
        norm2 += jij * jij;
      }
      marquardt[c] = std::max(marquardt[c], norm2);
      const bool blocked = (x[j] <= lower(j) && g > 0) || (x[j] >= upper(j) && g < 0);
      if (!blocked && norm2 > 0) worst_cosine = std::max(worst_cosine, std::abs(g) / std::sqrt(norm2 * cost));
      if (!blocked) {
        w.column[k] = j;
        w.scale[k] = !marquardt_scaling ? 1.0 : (marquardt[c] > 0 ? marquardt[c] : 1.0);
        ++k;
      }
    }
    if (k == 0 || worst_cosine <= options.gradient_tolerance) {
      result.termination = Termination::gradient_small;
      result.converged = true;
      break;
    }
    std::fill(w.a, w.a + static_cast<std::size_t>(rows) * k, 0.0);
    for (int c = 0; c < k; ++c)
      for (int i = 0; i < n; ++i) w.a[c * rows + i] = w.jac[i * p + w.column[c]];
    detail::householder_qr(std::span<double>(w.a, static_cast<std::size_t>(rows) * k), rows, k,
                           std::span<const double>(w.r, rows), std::span<double>(w.rmat, k * k),
                           std::span<double>(w.qtr, k));
    for (int c = 0; c < k; ++c) w.rhs[c] = -w.qtr[c];

    if (radius < 0) {
      // MINPACK's initial step bound: a factor times the scaled size of the start.
      double x_norm = 0.0;
      for (int c = 0; c < k; ++c) x_norm += w.scale[c] * x[w.column[c]] * x[w.column[c]];
      radius = x_norm > 0 ? kInitialRadiusFactor * std::sqrt(x_norm) : kInitialRadiusFactor;
    }
    // Inner loop: raise the damping until a step lowers the cost.
    while (true) {
      double step_norm = 0.0;
      for (int attempt = 0; attempt < kMaxRadiusAttempts; ++attempt) {
        for (int c = 0; c < k; ++c) w.damping[c] = std::sqrt(lambda * w.scale[c]);
        detail::damped_solve(std::span<const double>(w.rmat, k * k), k,
                             std::span<const double>(w.rhs, k),
                             std::span<const double>(w.damping, k), std::span<double>(w.delta, k));
        step_norm = 0.0;
        for (int c = 0; c < k; ++c) step_norm += w.scale[c] * w.delta[c] * w.delta[c];
        step_norm = std::sqrt(step_norm);
        // A step far outside the trust region is shortened by more damping before any
        // evaluation: it keeps the first Gauss-Newton jump from leaving the basin (BoxBOD).
        if (!options.bound_step || step_norm <= kRadiusSlack * radius || lambda > kMaxDamping) break;
        lambda = std::max(lambda * 2.0, lambda * step_norm / radius);
      }
      std::copy(x.begin(), x.end(), w.x_new);
      bool small_step = true;
      for (int c = 0; c < k; ++c) {
        const int j = w.column[c];
        w.x_new[j] = std::clamp(x[j] + w.delta[c], lower(j), upper(j));
        const double step = w.x_new[j] - x[j];
        if (std::abs(step) > xtol * (std::abs(x[j]) + xtol)) small_step = false;
      }
      // Predicted cost of the (projected) step from the linear model.
      double predicted = 0.0;
      for (int i = 0; i < n; ++i) {
        double v = w.r[i];
        for (int c = 0; c < k; ++c) v += w.jac[i * p + w.column[c]] * (w.x_new[w.column[c]] - x[w.column[c]]);
        predicted += v * v;
      }
      const double predicted_reduction = cost - predicted;
      const double cost_new = evaluate(std::span<const double>(w.x_new, p), w.r_new, w.jac_new);
      const double actual_reduction = cost - cost_new;
      const double rho = predicted_reduction > 0 ? actual_reduction / predicted_reduction : -1.0;
      if (std::isfinite(cost_new) && rho > kAcceptRatio) {
        const double cost_old = cost;
        std::copy(w.x_new, w.x_new + p, x.begin());
        std::swap(w.r, w.r_new);  // pointer swaps
        std::swap(w.jac, w.jac_new);
        cost = cost_new;
        const double t = 2.0 * rho - 1.0;
        lambda = std::max(kMinDamping, lambda * std::max(1.0 / 3.0, 1.0 - t * t * t));
        nu = 2.0;
        if (rho > 0.75) radius = std::max(radius, 2.0 * step_norm);
        else if (rho < 0.25) radius = 0.5 * std::min(radius, step_norm);
        if (small_step) {
          result.termination = Termination::step_small;
          result.converged = done = true;
        } else if (actual_reduction <= options.cost_tolerance * cost_old &&
                   predicted_reduction <= options.cost_tolerance * cost_old) {
          result.termination = Termination::cost_converged;
          result.converged = done = true;
        }
        break;
      }
      if (small_step || (predicted_reduction <= options.cost_tolerance * cost &&
                         predicted_reduction >= 0 && std::isfinite(cost_new) &&
                         std::abs(actual_reduction) <= options.cost_tolerance * cost)) {
        // No representable step improves the cost: this is the minimum to machine precision.
        result.termination = small_step ? Termination::step_small : Termination::cost_converged;
        result.converged = done = true;
        break;
      }
      lambda *= nu;
      nu *= 2.0;
      radius = 0.5 * std::min(radius, step_norm);
      if (lambda > kMaxDamping || result.evaluations >= max_evaluations) {
        result.termination = lambda > kMaxDamping ? Termination::damping_overflow
                                                  : Termination::max_iterations;
        done = true;
        break;
      }
    }
  }
  result.cost = cost;
  column_vanished_ = false;
  for (int c = 0; c < m; ++c) {
    double norm2 = 0.0;
    for (int i = 0; i < n; ++i) norm2 += w.jac[i * p + free_index[c]] * w.jac[i * p + free_index[c]];
    if (norm2 < kVanishedColumn * marquardt[c]) column_vanished_ = true;
  }
  result.at_bound.assign(p, false);
  for (int j : free_index) result.at_bound[j] = x[j] <= lower(j) || x[j] >= upper(j);
  if (options.compute_covariance) compute_covariance(w.jac, n, p);
  return;
}

LeastSquaresResult solve_least_squares(const LeastSquaresModel& model,
                                       std::span<const double> start,
                                       const ParameterConstraints& constraints,
                                       const LeastSquaresOptions& options) {
  LeastSquaresSolver solver;
  return solver.solve(model, start, constraints, options);
}

}  // namespace assay::protocols::fit
