// What the sections of a job report share: the input, the parsed job file, the result rows by
// kind, the readings that were analysed, and the flags met while writing (explained at the end).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "assay/protocols/job_spec.hpp"
#include "assay/protocols/report/job_report.hpp"

namespace assay::protocols::report {

struct ResultRow {
  std::string key;
  const nlohmann::json* value = nullptr;
};

struct ReportData {
  explicit ReportData(const JobReportInput& input);

  const JobReportInput& in;
  nlohmann::json summary;          // the job's summary, {} when it has none
  std::optional<JobSpec> spec;     // nullopt when the stored job file no longer parses
  std::string spec_error;
  int rows = 8, columns = 12;      // the plate
  std::map<std::string, std::vector<ResultRow>> rows_by_kind;
  // Readings that were analysed: a kinetic read's latest attempt, or every endpoint reading
  // (a later attempt's value replaces an earlier one's).
  std::vector<drivers::Reading> readings;
  std::set<std::string> flags;  // every flag shown, for the glossary
  int figure_count = 0;         // distinct SVG id prefixes

  const std::string& protocol() const { return protocol_; }
  const std::vector<ResultRow>& rows_of(const std::string& kind) const;
  const nlohmann::json* row(const std::string& kind, const std::string& key) const;
  // The layout entry of a well, or nullptr.
  const WellAssignment* well(const std::string& name) const;
  // "B3 positive_control" / "A1 balixafortide 10 nM" for tooltips and tables.
  std::string well_label(const std::string& name) const;
  // Records the flags of a JSON array (for the glossary) and returns them joined by ", ".
  std::string note_flags(const nlohmann::json& flags);
  std::string next_id_prefix();
  // Decoded, scaled to at most max_width_px wide and max_height_px high (0: no limit), and
  // encoded (JPEG) as a data: URI; nullopt when the file cannot be read or decoded.
  std::optional<std::string> image_uri(const std::string& path, int max_width_px, int max_height_px) const;

 private:
  std::string protocol_;
};

// The sections; each returns "" when it has nothing to show for this job.
std::string result_section(ReportData& data);
std::string qc_section(ReportData& data);
std::string plate_section(ReportData& data);
std::string dose_response_section(ReportData& data);
std::string kinetics_section(ReportData& data);
std::string colonies_section(ReportData& data);
std::string fields_section(ReportData& data);
std::string flags_section(ReportData& data);
std::string provenance_section(ReportData& data);

}  // namespace assay::protocols::report
