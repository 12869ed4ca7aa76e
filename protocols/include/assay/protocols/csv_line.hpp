// Splitting one line of a CSV file, shared by every CSV the offline tools read (dose tables,
// readings, counts). Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace assay::protocols {

// Fields of one line: RFC 4180 quotes ("" inside quotes is a quote), a CR outside quotes dropped
// (so a CRLF line ending is), spaces and tabs around each field trimmed. An empty line is one
// empty field.
std::vector<std::string> split_csv_line(const std::string& line, char delimiter = ',');

// The same into `fields`, which is resized to the number of fields. Its strings keep their
// storage, so a reader that passes one vector for every line of a file allocates only while
// its fields grow.
void split_csv_line(std::string_view line, char delimiter, std::vector<std::string>& fields);

// The same fields as views, for readers of large tables: a plain field is a view into `line`,
// no copy. Only a field with a quote or a CR in it is rewritten, into `scratch` (its content is
// replaced; it is reserved to the line's length first, so the views into it stay valid). The
// views last as long as `line` and until the next call with the same `scratch`.
void split_csv_line(std::string_view line, char delimiter, std::vector<std::string_view>& fields,
                    std::string& scratch);

// `s` without the spaces, tabs and CRs around it, as each field is trimmed.
std::string_view trim_csv_space(std::string_view s);

}  // namespace assay::protocols
