// Stained-cell counting benchmark: this project's counter and OpenCFU (`opencfu -d reg -a`) on
// the same images in the same run, scored against people's or the simulator's counts.
//
//   bench_cells [--real DIR]... [--synthetic N] [--no-opencfu] [--params FILE.json] [--keep DIR]
//
// Real sets: a folder with ground_truth.csv (file,count,...), default
// ../shared/data/realsets/dsb2018_stained. Counted with the defaults and no pixel size (the
// pixel size of those tiles is unknown), as a new user would run `assayctl count --kind cells`.
// Synthetic: N transwell membranes from the simulator (pores, debris, stain crystals, swab
// smears, faint and out-of-focus cells, clumps), counted once with the pixel size the imager
// reports (as the chemotaxis job does) and once without it. Then the same membranes with no cell at all
// (pores, debris, crystals, smears): the cells counted there. Prints per image the truth, our
// count(s), OpenCFU's count, and MAPE per set. --keep DIR writes our overlays there.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "assay/drivers/sim/cell_scene.hpp"
#include "assay/protocols/imaging/cell_counter.hpp"

namespace fs = std::filesystem;
namespace im = assay::protocols::imaging;
namespace sim = assay::drivers::sim;

namespace {

// OpenCFU's count: the rows whose first CSV field (IsValid) is 1; -1 when it did not run.
int run_opencfu(const fs::path& image) {
  const std::string command = "cd /usr/share/opencfu && opencfu -i '" + image.string() + "' -d reg -a 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  std::string out;
  char buffer[8192];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  if (pclose(pipe) != 0) return -1;
  std::istringstream lines(out);
  int valid = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("1,", 0) == 0) ++valid;
  return valid;
}

struct Score {
  double sum_ape = 0.0;
  int n = 0;
  void add(int truth, int counted) {
    if (truth <= 0 || counted < 0) return;
    sum_ape += std::abs(counted - truth) / static_cast<double>(truth);
    ++n;
  }
  std::string mape() const {
    if (n == 0) return "-";
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << 100.0 * sum_ape / n << " % (n=" << n << ")";
    return s.str();
  }
};

std::string signed_error(int truth, int counted) {
  if (truth <= 0 || counted < 0) return "-";
  std::ostringstream s;
  s << std::showpos << std::fixed << std::setprecision(0) << 100.0 * (counted - truth) / truth << "%";
  return s.str();
}

// The overlay of what was counted; on a synthetic scene also the true cells (red crosses) and
// the image itself, so that a miss or an extra can be seen and the image counted again.
void keep_overlay(const fs::path& keep, const std::string& name, const cv::Mat& image, const im::CellCount& c,
                  const std::vector<cv::Point2d>& truth = {}) {
  if (keep.empty()) return;
  cv::Mat overlay = im::draw_cell_overlay(image, c);
  for (const auto& t : truth)
    cv::drawMarker(overlay, cv::Point(t), cv::Scalar(0, 0, 255), cv::MARKER_TILTED_CROSS, 7, 1);
  cv::imwrite((keep / (name + "_cells.png")).string(), overlay);
  if (!truth.empty()) cv::imwrite((keep / (name + ".png")).string(), image);
}

void real_set(const fs::path& dir, const im::CellCountParams& params, bool opencfu, const fs::path& keep) {
  std::ifstream truth_file(dir / "ground_truth.csv");
  if (!truth_file) {
    std::cout << "real set " << dir << ": no ground_truth.csv, skipped\n";
    return;
  }
  std::cout << "\n== real: " << dir.filename().string() << " (no pixel size given) ==\n"
            << std::left << std::setw(24) << "file" << std::right << std::setw(6) << "truth" << std::setw(7)
            << "ours" << std::setw(7) << "err" << std::setw(9) << "d_px" << std::setw(9) << "opencfu"
            << std::setw(7) << "err" << "\n";
  Score ours, theirs;
  std::string line;
  std::getline(truth_file, line);
  for (; std::getline(truth_file, line);) {
    std::istringstream fields(line);
    std::string file, count;
    std::getline(fields, file, ',');
    std::getline(fields, count, ',');
    const cv::Mat image = cv::imread((dir / file).string(), cv::IMREAD_UNCHANGED);
    if (image.empty()) continue;
    const int truth = std::atoi(count.c_str());
    const im::CellCount c = im::count_stained_cells(image, params);
    const int other = opencfu ? run_opencfu(dir / file) : -1;
    ours.add(truth, c.count);
    theirs.add(truth, other);
    keep_overlay(keep, fs::path(file).stem().string(), image, c);
    std::cout << std::left << std::setw(24) << file << std::right << std::setw(6) << truth << std::setw(7)
              << c.count << std::setw(7) << signed_error(truth, c.count) << std::setw(9) << std::fixed
              << std::setprecision(1) << c.typical_cell_diameter_px << std::setw(9) << other << std::setw(7)
              << signed_error(truth, other) << "\n";
  }
  std::cout << "MAPE " << dir.filename().string() << ": ours " << ours.mape() << ", opencfu -d reg -a "
            << theirs.mape() << "\n";
}

// A spread of membranes: densities, magnifications, cell sizes, focus, compression, mess.
sim::CellSceneSpec membrane(int i) {
  sim::CellSceneSpec s;
  s.seed = 9000 + static_cast<std::uint64_t>(i);
  const int cells[] = {3, 10, 25, 50, 80, 120, 160};
  const double pixel_um[] = {0.65, 1.0, 1.3};
  s.cells = cells[i % 7];
  s.pixel_size_um = pixel_um[(i / 2) % 3];
  s.width_px = s.height_px = 768;
  s.cell_diameter_um = 14.0 + 2.0 * (i % 5);
  s.focus_error_um = (i % 4) * 5.0;
  s.jpeg_quality = i % 2 ? 80 : 0;
  s.debris = 10 + 5 * (i % 4);
  return s;
}

