// Splitting one line of a CSV file, shared by every CSV the offline tools read (dose tables,
// readings, counts). Pure function, thread-safe.
#pragma once

#include <string>
#include <vector>

namespace assay::protocols {

// Fields of one line: RFC 4180 quotes ("" inside quotes is a quote), a trailing CR dropped,
// spaces and tabs around each field trimmed. An empty line is one empty field.
std::vector<std::string> split_csv_line(const std::string& line, char delimiter = ',');

}  // namespace assay::protocols
