// Behaviour of the general least-squares engine beyond NIST: bounds, fixed parameters, bad input.
#include <catch2/catch.hpp>

#include <cmath>

#include "assay/protocols/fit/least_squares.hpp"

using namespace assay::protocols::fit;

namespace {

// y = a * exp(-k t) sampled without noise at t = 0..9.
class ExponentialDecay final : public LeastSquaresModel {
 public:
  ExponentialDecay(double a, double k) {
    for (int i = 0; i < 10; ++i) {
      t_.push_back(i);
      y_.push_back(a * std::exp(-k * i));
    }
  }
  int num_residuals() const override { return 10; }
  int num_parameters() const override { return 2; }
  void evaluate(std::span<const double> p, std::span<double> r, std::span<double> jac) const override {
    for (int i = 0; i < 10; ++i) {
      const double e = std::exp(-p[1] * t_[i]);
      r[i] = p[0] * e - y_[i];
      if (!jac.empty()) {
        jac[i * 2] = e;
        jac[i * 2 + 1] = -p[0] * t_[i] * e;
      }
    }
  }

 private:
  std::vector<double> t_, y_;
};

}  // namespace

TEST_CASE("noise-free data is fitted exactly with zero residual", "[lm]") {
  ExponentialDecay model(5.0, 0.3);
  const std::vector<double> start{1.0, 1.0};
  const auto r = solve_least_squares(model, start);
  REQUIRE(r.converged);
  CHECK(r.params[0] == Approx(5.0).epsilon(1e-10));
  CHECK(r.params[1] == Approx(0.3).epsilon(1e-10));
  CHECK(r.cost < 1e-20);
}

TEST_CASE("a fixed parameter keeps its value and gets zero covariance", "[lm]") {
  ExponentialDecay model(5.0, 0.3);
  ParameterConstraints c;
  c.fixed = {false, true};
  const std::vector<double> start{1.0, 0.3};
  const auto r = solve_least_squares(model, start, c);
  REQUIRE(r.converged);
  CHECK(r.params[1] == 0.3);
  CHECK(r.params[0] == Approx(5.0).epsilon(1e-10));
  CHECK(r.covariance[3] == 0.0);
  CHECK(r.covariance[0] > 0.0);
}

TEST_CASE("an active upper bound holds the parameter on the bound", "[lm]") {
  ExponentialDecay model(5.0, 0.3);
  ParameterConstraints c;
  c.lower = {-10, 0.0};
  c.upper = {4.0, 1.0};
  const std::vector<double> start{1.0, 0.5};
  const auto r = solve_least_squares(model, start, c);
  REQUIRE(r.converged);
  CHECK(r.params[0] == 4.0);
  CHECK(r.at_bound[0]);
  CHECK_FALSE(r.at_bound[1]);
  // With a capped at 4, the decay rate that fits best is slower than the true 0.3.
  CHECK(r.params[1] < 0.3);
  CHECK(r.params[1] > 0.1);
}

TEST_CASE("a start outside the bounds is moved inside before the first evaluation", "[lm]") {
  ExponentialDecay model(5.0, 0.3);
  ParameterConstraints c;
  c.lower = {0.0, 0.0};
  c.upper = {10.0, 2.0};
  const std::vector<double> start{50.0, -3.0};
  const auto r = solve_least_squares(model, start, c);
  REQUIRE(r.converged);
  CHECK(r.params[0] == Approx(5.0).epsilon(1e-8));
}

TEST_CASE("a start vector of the wrong length is refused with a message", "[lm]") {
  ExponentialDecay model(5.0, 0.3);
  const std::vector<double> start{1.0};
  CHECK_THROWS_WITH(solve_least_squares(model, start), Catch::Contains("2 parameters"));
}

TEST_CASE("a model that is NaN at the start reports non_finite instead of iterating", "[lm]") {
  ExponentialDecay model(5.0, 0.3);
  const std::vector<double> start{std::nan(""), 0.3};
  const auto r = solve_least_squares(model, start);
  CHECK_FALSE(r.converged);
  CHECK(r.termination == Termination::non_finite);
}
