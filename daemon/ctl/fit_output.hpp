// What `assayctl fit` prints for each curve, as text appended to a buffer: a CSV row, or one
// element of the JSON array (byte for byte what nlohmann's dump(2) gives for the array of fits).
// Each curve's text depends on that curve alone, so the pieces can be written on any thread and
// joined in curve order.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "assay/protocols/fit/dose_response.hpp"
#include "assay/protocols/fit/fit_json_text.hpp"

namespace assay::ctl {

// The CSV header line and one row a fit; `group` is empty without a group column.
void append_fit_csv_header(std::string& out);
void append_fit_csv_row(std::string& out, std::string_view group,
                        const protocols::fit::DoseResponseFit& fit);

// The JSON document is "[" + the elements in order + "\n]\n". The element of curve `index`
// carries `labels` (x_column, y_column, group) as string members.
inline constexpr std::string_view kFitJsonOpen = "[";
inline constexpr std::string_view kFitJsonClose = "\n]\n";
void append_fit_json_element(std::string& out, std::size_t index,
                             const protocols::fit::DoseResponseFit& fit,
                             const protocols::fit::FitLabels& labels);

}  // namespace assay::ctl
