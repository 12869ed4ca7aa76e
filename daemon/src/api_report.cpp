// report.get: the job's report page (protocols/report), built from what the store holds and the
// files the job wrote under the state folder. The store is read on the io thread; reading the
// files and drawing the page (seconds for a big plate) are left to the caller's thread.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "api_error.hpp"
#include "api_handler.hpp"
#include "assay/protocols/report/job_report.hpp"

namespace assay::daemon {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Figures and images larger than this are not inlined (a photograph of a dish is a few MB).
constexpr std::uintmax_t kMaxFileBytes = 64ull << 20;

// The bytes of a file the job recorded: a path relative to the state folder (images) or as the
// run wrote it (figures). Only files inside the state folder are read.
std::optional<std::string> read_job_file(const fs::path& state_dir, const std::string& recorded) {
  std::error_code error;
  const fs::path root = fs::weakly_canonical(state_dir, error);
  for (const fs::path& candidate : {state_dir / recorded, fs::path(recorded)}) {
    const fs::path path = fs::weakly_canonical(candidate, error);
    if (error || !fs::is_regular_file(path, error)) continue;
    auto [end, rest] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    if (end != root.end()) continue;  // outside the state folder
    if (fs::file_size(path, error) > kMaxFileBytes || error) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in && !in.eof()) return std::nullopt;
    return bytes.str();
  }
  return std::nullopt;
}

}  // namespace

ApiHandler::Deferred ApiHandler::report(const json& request) {
  if (!request.contains("job_id")) throw ApiError("missing_field", "field 'job_id' is required");
  if (!request.at("job_id").is_string()) throw ApiError("wrong_type", "field 'job_id' must be a string");
  const auto job_id = request.at("job_id").get<std::string>();
  auto job = store_.read_job(job_id);
  if (!job) throw ApiError("not_found", "no job '" + job_id + "'; `assayctl jobs` lists them");

  protocols::report::JobReportInput input;
  input.job = job->to_json(true);
  input.rows = store_.read_results(job->id, "");
  std::int64_t after = 0;
  while (true) {
    auto page = store_.read_readings(job->id, after, 200000);
    if (page["rows"].empty()) break;
    for (const auto& r : page["rows"]) {
      input.readings.push_back({r[0].get<int>(),
                                {r[1].get<std::string>(), r[2].get<std::string>(), r[3].get<int>(),
                                 r[4].get<double>(), r[5].get<double>(), r[6].get<bool>()}});
    }
    after = page["last_id"].get<std::int64_t>();
  }
  input.images = store_.read_images(job->id);
  if (auto* worker = scheduler_.find(job->instrument)) input.instrument = worker->describe();
  input.software_version = ASSAY_VERSION;
  input.generated_at = utc_now();
  const fs::path state_dir = state_dir_;
  input.read_file = [state_dir](const std::string& path) { return read_job_file(state_dir, path); };
  return [input = std::move(input), id = job->id, state = to_string(job->state)] {
    auto html = protocols::report::render_job_report(input);
    return json{{"job_id", id}, {"state", state}, {"bytes", html.size()}, {"html", std::move(html)}};
  };
}

}  // namespace assay::daemon
