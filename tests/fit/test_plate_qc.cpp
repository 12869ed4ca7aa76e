// Plate QC: Z'-factor (Zhang 1999), signal-to-background, CVs, pass/fail and its flags.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "assay/protocols/fit/plate_qc.hpp"

using namespace assay::protocols::fit;

TEST_CASE("Z' follows 1 - 3 (sd+ + sd-) / |mean+ - mean-|", "[qc]") {
  const std::vector<double> pos{100, 104, 96, 100};  // mean 100, sd 3.266
  const std::vector<double> neg{10, 12, 8, 10};      // mean 10, sd 1.633
  const PlateQc qc = plate_qc(pos, neg);
  const double sd_pos = std::sqrt(32.0 / 3.0), sd_neg = std::sqrt(8.0 / 3.0);
  CHECK(qc.positive.mean == Approx(100.0));
  CHECK(qc.positive.sd == Approx(sd_pos));
  CHECK(qc.negative.cv_percent == Approx(100.0 * sd_neg / 10.0));
  CHECK(qc.z_prime == Approx(1.0 - 3.0 * (sd_pos + sd_neg) / 90.0));
  CHECK(qc.signal_to_background == Approx(10.0));
  CHECK(qc.pass);
  CHECK(qc.flags.empty());
}

TEST_CASE("a noisy plate fails the default Z' >= 0.5 and a lower threshold can pass it", "[qc]") {
  const std::vector<double> pos{100, 130, 70, 100};
  const std::vector<double> neg{10, 25, 0, 5};
  CHECK_FALSE(plate_qc(pos, neg).pass);
  const PlateQc lenient = plate_qc(pos, neg, -1.0);
  CHECK(lenient.pass);
  CHECK(lenient.z_prime_threshold == -1.0);
}

TEST_CASE("fewer than two controls per group cannot give a Z'", "[qc]") {
  const std::vector<double> pos{100};
  const std::vector<double> neg{10, 11};
  const PlateQc qc = plate_qc(pos, neg);
  CHECK_FALSE(qc.pass);
  CHECK(std::isnan(qc.z_prime));
  CHECK(qc.flags == std::vector<std::string>{"too_few_controls"});
  CHECK(to_json(qc)["z_prime"].is_null());
}

TEST_CASE("controls with equal means are flagged no_separation", "[qc]") {
  const std::vector<double> pos{10, 11, 9};
  const std::vector<double> neg{9, 10, 11};
  const PlateQc qc = plate_qc(pos, neg);
  CHECK_FALSE(qc.pass);
  CHECK(qc.flags == std::vector<std::string>{"no_separation"});
}

TEST_CASE("non-finite control readings are left out of the statistics", "[qc]") {
  const std::vector<double> pos{100, NAN, 100, 100};
  const std::vector<double> neg{0, 0, INFINITY};
  const PlateQc qc = plate_qc(pos, neg);
  CHECK(qc.positive.n == 3);
  CHECK(qc.negative.n == 2);
  CHECK(qc.z_prime == Approx(1.0));
  const auto j = to_json(qc);
  CHECK(j["positive"]["n"] == 3);
  CHECK(j["pass"] == true);
}
