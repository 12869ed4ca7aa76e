// A small hand-written SVG builder shared by the figure writers: escaped text, compact numbers,
// axes with linear or log10 ticks, a colour palette. Value type; not thread-safe per instance.
#pragma once

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace assay::protocols::figures {

// Colour-blind-safe palette (Okabe-Ito order, then Tableau), cycled by index.
const std::string& palette_color(std::size_t index);

std::string escape_xml(const std::string& text);
// Shortest readable form: 0.1, 3, 1000, 1e+06; at most `precision` significant digits.
std::string format_number(double value, int precision = 4);

// Exactly `digits` significant digits, keeping trailing zeros: 1.00, 4.83, 57.6, 1230.
std::string format_significant(double value, int digits = 3);
// Label of the decade 10^decade: "0.01", "1", "1000", "10⁴", "10⁻⁵".
std::string decade_label(int decade);

struct Tick {
  double value = 0.0;
  std::string label;
  bool major = true;
};
// Decade ticks (1, 10, 100 ...) with minor 2..9 ticks for a log10 axis over [lo, hi] (> 0).
std::vector<Tick> log10_ticks(double lo, double hi);
// About `target` round ticks (1, 2, 5 x 10^k steps) over [lo, hi].
std::vector<Tick> linear_ticks(double lo, double hi, int target = 6);

class Svg {
 public:
  Svg(double width_px, double height_px);

  void line(double x1, double y1, double x2, double y2, const std::string& stroke,
            double width = 1.0, const std::string& extra = "");
  void rect(double x, double y, double w, double h, const std::string& fill,
            const std::string& stroke = "none", const std::string& extra = "");
  void circle(double cx, double cy, double r, const std::string& fill,
              const std::string& stroke = "none", const std::string& extra = "");
  // anchor: "start", "middle", "end"
  void text(double x, double y, const std::string& content, double size_px = 12.0,
            const std::string& anchor = "start", const std::string& extra = "");
  void polyline(const std::vector<std::pair<double, double>>& points, const std::string& stroke,
                double width = 1.5, const std::string& extra = "");
  void polygon(const std::vector<std::pair<double, double>>& points, const std::string& fill,
               const std::string& extra = "");
  void raw(const std::string& element);

  std::string str() const;
  // Throws std::runtime_error naming the path when it cannot be written.
  void save(const std::filesystem::path& path) const;
  // Writes a finished document; throws std::runtime_error naming the path on failure.
  static void write_text(const std::filesystem::path& path, const std::string& document);

 private:
  double width_px_, height_px_;
  std::ostringstream body_;
};

}  // namespace assay::protocols::figures