void synthetic_set(int n, const im::CellCountParams& params, bool opencfu, const fs::path& keep) {
  std::cout << "\n== synthetic transwell membranes ==\n"
            << std::setw(4) << "#" << std::setw(7) << "px_um" << std::setw(6) << "truth" << std::setw(7)
            << "known" << std::setw(7) << "err" << std::setw(7) << "unkn" << std::setw(7) << "err"
            << std::setw(9) << "opencfu" << std::setw(7) << "err" << std::setw(7) << "d_px" << std::setw(7)
            << "d_kn" << std::setw(7) << "d_un" << "\n";
  const fs::path tmp = fs::temp_directory_path() / ("bench_cells_" + std::to_string(getpid()));
  fs::create_directories(tmp);
  Score known, unknown, theirs;
  for (int i = 0; i < n; ++i) {
    const sim::CellSceneSpec spec = membrane(i);
    const sim::CellScene scene = sim::render_cell_scene(spec);
    const int truth = static_cast<int>(scene.cell_centres_px.size());
    im::CellCountParams with_scale = params;
    with_scale.pixel_size_um = spec.pixel_size_um;
    const im::CellCount a = im::count_stained_cells(scene.image, with_scale);
    const im::CellCount b = im::count_stained_cells(scene.image, params);
    int other = -1;
    if (opencfu) {
      const fs::path file = tmp / ("membrane_" + std::to_string(i) + ".png");
      cv::imwrite(file.string(), scene.image);
      other = run_opencfu(file);
    }
    known.add(truth, a.count);
    unknown.add(truth, b.count);
    theirs.add(truth, other);
    keep_overlay(keep, "membrane_" + std::to_string(i), scene.image, a, scene.cell_centres_px);
    std::cout << std::setw(4) << i << std::setw(7) << std::setprecision(2) << spec.pixel_size_um << std::setw(6)
              << truth << std::setw(7) << a.count << std::setw(7) << signed_error(truth, a.count) << std::setw(7)
              << b.count << std::setw(7) << signed_error(truth, b.count) << std::setw(9) << other << std::setw(7)
              << signed_error(truth, other) << std::setw(7) << std::fixed << std::setprecision(1)
              << spec.cell_diameter_um / spec.pixel_size_um << std::setw(7) << a.typical_cell_diameter_px << std::setw(7)
              << b.typical_cell_diameter_px << "\n";
  }
  fs::remove_all(tmp);
  std::cout << "MAPE synthetic membranes: ours (pixel size known) " << known.mape() << ", ours (unknown) "
            << unknown.mape() << ", opencfu -d reg -a " << theirs.mape() << "\n";
}

// Membranes where nothing migrated: pores (some holding dye), debris, crystals and smears only.
// A percentage error cannot score them, so the cells counted on them are reported as such.
void empty_membranes(int n, const im::CellCountParams& params) {
  int known_total = 0, unknown_total = 0, known_empty = 0, unknown_empty = 0;
  for (int i = 0; i < n; ++i) {
    sim::CellSceneSpec spec = membrane(i);
    spec.cells = 0;
    const sim::CellScene scene = sim::render_cell_scene(spec);
    im::CellCountParams with_scale = params;
    with_scale.pixel_size_um = spec.pixel_size_um;
    const int a = im::count_stained_cells(scene.image, with_scale).count;
    const int b = im::count_stained_cells(scene.image, params).count;
    known_total += a, unknown_total += b;
    known_empty += a == 0, unknown_empty += b == 0;
  }
  std::cout << "empty membranes (" << n << ", no cell): counted with pixel size known " << known_total << " ("
            << known_empty << " empty), unknown " << unknown_total << " (" << unknown_empty << " empty)\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> real;
  int synthetic = 28;
  bool opencfu = true;
  fs::path keep;
  im::CellCountParams params;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    const bool has_value = i + 1 < argc;
    if (key == "--no-opencfu") {
      opencfu = false;
    } else if (key == "--real" && has_value) {
      real.emplace_back(argv[++i]);
    } else if (key == "--synthetic" && has_value) {
      synthetic = std::atoi(argv[++i]);
    } else if (key == "--keep" && has_value) {
      keep = argv[++i];
      fs::create_directories(keep);
    } else if (key == "--params" && has_value) {
      std::ifstream in(argv[++i]);
      params = im::cell_count_params_from_json(nlohmann::json::parse(in));
    } else {
      std::cerr << "usage: bench_cells [--real DIR]... [--synthetic N] [--no-opencfu] [--params FILE.json] "
                   "[--keep DIR]\n";
      return 2;
    }
  }
  if (real.empty()) real.push_back(fs::path(ASSAY_SHARED_DIR) / "data/realsets/dsb2018_stained");
  if (opencfu && std::system("command -v opencfu >/dev/null 2>&1") != 0) {
    std::cout << "opencfu not on PATH: only our counter is measured\n";
    opencfu = false;
  }
  for (const fs::path& dir : real) real_set(dir, params, opencfu, keep);
  if (synthetic > 0) {
    synthetic_set(synthetic, params, opencfu, keep);
    empty_membranes(std::min(synthetic, 12), params);
  }
  return 0;
}
