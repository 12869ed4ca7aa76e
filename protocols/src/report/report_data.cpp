#include "report_data.hpp"

#include <algorithm>
#include <tuple>

#include <opencv2/imgproc.hpp>

#include "assay/drivers/image_file.hpp"
#include "assay/protocols/figures/svg.hpp"
#include "html.hpp"

namespace assay::protocols::report {
namespace {

using nlohmann::json;

// Plate size from the wells read when the job file is not at hand.
void plate_from_wells(ReportData& data) {
  drivers::PlateGeometry widest;
  widest.rows = 32;
  widest.columns = 48;
  for (const auto& r : data.readings) {
    if (auto p = drivers::parse_well(r.well, widest)) {
      data.rows = std::max(data.rows, p->row + 1);
      data.columns = std::max(data.columns, p->column + 1);
    }
  }
}

}  // namespace

ReportData::ReportData(const JobReportInput& input) : in(input) {
  summary = in.job.contains("summary") && in.job.at("summary").is_object() ? in.job.at("summary") : json::object();
  protocol_ = in.job.value("protocol", std::string());
  if (in.job.contains("spec") && in.job.at("spec").is_object()) {
    try {
      spec = JobSpec::from_json(in.job.at("spec"));
      rows = spec->plate.geometry.rows;
      columns = spec->plate.geometry.columns;
    } catch (const std::exception& e) {
      spec_error = e.what();
    }
  }
  for (const auto& row : in.rows) {
    if (!row.is_object() || !row.contains("kind") || !row.contains("value")) continue;
    rows_by_kind[row.value("kind", "")].push_back({row.value("key", ""), &row.at("value")});
  }
  bool kinetic = false;
  int last_attempt = 0;
  for (const auto& r : in.readings) {
    kinetic = kinetic || r.reading.cycle > 0;
    last_attempt = std::max(last_attempt, r.attempt);
  }
  std::map<std::tuple<std::string, std::string, int>, std::size_t> index;
  for (const auto& r : in.readings) {
    if (kinetic && r.attempt != last_attempt) continue;
    auto key = std::make_tuple(r.reading.well, r.reading.channel, r.reading.cycle);
    if (auto it = index.find(key); it != index.end()) {
      readings[it->second] = r.reading;
    } else {
      index.emplace(key, readings.size());
      readings.push_back(r.reading);
    }
  }
  if (!spec) plate_from_wells(*this);
}

const std::vector<ResultRow>& ReportData::rows_of(const std::string& kind) const {
  static const std::vector<ResultRow> none;
  auto it = rows_by_kind.find(kind);
  return it == rows_by_kind.end() ? none : it->second;
}

const json* ReportData::row(const std::string& kind, const std::string& key) const {
  for (const auto& r : rows_of(kind)) {
    if (r.key == key) return r.value;
  }
  return nullptr;
}

const WellAssignment* ReportData::well(const std::string& name) const { return spec ? spec->layout.find(name) : nullptr; }

std::string ReportData::well_label(const std::string& name) const {
  const auto* w = well(name);
  if (!w) return name;
  std::string text = name;
  if (w->role != kRoleSample || w->compound.empty()) text += " " + w->role;
  if (!w->sample.empty()) text += " " + w->sample;
  if (!w->compound.empty()) text += " " + w->compound + " " + figures::format_number(w->conc_nM, 3) + " nM";
  if (!w->stimulated) text += " (unstimulated)";
  return text;
}

std::string ReportData::note_flags(const json& list) {
  std::string text;
  if (!list.is_array()) return text;
  for (const auto& flag : list) {
    if (!flag.is_string()) continue;
    flags.insert(flag.get<std::string>());
    text += (text.empty() ? "" : ", ") + flag.get<std::string>();
  }
  return text;
}

std::string ReportData::next_id_prefix() { return "fig" + std::to_string(++figure_count) + "-"; }

std::optional<std::string> ReportData::image_uri(const std::string& path, int max_width_px, int max_height_px) const {
  if (!in.read_file) return std::nullopt;
  auto bytes = in.read_file(path);
  if (!bytes || bytes->empty()) return std::nullopt;
  cv::Mat image;
  try {
    image = drivers::decode_image({reinterpret_cast<const unsigned char*>(bytes->data()), bytes->size()});
  } catch (const drivers::ImageFileError&) {
    return std::nullopt;
  }
  // A report shows 8-bit colour: 16 bits scaled down, grey spread to BGR, alpha dropped.
  if (image.depth() == CV_16U) image.convertTo(image, CV_8U, 1.0 / 256);
  if (image.channels() == 1) cv::cvtColor(image, image, cv::COLOR_GRAY2BGR);
  if (image.channels() == 4) cv::cvtColor(image, image, cv::COLOR_BGRA2BGR);
  double scale = 1.0;
  if (max_width_px > 0) scale = std::min(scale, static_cast<double>(max_width_px) / image.cols);
  if (max_height_px > 0) scale = std::min(scale, static_cast<double>(max_height_px) / image.rows);
  if (scale < 1.0) {
    cv::Mat small;
    cv::resize(image, small, {}, scale, scale, cv::INTER_AREA);
    image = small;
  }
  std::vector<unsigned char> jpeg;
  try {
    jpeg = drivers::encode_jpeg(image, 88);
  } catch (const drivers::ImageFileError&) {
    return std::nullopt;
  }
  return data_uri("image/jpeg", std::string(jpeg.begin(), jpeg.end()));
}

}  // namespace assay::protocols::report
