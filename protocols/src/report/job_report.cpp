// The page of a job report: head and style, the sections in reading order, the footer.
#include "assay/protocols/report/job_report.hpp"

#include <map>

#include "html.hpp"
#include "report_data.hpp"

namespace assay::protocols::report {
namespace {

const char* kStyle = R"(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1180px;
       padding: 16px 24px 40px; color: #1a1a1a; line-height: 1.4; }
header { border-bottom: 2px solid #333; margin-bottom: 12px; }
h1 { font-size: 1.5em; margin: 8px 0 2px; }
h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; padding-bottom: 2px; margin-top: 28px; }
h3 { font-size: 1.0em; margin: 16px 0 4px; }
.state { display: inline-block; padding: 1px 8px; border-radius: 4px; color: white; font-size: 0.85em; }
.state-succeeded { background: #2a7d2a; } .state-failed { background: #b22222; }
.state-cancelled, .state-interrupted { background: #8a6d00; } .state-queued, .state-running { background: #3465a4; }
nav a { margin-right: 12px; font-size: 0.9em; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
figure { margin: 10px 0 18px; display: inline-block; vertical-align: top; }
figcaption { font-size: 0.85em; color: #444; max-width: 760px; }
figure svg, figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figure.dish { width: 560px; margin-right: 12px; } .dish img { max-width: 560px; }
.pass { color: #2a7d2a; font-weight: bold; } .fail { color: #b22222; font-weight: bold; }
.legend span { display: inline-block; margin-right: 14px; font-size: 0.9em; }
.swatch { display: inline-block; width: 14px; height: 14px; border: 1px solid #555; vertical-align: middle; margin-right: 4px; }
pre { background: #f6f6f6; padding: 8px; font-size: 0.8em; overflow-x: auto; max-height: 420px; }
.note { color: #555; font-size: 0.9em; }
.error { color: #b22222; }
footer { margin-top: 30px; font-size: 0.8em; color: #666; border-top: 1px solid #ccc; padding-top: 6px; }
)";

std::string header_html(const ReportData& data) {
  const auto& job = data.in.job;
  const std::string id = job.value("job_id", std::string("?"));
  const std::string state = job.value("state", std::string("?"));
  std::string out = "<header>\n<h1>Job " + escape_html(id) + ": " + escape_html(data.protocol()) + " <span class=\"state state-" +
                    escape_html(state) + "\">" + escape_html(state) + "</span></h1>\n";
  if (!job.value("name", std::string()).empty()) out += paragraph(job.value("name", std::string()));
  std::string line = "on " + job.value("instrument", std::string("?"));
  if (data.spec) {
    line += ", " + data.spec->plate.name + (data.spec->plate.name.find('-') == std::string::npos ? "-well plate" : " plate");
    if (!data.spec->plate_barcode.empty()) line += " " + data.spec->plate_barcode;
  }
  if (job.contains("finished_at")) line += ", finished " + job.value("finished_at", std::string());
  out += paragraph(line, "note");
  if (job.contains("error") && job.at("error").is_object()) {
    out += paragraph("Failed (" + job.at("error").value("code", std::string()) + "): " +
                         job.at("error").value("message", std::string()),
                     "error");
  }
  return out + "</header>\n";
}

}  // namespace

std::string render_job_report(const JobReportInput& input) {
  ReportData data(input);
  // Sections first (they record the flags they show), then the page around them.
  std::vector<std::pair<std::string, std::string>> sections;  // id, html
  auto add = [&](const char* id, std::string html) {
    if (!html.empty()) sections.emplace_back(id, std::move(html));
  };
  add("result", result_section(data));
  add("qc", qc_section(data));
  add("plate", plate_section(data));
  add("dose-response", dose_response_section(data));
  add("kinetics", kinetics_section(data));
  add("colonies", colonies_section(data));
  add("fields", fields_section(data));
  add("flags", flags_section(data));
  add("provenance", provenance_section(data));

  const std::string id = input.job.value("job_id", std::string("?"));
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<meta name=\"generator\" content=\"assayd " + escape_html(input.software_version) + "\">\n"
                     "<title>assayd report: job " + escape_html(id) + " (" + escape_html(data.protocol()) + ")</title>\n"
                     "<style>" + kStyle + "</style>\n</head>\n<body>\n";
  page += header_html(data);
  static const std::map<std::string, std::string> titles{
      {"result", "Result"}, {"qc", "Quality control"}, {"plate", "Plate"}, {"dose-response", "Dose response"},
      {"kinetics", "Kinetic traces"}, {"colonies", "Colonies"}, {"fields", "Fields"}, {"flags", "Flags"},
      {"provenance", "Provenance"}};
  page += "<nav>";
  for (const auto& [sid, html] : sections) page += "<a href=\"#" + sid + "\">" + escape_html(titles.at(sid)) + "</a>";
  page += "</nav>\n";
  for (const auto& [sid, html] : sections) page += html;
  page += "<footer>Written by assayd " + escape_html(input.software_version) + " at " + escape_html(input.generated_at) +
          " from the stored job, results and readings. Self-contained: figures are inline.</footer>\n";
  return page + "</body>\n</html>\n";
}

}  // namespace assay::protocols::report
