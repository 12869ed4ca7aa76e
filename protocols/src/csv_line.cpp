#include "assay/protocols/csv_line.hpp"

namespace assay::protocols {
namespace {

void trim(std::string& s) {
  const auto last = s.find_last_not_of(" \t\r");
  if (last == std::string::npos) {
    s.clear();
    return;
  }
  s.erase(last + 1);
  s.erase(0, s.find_first_not_of(" \t\r"));
}

}  // namespace

void split_csv_line(std::string_view line, char delimiter, std::vector<std::string>& fields) {
  std::size_t count = 0;
  auto next_field = [&]() -> std::string& {
    if (count == fields.size()) fields.emplace_back();
    std::string& field = fields[count++];
    field.clear();
    return field;
  };
  std::string* field = &next_field();
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        *field += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        *field += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == delimiter) {
      field = &next_field();
    } else if (ch != '\r') {
      *field += ch;
    }
  }
  fields.resize(count);
  for (auto& f : fields) trim(f);
}

std::vector<std::string> split_csv_line(const std::string& line, char delimiter) {
  std::vector<std::string> fields;
  split_csv_line(line, delimiter, fields);
  return fields;
}

}  // namespace assay::protocols
