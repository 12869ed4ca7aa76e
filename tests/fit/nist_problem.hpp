// NIST StRD nonlinear regression problems for the solver tests: a reader of the .dat files
// (starting values and certified values from line 41, data from line 61, CRLF endings) and the
// models with analytic Jacobians.
#pragma once

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "assay/protocols/fit/least_squares.hpp"

namespace assay::test {

struct NistProblem {
  std::string name;
  std::vector<double> start1, start2, certified, certified_sd;
  double certified_rss = 0.0;
  std::vector<double> x, y;
};

inline std::string nist_path(const std::string& name) {
  return std::string(ASSAY_SHARED_DIR) + "/data/nist/" + name + ".dat";
}

inline NistProblem read_nist(const std::string& name) {
  std::ifstream in(nist_path(name));
  if (!in) throw std::runtime_error("cannot open " + nist_path(name));
  NistProblem p;
  p.name = name;
  std::string line;
  int line_no = 0;
  bool in_params = true;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no >= 41 && line_no < 61) {
      std::istringstream s(line);
      std::string label, eq;
      if (in_params && s >> label >> eq && label.size() >= 2 && label[0] == 'b' && eq == "=") {
        double s1, s2, cert, sd;
        if (!(s >> s1 >> s2 >> cert >> sd)) throw std::runtime_error(name + ": bad line " + std::to_string(line_no));
        p.start1.push_back(s1);
        p.start2.push_back(s2);
        p.certified.push_back(cert);
        p.certified_sd.push_back(sd);
      } else if (!p.start1.empty()) {
        in_params = false;
      }
      const auto pos = line.find("Residual Sum of Squares:");
      if (pos != std::string::npos) p.certified_rss = std::stod(line.substr(pos + 24));
    } else if (line_no >= 61) {
      std::istringstream s(line);
      double yv, xv;
      if (s >> yv >> xv) {
        p.y.push_back(yv);
        p.x.push_back(xv);
      }
    }
  }
  if (p.start1.empty() || p.x.empty() || p.certified_rss == 0.0)
    throw std::runtime_error(name + ": could not read parameters, RSS or data");
  return p;
}

// f(x, b) and its gradient in b, per point.
using PointModel = std::function<double(double x, const double* b, double* grad)>;

PointModel nist_model(const std::string& name);

class NistModel final : public protocols::fit::LeastSquaresModel {
 public:
  NistModel(const NistProblem& problem, PointModel f)
      : problem_(problem), f_(std::move(f)) {}
  int num_residuals() const override { return static_cast<int>(problem_.x.size()); }
  int num_parameters() const override { return static_cast<int>(problem_.certified.size()); }
  void evaluate(std::span<const double> b, std::span<double> r, std::span<double> jac) const override {
    const int p = num_parameters();
    std::vector<double> grad(p);
    for (std::size_t i = 0; i < problem_.x.size(); ++i) {
      r[i] = f_(problem_.x[i], b.data(), grad.data()) - problem_.y[i];
      if (!jac.empty())
        for (int j = 0; j < p; ++j) jac[i * p + j] = grad[j];
    }
  }

 private:
  const NistProblem& problem_;
  PointModel f_;
};

// Log relative error: the number of correct significant digits.
inline double lre(double estimate, double certified) {
  if (estimate == certified) return 15.0;
  const double rel = std::abs(estimate - certified) / std::abs(certified);
  return std::min(15.0, -std::log10(rel));
}

}  // namespace assay::test
