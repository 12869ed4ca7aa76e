#include "assay/protocols/figures/svg.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace assay::protocols::figures {

const std::string& palette_color(std::size_t index) {
  static const std::vector<std::string> colors{"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                               "#E69F00", "#56B4E9", "#000000", "#8c564b",
                                               "#7f7f7f", "#bcbd22"};
  return colors[index % colors.size()];
}

std::string escape_xml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_number(double value, int precision) {
  if (!std::isfinite(value)) return value > 0 ? "inf" : (value < 0 ? "-inf" : "nan");
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
  return buffer;
}

std::string decade_label(int decade) {
  // Plain numbers from 0.001 to 1000, powers of ten beyond (10⁴, 10⁻⁵).
  if (decade >= -3 && decade <= 3) return format_number(std::pow(10.0, decade), 6);
  static const char* digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string out = "10";
  if (decade < 0) out += "⁻";
  for (char c : std::to_string(std::abs(decade))) out += digits[c - '0'];
  return out;
}

std::string format_significant(double value, int digits) {
  if (!std::isfinite(value)) return format_number(value);
  char buffer[32];
  // Whole numbers up to a billion read better than 2.32e+03.
  if (std::abs(value) >= std::pow(10.0, digits - 1) && std::abs(value) < 1e9) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
    return buffer;
  }
  std::snprintf(buffer, sizeof buffer, "%#.*g", digits, value);
  std::string text = buffer;
  if (text.find('e') == std::string::npos && !text.empty() && text.back() == '.') text.pop_back();
  return text;
}

std::vector<Tick> log10_ticks(double lo, double hi) {
  std::vector<Tick> ticks;
  if (!(lo > 0.0) || !(hi > lo)) return ticks;
  int first = static_cast<int>(std::floor(std::log10(lo)));
  int last = static_cast<int>(std::ceil(std::log10(hi)));
  for (int decade = first; decade <= last; ++decade) {
    double base = std::pow(10.0, decade);
    for (int m = 1; m <= 9; ++m) {
      double value = base * m;
      if (value < lo * (1 - 1e-9) || value > hi * (1 + 1e-9)) continue;
      ticks.push_back({value, m == 1 ? decade_label(decade) : "", m == 1});
    }
  }
  return ticks;
}

std::vector<Tick> linear_ticks(double lo, double hi, int target) {
  std::vector<Tick> ticks;
  if (!(hi > lo) || target < 1) return ticks;
  double raw = (hi - lo) / target;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    double clean = std::abs(v) < step * 1e-9 ? 0.0 : v;
    ticks.push_back({clean, format_number(clean, 6), true});
  }
  return ticks;
}

Svg::Svg(double width_px, double height_px) : width_px_(width_px), height_px_(height_px) {}

namespace {
std::string num(double v) { return format_number(v, 6); }
}  // namespace

void Svg::line(double x1, double y1, double x2, double y2, const std::string& stroke,
               double width, const std::string& extra) {
  body_ << "<line x1=\"" << num(x1) << "\" y1=\"" << num(y1) << "\" x2=\"" << num(x2)
        << "\" y2=\"" << num(y2) << "\" stroke=\"" << stroke << "\" stroke-width=\"" << num(width)
        << "\" " << extra << "/>\n";
}

void Svg::rect(double x, double y, double w, double h, const std::string& fill,
               const std::string& stroke, const std::string& extra) {
  body_ << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\"" << num(w)
        << "\" height=\"" << num(h) << "\" fill=\"" << fill << "\" stroke=\"" << stroke << "\" "
        << extra << "/>\n";
}

void Svg::circle(double cx, double cy, double r, const std::string& fill,
                 const std::string& stroke, const std::string& extra) {
  body_ << "<circle cx=\"" << num(cx) << "\" cy=\"" << num(cy) << "\" r=\"" << num(r)
        << "\" fill=\"" << fill << "\" stroke=\"" << stroke << "\" " << extra << "/>\n";
}

void Svg::text(double x, double y, const std::string& content, double size_px,
               const std::string& anchor, const std::string& extra) {
  body_ << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\" font-size=\"" << num(size_px)
        << "\" text-anchor=\"" << anchor << "\" " << extra << ">" << escape_xml(content)
        << "</text>\n";
}

void Svg::polyline(const std::vector<std::pair<double, double>>& points,
                   const std::string& stroke, double width, const std::string& extra) {
  if (points.size() < 2) return;
  body_ << "<polyline fill=\"none\" stroke=\"" << stroke << "\" stroke-width=\"" << num(width)
        << "\" " << extra << " points=\"";
  for (const auto& [x, y] : points) body_ << format_number(x, 5) << ',' << format_number(y, 5) << ' ';
  body_ << "\"/>\n";
}

void Svg::polygon(const std::vector<std::pair<double, double>>& points, const std::string& fill,
                  const std::string& extra) {
  if (points.size() < 3) return;
  body_ << "<polygon fill=\"" << fill << "\" stroke=\"none\" " << extra << " points=\"";
  for (const auto& [x, y] : points) body_ << format_number(x, 5) << ',' << format_number(y, 5) << ' ';
  body_ << "\"/>\n";
}

void Svg::raw(const std::string& element) { body_ << element << '\n'; }

std::string Svg::str() const {
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width_px_) << "\" height=\""
      << num(height_px_) << "\" viewBox=\"0 0 " << num(width_px_) << ' ' << num(height_px_)
      << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << body_.str() << "</svg>\n";
  return out.str();
}

void Svg::save(const std::filesystem::path& path) const { write_text(path, str()); }

void Svg::write_text(const std::filesystem::path& path, const std::string& document) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error("cannot write figure " + path.string());
  file << document;
  if (!file.flush()) throw std::runtime_error("cannot write figure " + path.string());
}

}  // namespace assay::protocols::figures
