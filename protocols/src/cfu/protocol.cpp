// The `cfu` protocol: acquisition (tiles, autofocus, stitching) and per-dish counting.
#include "assay/protocols/cfu/protocol.hpp"

#include <cmath>
#include <filesystem>
#include <map>

#include "assay/drivers/image_file.hpp"

namespace assay::protocols::cfu {
namespace {

// A dish photographed as tiles and pasted into one image by the stage offsets.
struct Mosaic {
  cv::Mat image;
  double pixel_size_um = 0.0;
  int fields = 0;
};

void paste(Mosaic& m, const drivers::CapturedImage& tile, double cover_mm) {
  if (m.image.empty()) {
    m.pixel_size_um = tile.pixel_size_um;
    const int side = std::max({tile.pixels.cols, tile.pixels.rows,
                               static_cast<int>(std::ceil(cover_mm * 1000.0 / tile.pixel_size_um))});
    m.image = cv::Mat(side, side, tile.pixels.type(), cv::Scalar::all(0));
  } else if (std::abs(tile.pixel_size_um - m.pixel_size_um) > 1e-6 * m.pixel_size_um) {
    throw ProtocolError("instrument_error", "well " + tile.well + " field " + std::to_string(tile.field) +
                                                ": pixel size changed between tiles (" +
                                                std::to_string(m.pixel_size_um) + " -> " +
                                                std::to_string(tile.pixel_size_um) + " um)");
  }
  const cv::Point2d centre(0.5 * m.image.cols + tile.offset_x_mm * 1000.0 / m.pixel_size_um,
                           0.5 * m.image.rows + tile.offset_y_mm * 1000.0 / m.pixel_size_um);
  const cv::Rect at(static_cast<int>(std::lround(centre.x - 0.5 * tile.pixels.cols)),
                    static_cast<int>(std::lround(centre.y - 0.5 * tile.pixels.rows)), tile.pixels.cols,
                    tile.pixels.rows);
  const cv::Rect inside = at & cv::Rect(0, 0, m.image.cols, m.image.rows);
  cv::Mat pixels = tile.pixels;
  if (pixels.type() != m.image.type()) {
    throw ProtocolError("instrument_error", "well " + tile.well + ": tiles differ in pixel format");
  }
  if (inside.area() > 0) pixels(inside - at.tl()).copyTo(m.image(inside));
  ++m.fields;
}

// Per sample (donor) and group (condition): the mean and SD of its replicate dishes, the number
// a scientist reports, rather than one mean across donors. SD is null for a single dish.
nlohmann::json samples_summary(const nlohmann::json& dishes) {
  std::map<std::pair<std::string, std::string>, std::vector<const nlohmann::json*>> by_sample;
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& dish : dishes) {
    std::pair key{dish.value("sample", std::string()), dish.value("group", std::string())};
    if (!by_sample.count(key)) order.push_back(key);
    by_sample[key].push_back(&dish);
  }
  auto mean_sd = [](const std::vector<double>& values) {
    double mean = 0.0;
    for (double v : values) mean += v;
    mean /= static_cast<double>(values.size());
    if (values.size() < 2) return std::pair{nlohmann::json(mean), nlohmann::json()};
    double squares = 0.0;
    for (double v : values) squares += (v - mean) * (v - mean);
    return std::pair{nlohmann::json(mean), nlohmann::json(std::sqrt(squares / static_cast<double>(values.size() - 1)))};
  };
  nlohmann::json out = nlohmann::json::array();
  for (const auto& key : order) {
    const auto& members = by_sample[key];
    std::vector<double> colonies, per_1e5;
    nlohmann::json wells = nlohmann::json::array();
    for (const auto* dish : members) {
      wells.push_back(dish->at("well"));
      colonies.push_back(dish->at("colonies").get<double>());
      if (dish->at("cfu_per_1e5_cells").is_number()) per_1e5.push_back(dish->at("cfu_per_1e5_cells").get<double>());
    }
    auto [mean, sd] = mean_sd(colonies);
    nlohmann::json row{{"sample", key.first}, {"group", key.second}, {"dishes", wells}, {"n", members.size()},
                       {"mean_colonies", mean}, {"sd_colonies", sd}};
    if (per_1e5.size() == members.size()) {
      auto [cfu_mean, cfu_sd] = mean_sd(per_1e5);
      row["mean_cfu_per_1e5_cells"] = cfu_mean;
      row["sd_cfu_per_1e5_cells"] = cfu_sd;
    } else {
      row["mean_cfu_per_1e5_cells"] = nullptr;
      row["sd_cfu_per_1e5_cells"] = nullptr;
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

void CfuProtocol::validate(const JobSpec& job) const {
  parse_cfu_params(job.params);
  if (job.layout.wells().empty()) throw ProtocolError("invalid_params", "layout names no dishes or wells to count");
  if (job.plate.geometry.well_diameter_mm <= 0.0)
    throw ProtocolError("invalid_params", "plate format " + job.plate.name + " has no well diameter to image");
}

AssayResult CfuProtocol::run(const JobSpec& job, RunContext& ctx) const {
  const CfuParams params = parse_cfu_params(job.params);
  auto* imager = &ctx.require_instrument<drivers::Imager>();
  drivers::LoadedPlate plate = job.loaded_plate();

  // Image a little beyond the well so the dish edge is in the picture (the counter finds it).
  const double well_mm = plate.geometry.well_diameter_mm;
  const double cover_mm = well_mm * 1.08;
  const auto offsets = params.tile ? tile_offsets_mm(cover_mm, imager->field_of_view_mm(), params.tile_overlap)
                                   : std::vector<cv::Point2d>{{0.0, 0.0}};
  const auto& wells = job.layout.wells();
  const double total_fields = static_cast<double>(wells.size() * offsets.size());
  const std::filesystem::path overlay_dir = ctx.job_dir() / "overlays";
  std::filesystem::create_directories(overlay_dir);

  AssayResult result;
  nlohmann::json per_class = nlohmann::json::object();
  nlohmann::json dishes = nlohmann::json::array();  // one line per dish for people and dashboards
  std::vector<std::string> too_many;
  int total = 0, done = 0;
  double cfu_sum = 0.0;
  int cfu_n = 0;
  for (const WellAssignment& w : wells) {
    drivers::FieldRequest request;
    request.well = w.well;
    request.exposure_ms = params.exposure_ms;
    request.sample = drivers::SampleKind::colonies;
    if (params.autofocus && imager->has_autofocus()) {
      auto z = imager->autofocus(request, drivers::AutofocusPlan{}, ctx.stop());
      if (!z && z.status().code() == drivers::StatusCode::cancelled) throw ProtocolError("cancelled", "cfu job stopped during autofocus of " + w.well);
      if (!z) ctx.log_warning("autofocus failed in well " + w.well + " (" + z.status().message() + "); imaging at the current focus");
    }
    Mosaic mosaic;
    for (std::size_t f = 0; f < offsets.size(); ++f) {
      if (ctx.stop().stop_requested()) throw ProtocolError("cancelled", "cfu job stopped before well " + w.well + " field " + std::to_string(f));
      request.field = static_cast<int>(f);
      request.offset_x_mm = offsets[f].x;
      request.offset_y_mm = offsets[f].y;
      auto image = imager->capture(request, ctx.stop());
      throw_if_failed(image.status(), "capturing well " + w.well + " field " + std::to_string(f));
      ctx.store_image(image.value(), "colony_field");
      paste(mosaic, image.value(), cover_mm);
      ctx.progress(++done / total_fields, "imaged " + w.well + " field " + std::to_string(f + 1) + "/" + std::to_string(offsets.size()));
    }
    imaging::ColonyCountParams counting = params.counting;
    counting.pixel_size_um = mosaic.pixel_size_um;
    counting.dish_diameter_mm = well_mm;
    counting.cells_plated = params.cells_plated > 0 ? params.cells_plated : w.cells_plated;
    imaging::ColonyCount count;
    try {
      count = imaging::count_colonies(mosaic.image, counting);
    } catch (const std::exception& e) {
      throw ProtocolError("analysis_error", "counting colonies in well " + w.well + " failed: " + e.what());
    }
    if (offsets.size() > 1) {
      drivers::CapturedImage stitched;
      stitched.pixels = mosaic.image;
      stitched.well = w.well;
      stitched.field = -1;
      stitched.pixel_size_um = mosaic.pixel_size_um;
      ctx.store_image(stitched, "colony_mosaic");
    }
    const std::filesystem::path overlay = overlay_dir / (w.well + "_colonies.png");
    try {
      drivers::write_image(overlay, imaging::draw_colony_overlay(mosaic.image, count));
      result.figures.push_back(overlay);
    } catch (const drivers::ImageFileError& e) {
      ctx.log_warning(std::string("could not write the overlay: ") + e.what());
    }

    nlohmann::json row = imaging::to_json(count, false);
    row["role"] = w.role;
    row["fields"] = mosaic.fields;
    row["cells_plated"] = counting.cells_plated;
    row["overlay"] = overlay.string();
    result.rows.push_back({"well", w.well, row});
    if (params.colony_rows) {
      const nlohmann::json colonies = imaging::to_json(count, true).at("colonies");
      for (std::size_t i = 0; i < colonies.size(); ++i)
        result.rows.push_back({"colony", w.well + "#" + std::to_string(i + 1), colonies[i]});
    }
    total += count.count;
    for (const auto& [cls, n] : row.at("count_by_class").items()) per_class[cls] = per_class.value(cls, 0) + n.get<int>();
    if (count.too_many_to_count) too_many.push_back(w.well);
    nlohmann::json dish{{"well", w.well}, {"sample", w.sample}, {"group", w.group}, {"colonies", count.count},
                        {"too_many_to_count", count.too_many_to_count}};
    dish["cfu_per_1e5_cells"] = count.cfu_per_1e5_cells >= 0 ? nlohmann::json(count.cfu_per_1e5_cells) : nlohmann::json();
    dishes.push_back(std::move(dish));
    if (count.cfu_per_1e5_cells >= 0) cfu_sum += count.cfu_per_1e5_cells, ++cfu_n;
    ctx.log_info("well " + w.well + ": " + std::to_string(count.count) + " colonies");
  }
  result.summary = {{"wells", wells.size()}, {"fields_per_well", offsets.size()}, {"total_colonies", total},
                    {"colonies_by_class", per_class}, {"too_many_to_count", too_many},
                    {"dishes", dishes}, {"samples", samples_summary(dishes)}};
  if (cfu_n > 0) result.summary["mean_cfu_per_1e5_cells"] = cfu_sum / cfu_n;
  ctx.progress(1.0, "counted " + std::to_string(wells.size()) + " wells");
  return result;
}

}  // namespace assay::protocols::cfu
