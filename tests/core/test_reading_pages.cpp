// Readings stored a page at a time (schema 6): every reading comes back exactly (the same
// doubles, bit for bit) and in arrival order through the `readings` view, readings.get paging and
// a resumed attempt; a reading delivered twice is stored once; events.since gives a reading event
// back as it was published; and a page append_readings returned from survives a kill -9.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/daemon/store.hpp"

using assay::daemon::Database;
using assay::daemon::Store;
using assay::drivers::Reading;

namespace {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

assay::protocols::JobSpec plate_job() {
  return assay::protocols::JobSpec::from_json({{"protocol", "plate_read"},
                                               {"instrument", "sim-reader"},
                                               {"plate", {{"format", "96"}}},
                                               {"layout", {{{"wells", "A1:H12"}}}}});
}

// A running job of `store` and its attempt.
std::pair<std::string, int> running_job(Store& store) {
  auto job = store.insert_job(plate_job()).job_id;
  REQUIRE(store.next_queued("sim-reader") == job);
  return {job, store.start_attempt(job)};
}

// Cycle `cycle` of a 96-well kinetic read with awkward doubles (17 significant digits, tiny,
// huge, negative zero), some saturated.
std::vector<Reading> page_of(int cycle, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> any(0.0, 70000.0);
  std::vector<Reading> page;
  for (int i = 0; i < 96; ++i) {
    std::string well = std::string(1, static_cast<char>('A' + i / 12)) + std::to_string(i % 12 + 1);
    double value = any(rng);
    if (i == 5) value = 1e-300;
    if (i == 6) value = 1.7976931348623157e308;
    if (i == 7) value = -0.0;
    if (i == 8) value = 3.0;  // integral: still a REAL
    page.push_back({well, "fl485-528", cycle, cycle * 1.0 + i * 0.000517 + 1.0 / 3.0, value, i % 17 == 0});
  }
  return page;
}

std::int64_t count(Database& db, const std::string& sql) {
  auto statement = db.prepare(sql);
  REQUIRE(statement.step());
  return statement.column_int(0);
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void check_same(const std::vector<Reading>& got, const std::vector<Reading>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("reading " << i);
    CHECK(got[i].well == want[i].well);
    CHECK(got[i].channel == want[i].channel);
    CHECK(got[i].cycle == want[i].cycle);
    CHECK(same_bits(got[i].time_s, want[i].time_s));
    CHECK(same_bits(got[i].value, want[i].value));
    CHECK(got[i].saturated == want[i].saturated);
  }
}

}  // namespace

TEST_CASE("readings stored a page at a time come back exactly and in arrival order") {
  TempDir dir("assay-reading-pages");
  std::mt19937_64 rng(3);
  std::vector<Reading> sent;
  std::string job;
  {
    Store store(dir.path / "assay.db");
    auto [id, attempt] = running_job(store);
    job = id;
    for (int cycle = 0; cycle < 5; ++cycle) {
      auto page = page_of(cycle, rng);
      store.append_readings(job, attempt, page);
      sent.insert(sent.end(), page.begin(), page.end());
    }
    CHECK(store.read_job_counts(job)["readings"] == 5 * 96);
    // readings.get pages through them by id without a gap or an overlap.
    std::vector<Reading> paged;
    std::int64_t after = 0;
    while (true) {
      auto page = store.read_readings(job, after, 70);
      if (page["rows"].empty()) break;
      for (const auto& row : page["rows"]) {
        CHECK(row[0] == attempt);
        paged.push_back({row[1], row[2], row[3], row[4], row[5], row[6]});
      }
      after = page["last_id"];
    }
    check_same(paged, sent);
    // A later attempt sees them all (a resumed read).
    check_same(store.readings_before_attempt(job, attempt + 1), sent);
  }
  // SQL users: the readings view has the old columns and types.
  Database db(dir.path / "assay.db", true);
  auto rows = db.prepare(
      "SELECT id, well, channel, cycle, time_s, value, saturated, typeof(time_s), typeof(value), typeof(cycle) "
      "FROM readings WHERE job_id = ? ORDER BY id");
  rows.bind(1, job);
  std::vector<Reading> viewed;
  std::int64_t previous_id = 0;
  while (rows.step()) {
    CHECK(rows.column_int(0) == previous_id + 1);
    previous_id = rows.column_int(0);
    CHECK(rows.column_text(7) == "real");
    CHECK(rows.column_text(8) == "real");
    CHECK(rows.column_text(9) == "integer");
    viewed.push_back({rows.column_text(1), rows.column_text(2), static_cast<int>(rows.column_int(3)),
                      rows.column_double(4), rows.column_double(5), rows.column_int(6) != 0});
  }
  check_same(viewed, sent);
  CHECK(count(db, "SELECT COUNT(*) FROM job_readings WHERE role = 'sample'") == 5 * 96);
}

