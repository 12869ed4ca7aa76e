#include "assay/protocols/csv_line.hpp"

namespace assay::protocols {
namespace {

// A field's raw text (between two delimiters outside quotes) without its quotes and CRs, appended
// to `out`. The field starts outside quotes, as every field does.
void unquote(std::string_view raw, std::string& out) {
  bool quoted = false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char ch = raw[i];
    if (quoted) {
      if (ch == '"' && i + 1 < raw.size() && raw[i + 1] == '"') {
        out += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        out += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch != '\r') {
      out += ch;
    }
  }
}

}  // namespace

std::string_view trim_csv_space(std::string_view s) {
  // A plain loop: find_first_not_of looks each character up in the set with memchr, which took
  // more time than the rest of the split.
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  std::size_t first = 0, end = s.size();
  while (first < end && space(s[first])) ++first;
  while (end > first && space(s[end - 1])) --end;
  return s.substr(first, end - first);
}

void split_csv_line(std::string_view line, char delimiter, std::vector<std::string_view>& fields,
                    std::string& scratch) {
  fields.clear();
  scratch.clear();
  scratch.reserve(line.size());  // an unquoted field is never longer than its raw text
  std::size_t start = 0;
  bool quoted = false;   // every quote toggles: "" inside quotes leaves the state as it was
  bool rewrite = false;  // the field has a quote or a CR
  for (std::size_t i = 0;; ++i) {
    if (i == line.size() || (line[i] == delimiter && !quoted)) {
      const std::string_view raw = line.substr(start, i - start);
      if (rewrite) {
        const std::size_t begin = scratch.size();
        unquote(raw, scratch);
        fields.push_back(trim_csv_space(std::string_view(scratch).substr(begin)));
      } else {
        fields.push_back(trim_csv_space(raw));
      }
      if (i == line.size()) return;
      start = i + 1;
      rewrite = false;
    } else if (line[i] == '"') {
      quoted = !quoted;
      rewrite = true;
    } else if (line[i] == '\r') {
      rewrite = true;
    }
  }
}

void split_csv_line(std::string_view line, char delimiter, std::vector<std::string>& fields) {
  // One set of views per thread: the readers that call this once a line allocate nothing more.
  thread_local std::vector<std::string_view> views;
  thread_local std::string scratch;
  split_csv_line(line, delimiter, views, scratch);
  fields.resize(views.size());
  for (std::size_t i = 0; i < views.size(); ++i) fields[i].assign(views[i]);
}

std::vector<std::string> split_csv_line(const std::string& line, char delimiter) {
  std::vector<std::string> fields;
  split_csv_line(line, delimiter, fields);
  return fields;
}

}  // namespace assay::protocols
