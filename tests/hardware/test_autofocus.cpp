// Autofocus: the sharpness metric and the coarse-to-fine z search.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include <opencv2/imgproc.hpp>

#include "assay/drivers/autofocus.hpp"

using namespace assay::drivers;

namespace {

// A field of small bright disks (colony-like) on a mid-grey background.
cv::Mat textured_field(unsigned seed = 7) {
  cv::Mat image(240, 320, CV_8UC1, cv::Scalar(60));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> x(0, 319), y(0, 239), r(2, 7);
  for (int i = 0; i < 80; ++i) {
    const int radius = r(rng);  // drawn first, in its own statement: argument order is unspecified
    const cv::Point centre{x(rng), y(rng)};
    cv::circle(image, centre, radius, cv::Scalar(190), -1);
  }
  return image;
}

// The field as seen `defocus_um` away from focus: blur grows with the focus error.
cv::Mat defocused(const cv::Mat& sharp, double defocus_um, double noise_sd = 0.0,
                  unsigned seed = 1) {
  cv::Mat out;
  double sigma_px = 0.05 * std::abs(defocus_um);
  if (sigma_px > 0.2) {
    cv::GaussianBlur(sharp, out, cv::Size(0, 0), sigma_px);
  } else {
    out = sharp.clone();
  }
  if (noise_sd > 0.0) {
    cv::Mat noise(out.size(), CV_32F);
    cv::theRNG().state = seed;
    cv::randn(noise, 0.0, noise_sd);
    cv::Mat f;
    out.convertTo(f, CV_32F);
    f += noise;
    f.convertTo(out, CV_8U);
  }
  return out;
}

}  // namespace

TEST_CASE("sharpness falls monotonically as the field is defocused") {
  cv::Mat field = textured_field();
  double previous = focus_sharpness(field);
  for (double defocus : {20.0, 40.0, 80.0, 160.0}) {
    double s = focus_sharpness(defocused(field, defocus));
    CHECK(s < previous);
    previous = s;
  }
}

TEST_CASE("sharpness does not change when exposure doubles") {
  cv::Mat field = textured_field();
  cv::Mat dim = field * 0.5;
  double bright = focus_sharpness(field);
  double half = focus_sharpness(dim);
  CHECK(half == Approx(bright).epsilon(0.03));
}

TEST_CASE("sharpness accepts colour and 16-bit frames and scores black or empty frames 0") {
  cv::Mat field = textured_field();
  cv::Mat bgr, wide;
  cv::cvtColor(field, bgr, cv::COLOR_GRAY2BGR);
  field.convertTo(wide, CV_16U, 256.0);
  CHECK(focus_sharpness(bgr) == Approx(focus_sharpness(field)).epsilon(0.01));
  CHECK(focus_sharpness(wide) == Approx(focus_sharpness(field)).epsilon(0.01));
  CHECK(focus_sharpness(cv::Mat()) == 0.0);
  CHECK(focus_sharpness(cv::Mat::zeros(10, 10, CV_8UC1)) == 0.0);
}

TEST_CASE("focus search finds the peak of a synthetic sharpness curve to within a micrometre") {
  const double true_focus_um = 1237.3;
  int calls = 0;
  auto curve = [&](double z) -> Result<double> {
    ++calls;
    double d = (z - true_focus_um) / 60.0;
    return 0.02 + std::exp(-0.5 * d * d);
  };
  AutofocusPlan plan;  // 400 um range, 40 um coarse, 5 um fine
  auto report = search_focus(curve, 1300.0, plan, {});
  REQUIRE(report.is_ok());
  CHECK(report->best_z_um == Approx(true_focus_um).margin(1.0));
  CHECK_FALSE(report->at_range_edge);
  CHECK(report->evaluations == calls);
  CHECK(calls < 40);  // an exhaustive 5 um scan of 400 um would need 81
}

TEST_CASE("focus search on rendered blur finds focus despite pixel noise") {
  cv::Mat field = textured_field(11);
  const double true_focus_um = -83.0;
  unsigned frame = 0;
  auto grab_and_score = [&](double z) -> Result<double> {
    return focus_sharpness(defocused(field, z - true_focus_um, 4.0, ++frame));
  };
  auto z = find_best_focus(grab_and_score, 0.0, AutofocusPlan{}, {});
  REQUIRE(z.is_ok());
  CHECK(*z == Approx(true_focus_um).margin(5.0));
}

TEST_CASE("focus search stays inside the z travel limits") {
  std::vector<double> asked;
  auto curve = [&](double z) -> Result<double> {
    asked.push_back(z);
    return 1.0 / (1.0 + std::abs(z - 50.0));
  };
  FocusLimits limits{0.0, 150.0};
  auto report = search_focus(curve, 20.0, AutofocusPlan{}, {}, limits);
  REQUIRE(report.is_ok());
  for (double z : asked) {
    CHECK(z >= 0.0);
    CHECK(z <= 150.0);
  }
  CHECK(report->best_z_um == Approx(50.0).margin(5.0));
}

TEST_CASE("focus search reports a peak on the edge of the range") {
  auto rising = [](double z) -> Result<double> { return 1.0 + z / 100.0; };
  auto report = search_focus(rising, 500.0, AutofocusPlan{}, {});
  REQUIRE(report.is_ok());
  CHECK(report->at_range_edge);
  CHECK(report->best_z_um == Approx(700.0));
}

TEST_CASE("focus search fails plainly on a field without contrast") {
  auto flat = [](double) -> Result<double> { return 0.3; };
  auto z = find_best_focus(flat, 0.0, AutofocusPlan{}, {});
  REQUIRE_FALSE(z.is_ok());
  CHECK(z.status().code() == StatusCode::device_error);
  CHECK_THAT(z.status().message(), Catch::Contains("no focus contrast"));
}

TEST_CASE("focus search passes a stage error through with the z it happened at") {
  auto failing = [](double z) -> Result<double> {
    if (z > 50.0) return Status{StatusCode::timeout, "stage did not answer"};
    return 1.0;
  };
  auto z = find_best_focus(failing, 0.0, AutofocusPlan{}, {});
  REQUIRE_FALSE(z.is_ok());
  CHECK(z.status().code() == StatusCode::timeout);
  CHECK_THAT(z.status().message(), Catch::Contains("stage did not answer") &&
                                       Catch::Contains("z 80.0 um"));
}

TEST_CASE("focus search stops between evaluations when asked to") {
  std::stop_source source;
  int calls = 0;
  auto curve = [&](double z) -> Result<double> {
    if (++calls == 3) source.request_stop();
    return 1000.0 + z;
  };
  auto z = find_best_focus(curve, 0.0, AutofocusPlan{}, source.get_token());
  REQUIRE_FALSE(z.is_ok());
  CHECK(z.status().code() == StatusCode::cancelled);
  CHECK(calls == 3);
}

TEST_CASE("focus search refuses an inconsistent plan") {
  auto curve = [](double) -> Result<double> { return 1.0; };
  AutofocusPlan fine_above_coarse{400.0, 10.0, 20.0};
  AutofocusPlan no_range{0.0, 40.0, 5.0};
  AutofocusPlan zero_step{400.0, 0.0, 5.0};
  for (const auto& plan : {fine_above_coarse, no_range, zero_step}) {
    auto z = find_best_focus(curve, 0.0, plan, {});
    REQUIRE_FALSE(z.is_ok());
    CHECK(z.status().code() == StatusCode::invalid_argument);
  }
  auto outside = find_best_focus(curve, 500.0, AutofocusPlan{}, {}, FocusLimits{0.0, 100.0});
  CHECK(outside.status().code() == StatusCode::invalid_argument);
}
