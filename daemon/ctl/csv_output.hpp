// CSV output of JSON rows for assayctl: nested objects flatten to dotted column names, arrays to
// ';'-joined text, columns are the union over all rows in first-seen order. RFC 4180 quoting.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace assay::ctl {

std::string csv_field(const std::string& text);
// `leading` columns come first, in the given order.
void write_csv(std::ostream& out, const std::vector<nlohmann::json>& rows,
               const std::vector<std::string>& leading = {});
// The tidy long form: one line per value, `leading` columns of each row (kept as they are) then
// `field` (the dotted name) and `value`. Rows of different shapes share one header.
void write_long_csv(std::ostream& out, const std::vector<nlohmann::json>& rows,
                    const std::vector<std::string>& leading);

}  // namespace assay::ctl
