#include "assay/facility/queries.hpp"

namespace assay::facility {
namespace {

using nlohmann::json;

json json_or_null(const PgResult& r, int row, int column) {
  return r.is_null(row, column) ? json() : json::parse(r.text(row, column), nullptr, false);
}

std::pair<std::string, std::string> resolve(PgConnection& pg, const std::string& reference) {
  const auto slash = reference.find('/');
  if (slash != std::string::npos) {
    auto host = reference.substr(0, slash), job = reference.substr(slash + 1);
    if (pg.exec("SELECT 1 FROM assay.jobs WHERE host = $1 AND job_id = $2", {host, job}).rows() == 0) {
      throw FacilityNotFound("no job " + job + " of host " + host + " in the facility database");
    }
    return {host, job};
  }
  auto hosts = pg.exec("SELECT host FROM assay.jobs WHERE job_id = $1 ORDER BY host", {reference});
  if (hosts.rows() == 0) throw FacilityNotFound("no job " + reference + " in the facility database");
  if (hosts.rows() > 1) {
    std::string list;
    for (int i = 0; i < hosts.rows(); ++i) list += (i ? ", " : "") + hosts.text(i, 0) + "/" + reference;
    throw std::runtime_error("job " + reference + " exists on " + std::to_string(hosts.rows()) +
                             " hosts; name one: " + list);
  }
  return {hosts.text(0, 0), reference};
}

}  // namespace

json facility_jobs(PgConnection& pg, const FacilityJobFilter& filter) {
  auto r = pg.exec(
      "SELECT host, job_id, protocol, instrument, name, state, attempts, progress, submitted_at, finished_at "
      "FROM assay.jobs WHERE ($1 = '' OR host = $1) AND ($2 = '' OR state = $2) AND ($4 = '' OR instrument = $4) "
      "AND (NOT $5::boolean OR state IN ('queued', 'running', 'interrupted')) "
      "ORDER BY CASE WHEN $5::boolean THEN (state <> 'running')::int END, CASE WHEN $5::boolean THEN -priority END, "
      "CASE WHEN $5::boolean THEN submitted_at END, submitted_at DESC, host, job_id DESC LIMIT $3::int",
      {filter.host, filter.state, std::to_string(filter.limit), filter.instrument, filter.queue ? "true" : "false"});
  json jobs = json::array();
  for (int i = 0; i < r.rows(); ++i) {
    json job{{"host", r.text(i, 0)},         {"job_id", r.text(i, 1)},   {"protocol", r.text(i, 2)},
             {"instrument", r.text(i, 3)},   {"name", r.text(i, 4)},     {"state", r.text(i, 5)},
             {"attempts", std::stoi(r.text(i, 6))}, {"progress", std::stod(r.text(i, 7))},
             {"submitted_at", r.text(i, 8)}};
    if (!r.is_null(i, 9)) job["finished_at"] = r.text(i, 9);
    jobs.push_back(std::move(job));
  }
  return jobs;
}

json facility_job(PgConnection& pg, const std::string& reference) {
  auto [host, id] = resolve(pg, reference);
  auto r = pg.exec(
      "SELECT protocol, instrument, name, priority, state, attempts, progress, message, error_code, error, "
      "submitted_at, started_at, finished_at, summary, last_seq, "
      "(SELECT COUNT(*) FROM assay.readings x WHERE x.host = j.host AND x.job_id = j.job_id), "
      "(SELECT COUNT(*) FROM assay.images x WHERE x.host = j.host AND x.job_id = j.job_id), "
      "(SELECT COUNT(*) FROM assay.results x WHERE x.host = j.host AND x.job_id = j.job_id) "
      "FROM assay.jobs j WHERE host = $1 AND job_id = $2",
      {host, id});
  json job{{"host", host},         {"job_id", id},         {"protocol", r.text(0, 0)},
           {"instrument", r.text(0, 1)}, {"name", r.text(0, 2)}, {"priority", std::stoi(r.text(0, 3))},
           {"state", r.text(0, 4)},      {"attempts", std::stoi(r.text(0, 5))},
           {"progress", std::stod(r.text(0, 6))}, {"message", r.text(0, 7)},
           {"submitted_at", r.text(0, 10)}, {"last_seq", std::stoll(r.text(0, 14))},
           {"counts", {{"readings", std::stoll(r.text(0, 15))}, {"images", std::stoll(r.text(0, 16))},
                       {"results", std::stoll(r.text(0, 17))}}}};
  if (!r.text(0, 9).empty()) job["error"] = {{"code", r.text(0, 8)}, {"message", r.text(0, 9)}};
  if (!r.is_null(0, 11)) job["started_at"] = r.text(0, 11);
  if (!r.is_null(0, 12)) job["finished_at"] = r.text(0, 12);
  if (!r.is_null(0, 13)) job["summary"] = json_or_null(r, 0, 13);
  return job;
}

json facility_results(PgConnection& pg, const std::string& reference, const std::string& kind) {
  auto [host, id] = resolve(pg, reference);
  auto r = pg.exec("SELECT kind, key, value, attempt FROM assay.results WHERE host = $1 AND job_id = $2 "
                   "AND ($3 = '' OR kind = $3) ORDER BY kind, key",
                   {host, id, kind});
  json rows = json::array();
  for (int i = 0; i < r.rows(); ++i) {
    rows.push_back({{"kind", r.text(i, 0)}, {"key", r.text(i, 1)}, {"value", json_or_null(r, i, 2)},
                    {"attempt", std::stoi(r.text(i, 3))}});
  }
  return {{"host", host}, {"job_id", id}, {"rows", rows}};
}

}  // namespace assay::facility
