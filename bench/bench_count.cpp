// Side-by-side colony counting benchmark: this project's counter and OpenCFU (`opencfu -i`) on
// the same synthetic 2448x2448 plate photographs (known truth), in the same run.
//
//   bench_count [--images N] [--opencfu-images M] [--opencfu-args "-a -m auto"] [--keep DIR]
//               [--diagnose] [--params FILE.json]
//
// Prints per image: truth, our count and error, our CPU time on one core; OpenCFU's count,
// error and CPU time for the first M images (OpenCFU is slow; M defaults to 3). OpenCFU's count
// is the number of valid objects it reports (IsValid = 1). Without `opencfu` on PATH only our
// side is measured, and it says so. --diagnose matches our colonies to the truth and prints the
// missed ones by cause (merged into a neighbour, at the rim, below the size filter, not
// detected) and the extra ones (split from a colony, spurious); with --keep it also writes
// DIR/plate_N_diagnosis.png (missed: red circles, extra: yellow, counted: green outlines).
// --params reads counter parameters (as `assayctl count --params`) to measure their effect.
#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "assay/drivers/sim/colony_scene.hpp"
#include "assay/protocols/imaging/colony_counter.hpp"
#include "imaging/colony_truth_match.hpp"

namespace fs = std::filesystem;
namespace im = assay::protocols::imaging;

namespace {

double cpu_seconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct OpenCfuRun {
  int count = -1;
  double cpu_s = 0.0;
  std::vector<im::Colony> colonies;  // valid objects: centre and a circle of OpenCFU's radius
};

// One line of `opencfu` output: IsValid,X,Y,ROI,Colour_group,N_in_clust,Area,Radius,...
bool read_opencfu_object(const std::string& line, im::Colony& c) {
  std::istringstream fields(line);
  std::string f[8];
  for (std::string& x : f)
    if (!std::getline(fields, x, ',')) return false;
  if (f[0] != "1") return false;
  c.centre_px = {std::atof(f[1].c_str()), std::atof(f[2].c_str())};
  const double r = std::max(1.0, std::atof(f[7].c_str()));
  cv::ellipse2Poly(cv::Point(c.centre_px), cv::Size(static_cast<int>(r), static_cast<int>(r)), 0, 0, 360, 20, c.outline);
  return true;
}

OpenCfuRun run_opencfu(const fs::path& image, const std::string& args) {
  const std::string command = "cd /usr/share/opencfu && opencfu " + args + " -i '" + image.string() + "' 2>/dev/null";
  const double before = cpu_seconds(RUSAGE_CHILDREN);
  FILE* pipe = popen(command.c_str(), "r");
  OpenCfuRun r;
  if (!pipe) return r;
  std::string out;
  char buffer[8192];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  r.cpu_s = cpu_seconds(RUSAGE_CHILDREN) - before;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return r;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    im::Colony c;
    if (read_opencfu_object(line, c)) r.colonies.push_back(std::move(c));
  }
  r.count = static_cast<int>(r.colonies.size());
  return r;
}

void write_diagnosis(const fs::path& file, const cv::Mat& photo, const assay::drivers::sim::ColonyScene& scene,
                     const im::ColonyCount& count, const imaging_test::TruthMatch& m) {
  cv::Mat out = im::draw_colony_overlay(photo, count);
  for (int t : m.missed_truth)
    cv::circle(out, scene.colonies[t].centre_px, static_cast<int>(0.5 * scene.colonies[t].diameter_px) + 4,
               {0, 0, 255}, 2, cv::LINE_AA);
  for (int c : m.extra_detection)
    cv::drawMarker(out, count.colonies[c].centre_px, {0, 255, 255}, cv::MARKER_TILTED_CROSS, 14, 2);
  cv::imwrite(file.string(), out);
}

}  // namespace

