// Readings stored per second from a simulated 1536-well kinetic read, through the daemon's Store
// (real SQLite file, WAL, the daemon's pragmas), beside plain sqlite3 inserting the same readings
// in the same run.
//
//   build/bin/bench_readings [cycles=600] [parts=store,stream,sqlite3,unique] [dir=/tmp]
//
// The simulated reader (time_scale 0) reads `cycles` cycles of 1536 wells into memory first; then
//  - store: Store::append_readings page by page (one page = one cycle, as the reader delivers
//    them), with an event listener that hands each event to a second thread which serialises it,
//    as assayd's io thread does before PUB;
//  - stream: the simulated reader's sink stores each page as it is read, as assayd's worker does
//    (simulation and storage one after the other on one thread);
//  - sqlite3: one INSERT per reading, prepared once, one transaction per page, into a table of
//    the first readings layout (row per reading) without its UNIQUE key: SQLite at best row by row;
//  - unique: the same with the UNIQUE key (well before cycle), the layout of schema 1-5. Each
//    commit rewrites most of that index, so it slows down as the table grows: it runs on the
//    first 100 cycles only.
// Each figure is readings / wall seconds from the first page to the last commit.
#include <sqlite3.h>
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "assay/daemon/store.hpp"
#include "assay/drivers/sim/sim_plate_reader.hpp"
#include "assay/protocols/calcium/protocol.hpp"
#include "calcium_plate_1536.hpp"

namespace {

namespace fs = std::filesystem;
using namespace assay;
using Page = std::vector<drivers::Reading>;
using clock_type = std::chrono::steady_clock;

// CPU seconds of the whole process (every thread): steadier than wall time on a shared machine.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::vector<Page> simulate(int cycles, double& seconds) {
  auto plate = bench::make_calcium_plate_1536();  // the 1536-well layout and params
  plate.params.duration_s = cycles;               // interval 1 s: one cycle a second
  auto settings = drivers::sim::SimPlateReaderSettings::from_json(
      {{"time_scale", 0.0}, {"fast_interval_factor", 1.0}, {"seed", 7}});
  drivers::sim::SimPlateReader reader("sim-reader", settings.value());
  (void)reader.connect();
  (void)reader.load_plate(plate.spec.loaded_plate());
  std::vector<Page> pages;
  auto start = clock_type::now();
  auto status = reader.read_kinetic_fluorescence(
      protocols::calcium::kinetic_plan(plate.params, {}),
      [&](std::span<const drivers::Reading> page) {
        pages.emplace_back(page.begin(), page.end());
        return drivers::Status::ok();
      },
      {}, {});
  seconds = seconds_since(start);
  if (!status) {
    std::fprintf(stderr, "simulated read failed: %s\n", status.to_string().c_str());
    std::exit(1);
  }
  return pages;
}

// Takes each event to a second thread, as assayd hands them to its io thread.
class EventSink {
 public:
  EventSink() : thread_([this] { run(); }) {}
  ~EventSink() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void push(const daemon::StoredEvent& event) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::make_shared<daemon::StoredEvent>(event));
    }
    cv_.notify_one();
  }
  std::size_t bytes() const { return bytes_; }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      cv_.wait(lock, [this] { return done_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto event = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      bytes_ += event->text->size();  // what the io thread sends
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<daemon::StoredEvent>> queue_;
  bool done_ = false;
  std::size_t bytes_ = 0;
  std::thread thread_;
};

std::size_t count_readings(const std::vector<Page>& pages) {
  std::size_t n = 0;
  for (const auto& page : pages) n += page.size();
  return n;
}

double file_mb(const fs::path& db) {
  double bytes = 0;
  for (const char* suffix : {"", "-wal"}) {
    fs::path p = db.string() + suffix;
    if (fs::exists(p)) bytes += static_cast<double>(fs::file_size(p));
  }
  return bytes / 1e6;
}

void report(const char* what, std::size_t readings, double seconds, double cpu_s, const fs::path& db) {
  std::printf("%-40s %8zu readings in %6.3f s = %8.0f readings/s (%.2f us each); per CPU second %8.0f; "
              "db+wal %.0f MB\n",
              what, readings, seconds, readings / seconds, seconds / readings * 1e6, readings / cpu_s, file_mb(db));
}

// A job of `plate` in a fresh store at `db`, its readings written by `fill(store, job, attempt)`
// (false: failed) and timed, wall and CPU; the stored count is reported, and returned.
template <typename Fill>
std::size_t timed_store_run(const char* what, const bench::CalciumPlate1536& plate, const fs::path& db, Fill fill) {
  std::size_t stored = 0;
  double seconds = 0;
  double cpu_s = 0;
  {
    daemon::Store store(db);
    EventSink sink;
    store.set_event_listener([&](const daemon::StoredEvent& event) { sink.push(event); });
    auto job = store.insert_job(plate.spec).job_id;
    (void)store.next_queued("sim-reader");
    int attempt = store.start_attempt(job);
    auto start = clock_type::now();
    const double cpu_start = cpu_seconds();
    const bool ok = fill(store, job, attempt);
    seconds = seconds_since(start);
    cpu_s = cpu_seconds() - cpu_start;
    if (!ok) std::exit(1);
    stored = static_cast<std::size_t>(store.read_job_counts(job).at("readings").get<std::int64_t>());
  }
  report(what, stored, seconds, cpu_s, db);
  return stored;
}

void bench_store(const std::vector<Page>& pages, const fs::path& dir) {
  const std::size_t stored = timed_store_run(
      "store (Store::append_readings)", bench::make_calcium_plate_1536(), dir / "store.db",
      [&](daemon::Store& store, const std::string& job, int attempt) {
        for (const auto& page : pages) store.append_readings(job, attempt, page);
        return true;
      });
  if (stored != count_readings(pages)) {
    std::fprintf(stderr, "store: %zu readings stored of %zu\n", stored, count_readings(pages));
    std::exit(1);
  }
}

void bench_stream(int cycles, const fs::path& dir) {
  auto plate = bench::make_calcium_plate_1536();
  plate.params.duration_s = cycles;
  auto settings = drivers::sim::SimPlateReaderSettings::from_json(
      {{"time_scale", 0.0}, {"fast_interval_factor", 1.0}, {"seed", 7}});
  drivers::sim::SimPlateReader reader("sim-reader", settings.value());
  (void)reader.connect();
  (void)reader.load_plate(plate.spec.loaded_plate());
  timed_store_run("stream (simulated read into the store)", plate, dir / "stream.db",
                  [&](daemon::Store& store, const std::string& job, int attempt) {
                    return static_cast<bool>(reader.read_kinetic_fluorescence(
                        protocols::calcium::kinetic_plan(plate.params, {}),
                        [&](std::span<const drivers::Reading> page) {
                          store.append_readings(job, attempt, page);
                          return drivers::Status::ok();
                        },
                        {}, {}));
                  });
}

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite3: %s in %s\n", error, sql);
    std::exit(1);
  }
}

