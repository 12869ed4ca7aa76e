// The NIST StRD model functions with analytic gradients (see each .dat header for the formula).
#include "fit/nist_problem.hpp"

namespace assay::test {

PointModel nist_model(const std::string& name) {
  if (name == "Rat42") {
    return [](double x, const double* b, double* g) {
      const double e = std::exp(b[1] - b[2] * x), d = 1.0 + e;
      g[0] = 1.0 / d;
      g[1] = -b[0] * e / (d * d);
      g[2] = b[0] * x * e / (d * d);
      return b[0] / d;
    };
  }
  if (name == "Rat43") {
    return [](double x, const double* b, double* g) {
      const double e = std::exp(b[1] - b[2] * x), d = 1.0 + e;
      const double pw = std::pow(d, -1.0 / b[3]);
      g[0] = pw;
      g[1] = -b[0] / b[3] * pw / d * e;
      g[2] = b[0] / b[3] * pw / d * e * x;
      g[3] = b[0] * pw * std::log(d) / (b[3] * b[3]);
      return b[0] * pw;
    };
  }
  if (name == "MGH09") {
    return [](double x, const double* b, double* g) {
      const double num = x * x + x * b[1], q = x * x + x * b[2] + b[3];
      g[0] = num / q;
      g[1] = b[0] * x / q;
      g[2] = -b[0] * num * x / (q * q);
      g[3] = -b[0] * num / (q * q);
      return b[0] * num / q;
    };
  }
  if (name == "Misra1a" || name == "BoxBOD") {
    return [](double x, const double* b, double* g) {
      const double e = std::exp(-b[1] * x);
      g[0] = 1.0 - e;
      g[1] = b[0] * x * e;
      return b[0] * (1.0 - e);
    };
  }
  if (name == "Eckerle4") {
    return [](double x, const double* b, double* g) {
      const double u = (x - b[2]) / b[1], gauss = std::exp(-0.5 * u * u);
      g[0] = gauss / b[1];
      g[1] = b[0] * gauss / (b[1] * b[1]) * (u * u - 1.0);
      g[2] = b[0] * gauss / (b[1] * b[1]) * u;
      return b[0] / b[1] * gauss;
    };
  }
  if (name == "Thurber") {
    return [](double x, const double* b, double* g) {
      const double x2 = x * x, x3 = x2 * x;
      const double num = b[0] + b[1] * x + b[2] * x2 + b[3] * x3;
      const double q = 1.0 + b[4] * x + b[5] * x2 + b[6] * x3;
      g[0] = 1.0 / q;
      g[1] = x / q;
      g[2] = x2 / q;
      g[3] = x3 / q;
      g[4] = -num * x / (q * q);
      g[5] = -num * x2 / (q * q);
      g[6] = -num * x3 / (q * q);
      return num / q;
    };
  }
  if (name == "Misra1b") {  // b1 * (1 - (1 + b2 x / 2)^-2)
    return [](double x, const double* b, double* g) {
      const double d = 1.0 + 0.5 * b[1] * x;
      g[0] = 1.0 - 1.0 / (d * d);
      g[1] = b[0] * x / (d * d * d);
      return b[0] * g[0];
    };
  }
  if (name == "DanWood") {  // b1 x^b2
    return [](double x, const double* b, double* g) {
      const double pw = std::pow(x, b[1]);
      g[0] = pw;
      g[1] = b[0] * pw * std::log(x);
      return b[0] * pw;
    };
  }
  if (name == "MGH10") {  // b1 exp(b2 / (x + b3))
    return [](double x, const double* b, double* g) {
      const double e = std::exp(b[1] / (x + b[2]));
      g[0] = e;
      g[1] = b[0] * e / (x + b[2]);
      g[2] = -b[0] * e * b[1] / ((x + b[2]) * (x + b[2]));
      return b[0] * e;
    };
  }
  if (name == "Chwirut2" || name == "Chwirut1") {  // exp(-b1 x) / (b2 + b3 x)
    return [](double x, const double* b, double* g) {
      const double e = std::exp(-b[0] * x), d = b[1] + b[2] * x;
      g[0] = -x * e / d;
      g[1] = -e / (d * d);
      g[2] = -x * e / (d * d);
      return e / d;
    };
  }
  throw std::invalid_argument("no NIST model named " + name);
}

}  // namespace assay::test
