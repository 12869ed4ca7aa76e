// SimImager: the truth model (counts per well and field, focus per well) and scene rendering.
#include <cmath>
#include <functional>
#include <random>

#include <opencv2/imgproc.hpp>

#include "assay/drivers/sim/cell_scene.hpp"
#include "assay/drivers/sim/colony_scene.hpp"
#include "assay/drivers/sim/sim_imager.hpp"

namespace assay::drivers::sim {
namespace {

// A reproducible random stream per (seed, well, field).
std::mt19937_64 stream(std::uint64_t seed, const std::string& well, int field, int purpose) {
  const std::uint64_t h = std::hash<std::string>{}(well);
  return std::mt19937_64(seed * 0x9E3779B97F4A7C15ULL ^ h ^ (static_cast<std::uint64_t>(field) << 20) ^
                         (static_cast<std::uint64_t>(purpose) << 40));
}

}  // namespace

double SimImager::true_focus_um(const std::string& well) const {
  auto rng = stream(run_seed_, well, 0, 1);
  return std::uniform_real_distribution<double>(-settings_.focus_spread_um, settings_.focus_spread_um)(rng);
}

int SimImager::colonies_in(const std::string& well) const {
  const nlohmann::json& sim = plate_->simulation;
  if (sim.contains("colonies_per_well")) {
    const nlohmann::json& c = sim.at("colonies_per_well");
    if (c.is_number()) return std::max(0, c.get<int>());
    if (c.contains(well) && c.at(well).is_number()) return std::max(0, c.at(well).get<int>());
  }
  const WellContents* w = contents_of(well);
  if (w && w->role == "blank") return 0;
  const double plated = w && w->cells_plated > 0 ? w->cells_plated : settings_.default_cells_plated;
  const double efficiency = sim.value("plating_efficiency", settings_.plating_efficiency);
  auto rng = stream(run_seed_, well, 0, 2);
  return std::poisson_distribution<int>(std::max(1e-9, plated * efficiency))(rng);
}

double SimImager::expected_cells(const WellContents& well) const {
  if (well.role == "blank") return 0.0;
  const double per_field = plate_->simulation.value("cells_per_field", settings_.cells_per_field);
  const double random = per_field / settings_.chemotactic_index;  // migration without chemokine
  if (!well.stimulated) return random;
  // The antagonist blocks the chemokine-driven part; random migration remains (as the plate
  // reader's model): a fully blocked insert migrates as one without chemokine, never less.
  const CompoundTruth& truth = pharmacology_.migration_for(well.compound);
  const double remaining = well.compound.empty() ? 1.0 : remaining_response(well.conc_nM, truth);
  return random + (per_field - random) * remaining;
}

int SimImager::cells_in_field(const std::string& well, int field) const {
  const WellContents* w = contents_of(well);
  const double expected = w ? expected_cells(*w) : 0.0;
  if (expected <= 0.0) return 0;
  auto rng = stream(run_seed_, well, field, 3);
  return std::poisson_distribution<int>(expected)(rng);
}

const cv::Mat& SimImager::dish_image(const std::string& well) {
  auto it = dishes_.find(well);
  if (it != dishes_.end()) return it->second;
  const double px = settings_.colony_pixel_size_um;
  const double dish_px = plate_->geometry.well_diameter_mm * 1000.0 / px;
  ColonySceneSpec spec;
  spec.width_px = spec.height_px = static_cast<int>(std::ceil(dish_px * 1.12));
  spec.dish_radius_fraction = 0.5 * dish_px / spec.width_px;
  spec.colonies = colonies_in(well);
  spec.light_colonies = plate_->simulation.value("light_colonies", settings_.light_colonies);
  spec.haematopoietic = plate_->simulation.value("colony_kind", std::string("haematopoietic")) == "haematopoietic";
  // Colonies of 0.2-1.5 mm, smaller on crowded dishes so that they still fit. Smaller clusters
  // (under ~40 cells) are not scored as colonies, and the counter's minimum is 180 um.
  spec.min_diameter_px = 200.0 / px;
  spec.max_diameter_px = (spec.colonies > 250 ? 700.0 : 1500.0) / px;
  spec.noise_sigma = 2.5;
  spec.glare = 0.6;
  spec.seed = stream(run_seed_, well, 0, 4)();
  ColonyScene scene = render_colony_scene(spec);
  {
    std::lock_guard lock(mutex_);
    truth_json_["colonies_per_well"][well] = static_cast<int>(scene.colonies.size());
    // By class, as the counter names them, so that classification can be checked too.
    nlohmann::json by_class = nlohmann::json::object();
    for (const auto& colony : scene.colonies) by_class[colony.cls] = by_class.value(colony.cls, 0) + 1;
    truth_json_["colonies_by_class"][well] = std::move(by_class);
  }
  return dishes_.emplace(well, std::move(scene.image)).first->second;
}

cv::Mat SimImager::render_field(const FieldRequest& request, double focus_error_um, cv::Size size) {
  cv::Mat frame;
  if (colony_plate()) {
    const cv::Mat& dish = dish_image(request.well);
    const double px = settings_.colony_pixel_size_um;
    const cv::Point2d centre(0.5 * dish.cols + request.offset_x_mm * 1000.0 / px,
                             0.5 * dish.rows + request.offset_y_mm * 1000.0 / px);
    const cv::Rect want(static_cast<int>(std::lround(centre.x - 0.5 * size.width)),
                        static_cast<int>(std::lround(centre.y - 0.5 * size.height)), size.width, size.height);
    frame = cv::Mat(size, CV_8UC3, cv::Scalar(18, 18, 18));  // the stage beyond the dish
    const cv::Rect have = want & cv::Rect(0, 0, dish.cols, dish.rows);
    if (have.area() > 0) dish(have).copyTo(frame(have - want.tl()));
    const double sigma = defocus_sigma_px(focus_error_um, px);
    if (sigma > 0.3) cv::GaussianBlur(frame, frame, cv::Size(0, 0), sigma);
    return frame;
  }
  CellSceneSpec spec;
  spec.width_px = size.width;
  spec.height_px = size.height;
  spec.pixel_size_um = settings_.pixel_size_um;
  const double area_fraction = static_cast<double>(size.area()) /
                               (static_cast<double>(settings_.frame_width_px) * settings_.frame_height_px);
  const int cells = cells_in_field(request.well, request.field);
  spec.cells = static_cast<int>(std::lround(cells * area_fraction));
  spec.cell_diameter_um = settings_.cell_diameter_um;
  spec.focus_error_um = focus_error_um;
  spec.seed = stream(run_seed_, request.well, request.field, 5)();
  CellScene scene = render_cell_scene(spec);
  if (area_fraction >= 1.0) {
    std::lock_guard lock(mutex_);
    truth_json_["cells_per_field"][request.well][std::to_string(request.field)] =
        static_cast<int>(scene.cell_centres_px.size());
  }
  return scene.image;
}

}  // namespace assay::drivers::sim
