// The facility view's page: one self-contained HTML document (inline style and script, no
// external fetches), compiled in from facility/web/facility.html.
#pragma once

#include <string_view>

namespace assay::facility {

std::string_view facility_html();

}  // namespace assay::facility
