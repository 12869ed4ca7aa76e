// `assayctl count`: offline colony or stained-cell counts of image files, one result per file.
// A bad file (missing, empty, truncated, not an image) gets a clear error line and the batch goes
// on; the exit code is kExitUsage when any file failed. See docs/counting.md.
#include <filesystem>
#include <iostream>
#include <optional>

#include "assay/drivers/image_file.hpp"
#include "assay/protocols/imaging/cell_counter.hpp"
#include "assay/protocols/imaging/colony_counter.hpp"
#include "commands.hpp"
#include "input_files.hpp"

namespace assay::ctl {
namespace {

namespace im = assay::protocols::imaging;
namespace fs = std::filesystem;

struct CountOptions {
  std::string kind = "colonies";
  std::vector<std::string> images;
  std::string polarity = "auto";
  std::string overlay_dir;
  std::string params_file;
  bool json = false;
  bool csv = false;
  bool classify = false;
  double pixel_size_um = 0.0;  // 0: colonies derive it from the dish; cells measure sizes in the image
  double dish_diameter_mm = 0.0;
};

// Reads the whole file and decodes it; throws std::runtime_error saying what is wrong.
cv::Mat load_image(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw std::runtime_error("no such file");
  if (fs::is_directory(path, ec)) throw std::runtime_error("is a directory, not an image file");
  std::vector<unsigned char> bytes;
  try {
    bytes = drivers::read_file_bytes(path);
  } catch (const drivers::ImageFileError&) {
    throw std::runtime_error("cannot be opened for reading (check the permissions)");
  }
  if (bytes.empty()) throw std::runtime_error("is empty (0 bytes)");
  const drivers::ImageFormat format = drivers::image_format_of(bytes);
  if (format == drivers::ImageFormat::unknown) {
    throw std::runtime_error("is not an image format that can be decoded (use PNG, JPEG or TIFF)");
  }
  const bool jpeg = format == drivers::ImageFormat::jpeg;
  const bool png = format == drivers::ImageFormat::png;
  // A missing end marker means the copy was cut off: said in those words before decoding.
  if (jpeg) {
    std::size_t end = bytes.size();
    while (end > 2 && (bytes[end - 1] == 0x00 || bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D)) --end;
    if (!(bytes[end - 2] == 0xFF && bytes[end - 1] == 0xD9))
      throw std::runtime_error("JPEG file is truncated (no end-of-image marker); copy it again from the camera");
  }
  if (png) {
    const std::string tail(bytes.end() - std::min<std::size_t>(bytes.size(), 12), bytes.end());
    if (tail.find("IEND") == std::string::npos)
      throw std::runtime_error("PNG file is truncated (no IEND chunk); copy it again");
  }
  cv::Mat image = drivers::decode_image(bytes);
  if (image.total() < 64 * 64) throw std::runtime_error("is too small to count (" + std::to_string(image.cols) + "x" + std::to_string(image.rows) + " pixels)");
  return image;
}

void print_csv_header(bool colonies) {
  std::cout << "file,status,count,object,x_px,y_px,diameter_um,area_um2," << (colonies ? "class" : "contrast")
            << ",error\n";
}

std::string csv_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

int run_count(const CountOptions& o) {
  const bool colonies = o.kind == "colonies";
  nlohmann::json base = nlohmann::json::object();
  try {
    if (!o.params_file.empty()) base = read_json_file(o.params_file);
  } catch (const std::exception& e) {
    std::cerr << "assayctl count: " << e.what() << "\n";
    return kExitUsage;
  }
  im::ColonyCountParams colony_params;
  im::CellCountParams cell_params;
  try {
    if (colonies) {
      colony_params = im::colony_count_params_from_json(base);
      colony_params.polarity = im::polarity_from_string(o.polarity);
      if (o.pixel_size_um > 0) colony_params.pixel_size_um = o.pixel_size_um;
      if (o.dish_diameter_mm > 0) colony_params.dish_diameter_mm = o.dish_diameter_mm;
      if (o.classify) colony_params.classes.enabled = true;
    } else {
      cell_params = im::cell_count_params_from_json(base);
      if (o.pixel_size_um > 0) cell_params.pixel_size_um = o.pixel_size_um;
    }
  } catch (const std::exception& e) {
    std::cerr << "assayctl count: " << e.what() << "\n";
    return kExitUsage;
  }
  if (!o.overlay_dir.empty()) {
    std::error_code ec;
    fs::create_directories(o.overlay_dir, ec);
    if (ec) {
      std::cerr << "assayctl count: cannot create --overlay directory " << o.overlay_dir << ": " << ec.message() << "\n";
      return kExitUsage;
    }
  }
  if (o.csv) print_csv_header(colonies);
  nlohmann::json all = nlohmann::json::array();
  int failed = 0;
  for (const std::string& path : o.images) {
    nlohmann::json entry;
    cv::Mat overlay;
    try {
      const cv::Mat image = load_image(path);
      if (colonies) {
        const im::ColonyCount c = im::count_colonies(image, colony_params);
        entry = im::to_json(c, true);
        if (!o.overlay_dir.empty()) overlay = im::draw_colony_overlay(image, c);
      } else {
        const im::CellCount c = im::count_stained_cells(image, cell_params);
        entry = im::to_json(c);
        if (!o.overlay_dir.empty()) overlay = im::draw_cell_overlay(image, c);
      }
      entry["file"] = path;
      entry["ok"] = true;
      if (!overlay.empty()) {
        const fs::path out = fs::path(o.overlay_dir) / (fs::path(path).stem().string() + "_overlay.png");
        try {
          drivers::write_image(out, overlay);
          entry["overlay"] = out.string();
        } catch (const drivers::ImageFileError& e) {
          std::cerr << "assayctl count: " << path << ": could not write overlay: " << e.what() << "\n";
        }
      }
    } catch (const std::exception& e) {
      ++failed;
      entry = {{"file", path}, {"ok", false}, {"error", e.what()}};
      std::cerr << "assayctl count: " << path << ": " << e.what() << "\n";
    }
    if (o.json) {
      all.push_back(entry);
    } else if (o.csv) {
      if (!entry.at("ok").get<bool>()) {
        std::cout << csv_quote(path) << ",error,,,,,,,," << csv_quote(entry.at("error").get<std::string>()) << "\n";
        continue;
      }
      const nlohmann::json& objects = entry.at(colonies ? "colonies" : "cells");
      if (objects.empty()) std::cout << csv_quote(path) << ",ok," << entry.at("count") << ",,,,,,,\n";
      for (std::size_t i = 0; i < objects.size(); ++i) {
        const auto& x = objects[i];
        std::cout << csv_quote(path) << ",ok," << entry.at("count") << "," << i + 1 << "," << x.at("x_px") << ","
                  << x.at("y_px") << "," << x.at("diameter_um") << "," << x.at("area_um2") << ","
                  << (colonies ? x.at("class").get<std::string>() : x.at("contrast").dump()) << ",\n";
      }
    } else if (entry.at("ok").get<bool>()) {
      std::cout << path << ": " << entry.at("count") << (colonies ? " colonies" : " cells");
      if (colonies && !entry.at("count_by_class").empty()) std::cout << " " << entry.at("count_by_class").dump();
      if (!entry.at("flags").empty()) std::cout << " flags " << entry.at("flags").dump();
      std::cout << "\n";
    }
  }
  if (o.json) std::cout << all.dump(2) << "\n";
  return failed > 0 ? kExitUsage : kExitOk;
}

}  // namespace

void add_count_command(CLI::App& app) {
  auto options = std::make_shared<CountOptions>();
  CLI::App* cmd = app.add_subcommand("count", "count colonies or stained cells in image files (offline)");
  cmd->add_option("--kind", options->kind, "what to count")->check(CLI::IsMember({"colonies", "cells"}));
  cmd->add_option("images", options->images, "image files (PNG, JPEG, TIFF; 8 or 16 bit, grey or colour)")->required();
  cmd->add_option("--polarity", options->polarity, "colonies lighter or darker than the medium")
      ->check(CLI::IsMember({"auto", "light", "dark"}));
  cmd->add_option("--overlay", options->overlay_dir, "write an annotated overlay per image into this folder");
  cmd->add_option("--pixel-size-um", options->pixel_size_um, "pixel size at the sample (colonies: default from the dish; cells: default unknown, sizes measured in the image)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--dish-diameter-mm", options->dish_diameter_mm, "inner dish diameter (colonies; default 90)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--classify", options->classify,
                "haematopoietic colonies: type them CFU-GM/BFU-E/CFU-GEMM, as the cfu protocol does");
  cmd->add_option("--params", options->params_file, "JSON file of counting parameters (docs/counting.md)");
  auto* json = cmd->add_flag("--json", options->json, "print JSON with every colony or cell");
  cmd->add_flag("--csv", options->csv, "print CSV, one row per colony or cell")->excludes(json);
  cmd->callback([options] {
    const int code = run_count(*options);
    if (code != kExitOk) exit_with(code);
  });
}

}  // namespace assay::ctl