TEST_CASE("a reading delivered twice within one attempt is stored and published once") {
  TempDir dir("assay-reading-twice");
  std::mt19937_64 rng(4);
  auto first = page_of(0, rng);
  auto second = page_of(1, rng);
  std::string job;
  int attempt = 0;
  std::vector<nlohmann::json> published;
  {
    Store store(dir.path / "assay.db");
    store.set_event_listener([&](const assay::daemon::StoredEvent& event) {
      if (event.topic.ends_with(".reading")) published.push_back(event.body());
    });
    std::tie(job, attempt) = running_job(store);
    store.append_readings(job, attempt, first);
    // Again half of the first page, then the second page with one of its own readings twice.
    std::vector<Reading> again(first.begin(), first.begin() + 48);
    again.insert(again.end(), second.begin(), second.end());
    again.push_back(second[10]);
    store.append_readings(job, attempt, again);
    CHECK(store.read_job_counts(job)["readings"] == 2 * 96);
    REQUIRE(published.size() == 2);
    CHECK(published[1]["rows"].size() == 96);
    CHECK(published[1]["rows"][0][2] == 1);  // the repeated part is left out
    // A page of nothing new stores nothing and publishes nothing.
    store.append_readings(job, attempt, first);
    CHECK(published.size() == 2);
  }
  {
    // A Store opened again (assayd restarted) still knows what the attempt stored.
    Store store(dir.path / "assay.db");
    store.append_readings(job, attempt, second);
    CHECK(store.read_job_counts(job)["readings"] == 2 * 96);
    // Another attempt of the job reads the plate again: those are new readings.
    store.append_readings(job, attempt + 1, first);
    CHECK(store.read_job_counts(job)["readings"] == 3 * 96);
  }
  Database db(dir.path / "assay.db", true);
  CHECK(count(db, "SELECT COUNT(*) FROM (SELECT 1 FROM readings GROUP BY job_id, attempt, well, channel, cycle "
                  "HAVING COUNT(*) > 1)") == 0);
}

TEST_CASE("events.since gives a reading event back as it was published") {
  TempDir dir("assay-reading-events");
  std::mt19937_64 rng(5);
  Store store(dir.path / "assay.db");
  auto [job, attempt] = running_job(store);
  std::vector<std::string> published;
  store.set_event_listener([&](const assay::daemon::StoredEvent& event) { published.push_back(*event.text); });
  const auto before = store.last_seq();
  store.append_readings(job, attempt, page_of(0, rng));
  store.set_progress(job, 0.5, "half");
  store.append_readings(job, attempt, page_of(1, rng));
  auto events = store.read_events_since(before, 10);
  REQUIRE(events.size() == 3);
  REQUIRE(published.size() == 3);
  for (std::size_t i = 0; i < events.size(); ++i) CHECK(*events[i].text == published[i]);
  auto body = events[0].body();
  CHECK(body["topic"] == "job." + job + ".reading");
  CHECK(body["columns"] == nlohmann::json({"well", "channel", "cycle", "time_s", "value", "saturated"}));
  CHECK(body["rows"].size() == 96);
  CHECK(store.read_events_since(before, 10, job).size() == 3);
}

TEST_CASE("a reading that is not a finite number is refused, naming the well") {
  TempDir dir("assay-reading-nan");
  Store store(dir.path / "assay.db");
  auto [job, attempt] = running_job(store);
  std::vector<Reading> page{{"A1", "abs590", 0, 0.1, 0.5, false}, {"B7", "abs590", 0, 0.2, NAN, false}};
  CHECK_THROWS_WITH(store.append_readings(job, attempt, page), Catch::Contains("well B7"));
  CHECK(store.read_job_counts(job)["readings"] == 0);
  // Nothing of the refused page counts as stored: it can be delivered again, fixed.
  page[1].value = 0.7;
  store.append_readings(job, attempt, page);
  CHECK(store.read_job_counts(job)["readings"] == 2);
}

TEST_CASE("readings append_readings returned from survive a kill -9, whole pages only") {
  TempDir dir("assay-reading-kill");
  const auto path = dir.path / "assay.db";
  std::string job;
  int attempt = 0;
  {
    Store store(path);
    std::tie(job, attempt) = running_job(store);
  }
  int acks[2];
  REQUIRE(::pipe(acks) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The writer: after each page is stored, tells the parent how many readings are acknowledged.
    ::close(acks[0]);
    Store store(path);
    std::mt19937_64 rng(6);
    for (int cycle = 0;; ++cycle) {
      store.append_readings(job, attempt, page_of(cycle, rng));
      const int acknowledged = (cycle + 1) * 96;
      if (::write(acks[1], &acknowledged, sizeof acknowledged) != sizeof acknowledged) ::_exit(1);
    }
  }
  ::close(acks[1]);
  int acknowledged = 0;
  while (acknowledged < 200 * 96) {
    REQUIRE(::read(acks[0], &acknowledged, sizeof acknowledged) == sizeof acknowledged);
  }
  ::kill(child, SIGKILL);  // mid-page, most likely
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  // Acknowledgements sent before the kill but not yet read count too.
  int more = 0;
  while (::read(acks[0], &more, sizeof more) == sizeof more) acknowledged = more;
  ::close(acks[0]);

  Store store(path);  // recovers the WAL
  const auto stored = store.read_job_counts(job)["readings"].get<std::int64_t>();
  INFO("acknowledged " << acknowledged << ", stored " << stored);
  CHECK(stored >= acknowledged);
  CHECK(stored % 96 == 0);  // a page is all there or not at all
  Database db(path, true);
  auto integrity = db.prepare("PRAGMA integrity_check");
  REQUIRE(integrity.step());
  CHECK(integrity.column_text(0) == "ok");
  CHECK(count(db, "SELECT COUNT(*) FROM readings WHERE job_id = '" + job + "'") == stored);
}
