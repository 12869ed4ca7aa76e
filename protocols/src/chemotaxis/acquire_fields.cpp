#include <cstdio>
#include <map>
#include <stdexcept>

#include "acquire.hpp"
#include "assay/drivers/image_file.hpp"
#include "assay/protocols/chemotaxis/conditions.hpp"
#include "assay/protocols/imaging/cell_counter.hpp"

namespace assay::protocols::chemotaxis {
namespace {

std::string count_label(int field, int count) {
  char text[64];
  std::snprintf(text, sizeof text, "f%d: %d cells", field, count);
  return text;
}

}  // namespace

ImagedFields acquire_fields(const JobSpec& job, const ChemotaxisParams& params, drivers::Imager& imager,
                            RunContext& ctx) {
  const auto& imaging = params.imaging;
  if (imaging.autofocus.value_or(false) && !imager.has_autofocus()) {
    throw ProtocolError("invalid_params", "params.autofocus: imager " + imager.name() +
                                              " has no autofocus; set autofocus to false");
  }
  std::map<std::string, std::string> condition_of;
  for (const auto& condition : group_conditions(job.layout)) {
    for (const auto& well : condition.wells) condition_of[well] = condition.key;
  }
  std::vector<const WellAssignment*> inserts;
  for (const auto& well : job.layout.wells()) {
    if (well.role != kRoleBlank) inserts.push_back(&well);
  }
  bool focus = imaging.autofocus.value_or(imager.has_autofocus());
  auto overlay_dir = ctx.job_dir() / "overlays";
  if (imaging.keep_overlays) std::filesystem::create_directories(overlay_dir);

  auto expects_cells = [](const WellAssignment& well) { return well.role == kRolePositiveControl; };
  ImagedFields out;
  std::size_t total = inserts.size() * imaging.fields.size();
  for (const auto* insert : inserts) {
    for (std::size_t f = 0; f < imaging.fields.size(); ++f) {
      if (ctx.stop().stop_requested()) {
        throw ProtocolError("cancelled", "imaging stopped after " + std::to_string(out.fields.size()) +
                                             " of " + std::to_string(total) + " fields");
      }
      drivers::FieldRequest request;
      request.well = insert->well;
      request.field = static_cast<int>(f);
      request.offset_x_mm = imaging.fields[f].x_mm;
      request.offset_y_mm = imaging.fields[f].y_mm;
      request.exposure_ms = imaging.exposure_ms;
      request.gain = imaging.gain;
      request.sample = drivers::SampleKind::stained_cells;
      auto where = "field " + field_key(insert->well, request.field);
      if (focus && f == 0) {
        auto focused = imager.autofocus(request, {}, ctx.stop());
        throw_if_failed(focused.status(), "autofocus on " + insert->well + " with " + imager.name());
      }
      auto captured = imager.capture(request, ctx.stop());
      throw_if_failed(captured.status(), "capturing " + where + " with " + imager.name());
      const auto& image = captured.value();
      auto stored = ctx.store_image(image, "transwell_field");

      FieldCount field;
      field.well = insert->well;
      field.field = request.field;
      field.offset_x_mm = request.offset_x_mm;
      field.offset_y_mm = request.offset_y_mm;
      field.pixel_size_um = image.pixel_size_um;
      field.image = stored.path.string();
      check_pixel_size(field, imaging);  // throws in "error" mode, before anything is counted

      auto counter = imaging.counter;
      counter.pixel_size_um = image.pixel_size_um;
      imaging::CellCount count;
      try {
        count = imaging::count_stained_cells(image.pixels, counter);
      } catch (const std::exception& e) {
        throw ProtocolError("analysis_error", where + ": counting failed: " + e.what());
      }
      field.count = count.count;
      for (const auto& flag : count.flags) {
        // No migrated cell is a result where an antagonist blocks migration or no chemokine
        // draws the cells; only an insert meant to migrate (chemokine + vehicle) is suspect.
        if (flag == kFlagEmptyField && !expects_cells(*insert)) continue;
        field.flags.push_back(flag);
      }
      field.details = imaging::to_json(count);
      field.details.erase("cells");  // positions live in the overlay, not in every result row

      cv::Mat overlay = imaging::draw_cell_overlay(image.pixels, count);
      if (imaging.keep_overlays) {
        auto path = overlay_dir / (insert->well + "_f" + std::to_string(f) + "_overlay.png");
        try {
          drivers::write_image(path, overlay);
        } catch (const drivers::ImageFileError& e) {
          throw ProtocolError("analysis_error", where + ": " + e.what());
        }
        field.overlay = path.string();
      }
      out.tiles.push_back({contact_sheet_thumbnail(overlay), insert->well + " " + condition_of[insert->well],
                           count_label(field.field, field.count)});
      out.fields.push_back(std::move(field));
      ctx.progress(0.9 * static_cast<double>(out.fields.size()) / static_cast<double>(total),
                   where + ": " + std::to_string(count.count) + " cells");
    }
  }
  return out;
}

}  // namespace assay::protocols::chemotaxis