int main(int argc, char** argv) {
  int images = 8, opencfu_images = 3;
  std::string opencfu_args;
  std::string keep;
  bool diagnose = false;
  im::ColonyCountParams params;
  for (int i = 1; i < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--diagnose") {
      diagnose = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) {
      std::cerr << "option " << key << " needs a value\n";
      return 2;
    }
    if (key == "--images") images = std::atoi(argv[i + 1]);
    else if (key == "--opencfu-images") opencfu_images = std::atoi(argv[i + 1]);
    else if (key == "--opencfu-args") opencfu_args = argv[i + 1];
    else if (key == "--keep") keep = argv[i + 1];
    else if (key == "--params") {
      std::ifstream in(argv[i + 1]);
      if (!in) {
        std::cerr << "cannot read " << argv[i + 1] << "\n";
        return 2;
      }
      params = im::colony_count_params_from_json(nlohmann::json::parse(in));
    }
    else {
      std::cerr << "unknown option " << key << "\n";
      return 2;
    }
  }
  cv::setNumThreads(1);  // one core, as the target is stated
  const bool have_opencfu = std::system("command -v opencfu > /dev/null 2>&1") == 0;
  if (!have_opencfu) std::cout << "opencfu is not installed: measuring this counter only\n";
  std::random_device random;
  const fs::path dir = keep.empty() ? fs::temp_directory_path() / ("bench-count-" + std::to_string(random())) : fs::path(keep);
  fs::create_directories(dir);

  std::printf("%-6s %6s | %6s %7s %8s | %7s %7s %9s\n", "image", "truth", "ours", "err%", "cpu_ms", "opencfu",
              "err%", "cpu_ms");
  double our_err = 0, our_cpu = 0, ocfu_err = 0, ocfu_cpu = 0, our_err_paired = 0, our_cpu_paired = 0;
  int ocfu_n = 0;
  for (int i = 0; i < images; ++i) {
    assay::drivers::sim::ColonySceneSpec spec;
    spec.seed = 500 + i;
    spec.colonies = 19 + (i * 661 / std::max(1, images - 1));  // 19 .. 680, as the real photos
    spec.light_colonies = true;  // bright colonies on dark agar
    spec.jpeg_quality = 90;
    spec.noise_sigma = 2.5 + (i % 3);
    if (spec.colonies > 300) spec.max_diameter_px = 50, spec.min_diameter_px = 8;
    const auto scene = assay::drivers::sim::render_colony_scene(spec);
    const fs::path file = dir / ("plate_" + std::to_string(i) + ".jpg");
    cv::imwrite(file.string(), scene.image, {cv::IMWRITE_JPEG_QUALITY, 95});
    const cv::Mat photo = cv::imread(file.string());
    const int truth = static_cast<int>(scene.colonies.size());

    const double t0 = cpu_seconds(RUSAGE_SELF);
    const auto ours = im::count_colonies(photo, params);
    const double cpu_ms = 1000.0 * (cpu_seconds(RUSAGE_SELF) - t0);
    const double err = 100.0 * std::abs(ours.count - truth) / truth;
    our_err += err;
    our_cpu += cpu_ms;
    std::printf("%-6d %6d | %6d %7.1f %8.0f |", i, truth, ours.count, err, cpu_ms);
    if (have_opencfu && i < opencfu_images) {
      const OpenCfuRun o = run_opencfu(file, opencfu_args);
      const double oerr = o.count < 0 ? 100.0 : 100.0 * std::abs(o.count - truth) / truth;
      ocfu_err += oerr;
      ocfu_cpu += 1000.0 * o.cpu_s;
      our_err_paired += err;
      our_cpu_paired += cpu_ms;
      ++ocfu_n;
      std::printf(" %7d %7.1f %9.0f\n", o.count, oerr, 1000.0 * o.cpu_s);
      if (diagnose) {
        im::ColonyCount theirs = ours;  // same dish, so "at the rim" means the same for both
        theirs.colonies = o.colonies;
        const auto m = imaging_test::match_to_truth(scene.colonies, theirs, params);
        std::printf("       opencfu: matched %d, missed %d (merged %d, rim %d, small %d, not detected %d), "
                    "extra %d (split %d, spurious %d)\n",
                    m.matched, m.missed(), m.merged, m.at_rim, m.too_small, m.not_detected, m.extra(), m.split,
                    m.spurious);
      }
    } else {
      std::printf(" %7s %7s %9s\n", "-", "-", "-");
    }
    if (diagnose) {
      const auto m = imaging_test::match_to_truth(scene.colonies, ours, params);
      std::printf("       ours:    missed %d (merged %d, rim %d, small %d, not detected %d; %d in clusters), "
                  "extra %d (split %d, spurious %d)\n",
                  m.missed(), m.merged, m.at_rim, m.too_small, m.not_detected, m.in_cluster_missed, m.extra(),
                  m.split, m.spurious);
      for (int c : m.extra_detection) {
        const im::Colony& x = ours.colonies[c];
        std::printf("         extra at (%.0f, %.0f): %.0f um, peak %.0f levels, mean %.0f\n", x.centre_px.x, x.centre_px.y,
                    x.diameter_um, x.peak_contrast, x.contrast);
      }
      if (!keep.empty()) write_diagnosis(dir / ("plate_" + std::to_string(i) + "_diagnosis.png"), photo, scene, ours, m);
    }
    std::fflush(stdout);
  }
  std::printf("\nours:    mean abs error %.2f %% over %d images, mean CPU %.0f ms per image (one core)\n",
              our_err / images, images, our_cpu / images);
  if (ocfu_n > 0) {
    std::printf("paired:  ours %.2f %% / %.0f ms vs opencfu%s%s %.2f %% / %.0f ms on the same %d images; "
                "speed-up %.1fx\n",
                our_err_paired / ocfu_n, our_cpu_paired / ocfu_n, opencfu_args.empty() ? "" : " ",
                opencfu_args.c_str(), ocfu_err / ocfu_n, ocfu_cpu / ocfu_n, ocfu_n,
                (ocfu_cpu / ocfu_n) / std::max(1e-9, our_cpu_paired / ocfu_n));
  }
  if (keep.empty()) fs::remove_all(dir);
  return 0;
}
