// The dashboard: one self-contained HTML page (inline style and script, no external fetches),
// compiled in from daemon/web/dashboard.html.
#pragma once

#include <string_view>

namespace assay::daemon {

std::string_view dashboard_html();

}  // namespace assay::daemon