void bench_sqlite3(const std::vector<Page>& pages, const fs::path& dir, bool unique_key) {
  const auto path = dir / (unique_key ? "plain_unique.db" : "plain.db");
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  exec(db, "PRAGMA journal_mode=WAL");
  exec(db, "PRAGMA synchronous=NORMAL");
  exec(db, "PRAGMA foreign_keys=ON");
  exec(db, unique_key ? "CREATE TABLE readings (id INTEGER PRIMARY KEY, job_id TEXT NOT NULL, attempt INTEGER NOT NULL, "
                        "well TEXT NOT NULL, channel TEXT NOT NULL, cycle INTEGER NOT NULL, time_s REAL NOT NULL, "
                        "value REAL NOT NULL, saturated INTEGER NOT NULL, UNIQUE (job_id, attempt, well, channel, cycle))"
                      : "CREATE TABLE readings (id INTEGER PRIMARY KEY, job_id TEXT NOT NULL, attempt INTEGER NOT NULL, "
                        "well TEXT NOT NULL, channel TEXT NOT NULL, cycle INTEGER NOT NULL, time_s REAL NOT NULL, "
                        "value REAL NOT NULL, saturated INTEGER NOT NULL)");
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO readings (job_id, attempt, well, channel, cycle, time_s, value, saturated) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &insert, nullptr);
  auto start = clock_type::now();
  const double cpu_start = cpu_seconds();
  for (const auto& page : pages) {
    exec(db, "BEGIN IMMEDIATE");
    for (const auto& r : page) {
      sqlite3_bind_text(insert, 1, "J000001", 7, SQLITE_STATIC);
      sqlite3_bind_int(insert, 2, 1);
      sqlite3_bind_text(insert, 3, r.well.data(), static_cast<int>(r.well.size()), SQLITE_STATIC);
      sqlite3_bind_text(insert, 4, r.channel.data(), static_cast<int>(r.channel.size()), SQLITE_STATIC);
      sqlite3_bind_int(insert, 5, r.cycle);
      sqlite3_bind_double(insert, 6, r.time_s);
      sqlite3_bind_double(insert, 7, r.value);
      sqlite3_bind_int(insert, 8, r.saturated);
      if (sqlite3_step(insert) != SQLITE_DONE) {
        std::fprintf(stderr, "sqlite3: %s\n", sqlite3_errmsg(db));
        std::exit(1);
      }
      sqlite3_reset(insert);
    }
    exec(db, "COMMIT");
  }
  double seconds = seconds_since(start);
  const double cpu_s = cpu_seconds() - cpu_start;
  sqlite3_finalize(insert);
  sqlite3_close(db);
  report(unique_key ? "sqlite3 (row per reading, UNIQUE key)" : "sqlite3 (row per reading, no index)",
         count_readings(pages), seconds, cpu_s, path);
}

}  // namespace

int main(int argc, char** argv) {
  const int cycles = argc > 1 ? std::atoi(argv[1]) : 600;
  const std::string parts = argc > 2 ? argv[2] : "store,stream,sqlite3,unique";
  const fs::path parent = argc > 3 ? argv[3] : "/tmp";
  const fs::path dir = parent / ("assay-bench-readings-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  double simulate_s = 0;
  auto pages = simulate(cycles, simulate_s);
  std::printf("simulated reader: %zu pages of %zu wells (%zu readings) in %.3f s = %.0f readings/s\n",
              pages.size(), pages.front().size(), count_readings(pages), simulate_s,
              count_readings(pages) / simulate_s);
  if (parts.find("store") != std::string::npos) bench_store(pages, dir);
  if (parts.find("stream") != std::string::npos) bench_stream(cycles, dir);
  if (parts.find("sqlite3") != std::string::npos) bench_sqlite3(pages, dir, false);
  if (parts.find("unique") != std::string::npos) {
    pages.resize(std::min<std::size_t>(pages.size(), 100));
    bench_sqlite3(pages, dir, true);
  }
  fs::remove_all(dir);
  return 0;
}
