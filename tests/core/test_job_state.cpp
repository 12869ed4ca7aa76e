// JobState's text form is the one the schema accepts: the CHECK on jobs.state and the enum list
// the same names, so a state added to one and not the other fails here, not in a lab.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <set>

#include <unistd.h>

#include "assay/daemon/job_state.hpp"
#include "assay/daemon/store.hpp"

using assay::daemon::JobState;

TEST_CASE("every job state round-trips through its text and nothing else parses") {
  for (auto state : assay::daemon::kJobStates) {
    CHECK(assay::daemon::parse_job_state(assay::daemon::to_string(state)) == state);
  }
  CHECK_FALSE(assay::daemon::parse_job_state("done"));
  CHECK_FALSE(assay::daemon::parse_job_state("Queued"));
  CHECK(assay::daemon::job_state_names() == "queued, running, waiting, succeeded, failed, cancelled or interrupted");
  CHECK(assay::daemon::is_final(JobState::cancelled));
  CHECK_FALSE(assay::daemon::is_final(JobState::interrupted));
}

TEST_CASE("the schema's CHECK on jobs.state lists exactly the JobState names") {
  auto dir = std::filesystem::temp_directory_path() / ("assay-job-state-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    assay::daemon::Store store(dir / "assay.db");
  }
  std::string sql;
  {
    assay::daemon::Database db(dir / "assay.db", true);
    auto statement = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'jobs'");
    REQUIRE(statement.step());
    sql = statement.column_text(0);
  }
  std::filesystem::remove_all(dir);
  std::smatch list;
  REQUIRE(std::regex_search(sql, list, std::regex(R"(CHECK \(state IN\s*\(([^)]*)\))")));
  std::set<std::string> in_schema;
  auto names = list[1].str();
  const std::regex quoted("'([a-z_]+)'");
  for (std::sregex_iterator it(names.begin(), names.end(), quoted), end; it != end; ++it) {
    in_schema.insert((*it)[1].str());
  }
  std::set<std::string> in_enum;
  for (auto state : assay::daemon::kJobStates) in_enum.insert(assay::daemon::to_string(state));
  CHECK(in_schema == in_enum);
}
