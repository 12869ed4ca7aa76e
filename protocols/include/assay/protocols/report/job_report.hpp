// The report of one job: a single self-contained HTML page (no external fetches; figures inlined
// as SVG, photographs as data: URIs) with what a scientist reads first: the result in words, QC
// (Z', S/B, CV, flags explained in words), plate heatmaps of the raw readout, a dose-response
// figure per compound with its IC50 and confidence interval, kinetic traces, colony overlays with
// a colour legend and counts per dish, and the job's provenance (instrument, settings, times,
// software version, simulation seed and truth).
//
// The page is built from the stored job as the API gives it (jobs.get, results.get rows,
// readings, images.list); it works for every built-in protocol and shows any other protocol's
// summary, rows and readings generically. Pure apart from `read_file`; safe from any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/drivers/readings.hpp"

namespace assay::protocols::report {

struct StoredReading {
  int attempt = 1;
  drivers::Reading reading;
};

struct JobReportInput {
  nlohmann::json job;     // jobs.get: job_id, state, times, spec, summary, truth, error
  nlohmann::json rows = nlohmann::json::array();    // results.get rows: kind, key, value
  std::vector<StoredReading> readings;              // in stored order
  nlohmann::json images = nlohmann::json::array();  // images.list: well, field, kind, path, ...
  nlohmann::json instrument;  // the instrument as instruments.list describes it now (or null)
  std::string software_version;  // of the program writing the report
  std::string generated_at;      // UTC, ISO 8601
  // The bytes of a stored file (a figure or an image path as the job records it); nullopt when it
  // cannot be read (the page then says so in words).
  std::function<std::optional<std::string>(const std::string& path)> read_file;
};

std::string render_job_report(const JobReportInput& input);

}  // namespace assay::protocols::report
