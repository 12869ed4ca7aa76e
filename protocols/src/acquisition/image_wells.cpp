// Protocol "image_wells": images one or more fields per well and stores them with their
// metadata, without analysis. For acquisitions analysed later (`assayctl count`) or elsewhere.
#include "assay/protocols/params_reader.hpp"
#include "builtin_protocols.hpp"

namespace assay::protocols {
namespace {

using nlohmann::json;

struct ImageWellsParams {
  drivers::SampleKind sample = drivers::SampleKind::colonies;
  std::vector<std::pair<double, double>> offsets_mm{{0.0, 0.0}};
  double exposure_ms = 20.0;
  bool autofocus = false;
};

ImageWellsParams parse_params(const json& params) {
  ParamsReader reader(params, "params");
  reader.only_keys({"sample", "offsets_mm", "exposure_ms", "autofocus"});
  ImageWellsParams p;
  p.sample = reader.one_of("sample", {"colonies", "stained_cells"}, "colonies") == "colonies"
                 ? drivers::SampleKind::colonies
                 : drivers::SampleKind::stained_cells;
  p.exposure_ms = reader.number("exposure_ms", p.exposure_ms, 0.01, 60000.0);
  p.autofocus = reader.boolean("autofocus", p.autofocus);
  if (params.contains("offsets_mm")) {
    const auto& offsets = params.at("offsets_mm");
    if (!offsets.is_array() || offsets.empty()) {
      throw ProtocolError("invalid_params", "params.offsets_mm must be a list of [x, y] pairs in mm");
    }
    p.offsets_mm.clear();
    for (std::size_t i = 0; i < offsets.size(); ++i) {
      const auto& o = offsets[i];
      if (!o.is_array() || o.size() != 2 || !o[0].is_number() || !o[1].is_number()) {
        throw ProtocolError("invalid_params", "params.offsets_mm[" + std::to_string(i) +
                                                  "] must be [x_mm, y_mm]");
      }
      p.offsets_mm.emplace_back(o[0].get<double>(), o[1].get<double>());
    }
  }
  return p;
}

class ImageWells final : public Protocol {
 public:
  std::string name() const override { return "image_wells"; }
  std::string description() const override { return "image fields in each well and store them"; }
  drivers::InstrumentKind instrument_kind() const override { return drivers::InstrumentKind::imager; }

  void validate(const JobSpec& job) const override {
    parse_params(job.params);
    if (job.layout.wells().empty()) throw ProtocolError("invalid_params", "layout names no wells to image");
  }

  AssayResult run(const JobSpec& job, RunContext& ctx) const override {
    auto params = parse_params(job.params);
    auto& imager = ctx.require_instrument<drivers::Imager>();
    AssayResult result;
    const auto total = job.layout.wells().size() * params.offsets_mm.size();
    std::size_t done = 0;
    for (const auto& well : job.layout.wells()) {
      for (std::size_t f = 0; f < params.offsets_mm.size(); ++f) {
        if (ctx.stop().stop_requested()) throw ProtocolError("cancelled", "stopped before well " + well.well);
        drivers::FieldRequest request{well.well, static_cast<int>(f), params.offsets_mm[f].first,
                                      params.offsets_mm[f].second, params.exposure_ms, 1.0, params.sample};
        if (params.autofocus && imager.has_autofocus()) {
          auto z = imager.autofocus(request, {}, ctx.stop());
          throw_if_failed(z.status(), "autofocus in well " + well.well);
        }
        auto image = imager.capture(request, ctx.stop());
        throw_if_failed(image.status(), "imaging well " + well.well + " field " + std::to_string(f));
        auto stored = ctx.store_image(*image, "raw");
        result.rows.push_back({"field", well.well + "/" + std::to_string(f),
                               {{"well", well.well}, {"field", f}, {"path", stored.path.string()},
                                {"z_um", image->z_um}, {"pixel_size_um", image->pixel_size_um}}});
        ctx.progress(static_cast<double>(++done) / static_cast<double>(total),
                     "imaged " + well.well + " field " + std::to_string(f));
      }
    }
    result.summary = {{"protocol", "image_wells"}, {"images", done}};
    return result;
  }
};

}  // namespace

void register_image_wells(ProtocolRegistry& registry) { registry.add(std::make_shared<ImageWells>()); }

}  // namespace assay::protocols
