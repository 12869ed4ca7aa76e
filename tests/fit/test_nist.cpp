// The Levenberg-Marquardt engine against the NIST StRD certified results, from both NIST start
// vectors. Criterion: log relative error >= 6 on every parameter and on the residual sum of
// squares (the certified values carry 11 digits).
#include <catch2/catch.hpp>

#include <cstdio>

#include "fit/nist_problem.hpp"

using assay::protocols::fit::LeastSquaresOptions;
using assay::protocols::fit::solve_least_squares;
using assay::test::lre;

namespace {

void check_problem(const std::string& name, int start_number, double min_lre) {
  const assay::test::NistProblem problem = assay::test::read_nist(name);
  const assay::test::NistModel model(problem, assay::test::nist_model(name));
  const auto& start = start_number == 1 ? problem.start1 : problem.start2;
  const auto result = solve_least_squares(model, start);
  INFO(name << " start " << start_number << ": " << result.iterations << " iterations, "
            << to_string(result.termination));
  CHECK(result.converged);
  double worst = lre(result.cost, problem.certified_rss);
  INFO("RSS " << result.cost << " certified " << problem.certified_rss);
  CHECK(lre(result.cost, problem.certified_rss) >= min_lre);
  for (std::size_t j = 0; j < problem.certified.size(); ++j) {
    INFO("b" << j + 1 << " = " << result.params[j] << ", certified " << problem.certified[j]);
    CHECK(lre(result.params[j], problem.certified[j]) >= min_lre);
    worst = std::min(worst, lre(result.params[j], problem.certified[j]));
    // Standard errors s * sqrt(diag (J^T J)^-1) match the certified ones too.
    const int df = static_cast<int>(problem.x.size() - problem.certified.size());
    const double se = std::sqrt(result.cost / df * result.covariance[j * problem.certified.size() + j]);
    INFO("se " << se << ", certified " << problem.certified_sd[j]);
    CHECK(lre(se, problem.certified_sd[j]) >= 4.0);
  }
  std::printf("NIST %-9s start %d: min LRE %5.2f, %3d iterations (%s)\n", name.c_str(),
              start_number, worst, result.iterations,
              std::string(to_string(result.termination)).c_str());
}

}  // namespace

TEST_CASE("LM reproduces the NIST certified values of the sigmoid and exponential problems", "[nist]") {
  for (const char* name : {"Rat42", "Rat43", "Misra1a", "BoxBOD", "Misra1b", "DanWood", "Chwirut2"}) {
    for (int start : {1, 2}) check_problem(name, start, 6.0);
  }
}

TEST_CASE("LM reproduces the NIST certified values of the hard rational and Gaussian problems", "[nist]") {
  for (const char* name : {"MGH09", "Eckerle4", "Thurber"}) {
    for (int start : {1, 2}) check_problem(name, start, 6.0);
  }
}

// MGH10 from start 1 (b = 2, 400000, 25000) is not solved, as by MINPACK (scipy leastsq and
// least_squares(method="lm") end at RSS 1.8e8 too); from start 2 it is.
TEST_CASE("LM reproduces the NIST certified values of MGH10 from start 2", "[nist]") {
  check_problem("MGH10", 2, 6.0);
}
