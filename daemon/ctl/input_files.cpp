#include "input_files.hpp"

#include <fstream>
#include <iterator>

#include "assay/protocols/bounded_json.hpp"

namespace assay::ctl {

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open the file");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto parsed = protocols::parse_bounded_json(text);
  if (!parsed.ok()) throw InputError(path + ": not valid JSON: " + parsed.error);
  return std::move(parsed.value);
}

}  // namespace assay::ctl
