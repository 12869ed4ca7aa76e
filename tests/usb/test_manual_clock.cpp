// The test clock behind the driver tests: sleeps end exactly at their deadline, never before, and
// no sleeper is left behind when time moves past it.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <map>
#include <stop_token>
#include <vector>

#include "assay/drivers/manual_clock.hpp"

using namespace assay::drivers;
using namespace std::chrono_literals;

TEST_CASE("a run-ahead sleep returns at once with the clock at its deadline") {
  ManualClock clock;
  const auto started = std::chrono::steady_clock::now();
  CHECK(clock.sleep_for(40s));
  CHECK(clock.elapsed() == 40s);
  CHECK(clock.sleep_until(clock.now() - 1s));  // a deadline already past: no time passes
  CHECK(clock.elapsed() == 40s);
  CHECK(std::chrono::steady_clock::now() - started < 40s);
}

TEST_CASE("actions run in time order at exactly their time, and a stop they request ends the sleep then") {
  ManualClock clock;
  std::vector<std::pair<int, Clock::duration>> ran;
  std::stop_source stop;
  clock.after(300ms, [&] { ran.emplace_back(3, clock.elapsed()); });
  clock.after(100ms, [&] { ran.emplace_back(1, clock.elapsed()); });
  clock.after(200ms, [&] {
    ran.emplace_back(2, clock.elapsed());
    stop.request_stop();
  });
  CHECK_FALSE(clock.sleep_for(1s, stop.get_token()));
  CHECK(clock.elapsed() == 200ms);
  CHECK(ran == std::vector<std::pair<int, Clock::duration>>{{1, 100ms}, {2, 200ms}});
  clock.advance(1s);
  CHECK(ran.size() == 3);
  CHECK(ran.back() == std::pair<int, Clock::duration>{3, 300ms});
  CHECK(clock.elapsed() == 1200ms);
}

TEST_CASE("a held sleeper wakes when the clock reaches its deadline, not before") {
  ManualClock clock(ManualClock::Sleeps::held);
  const auto deadline = clock.now() + 100ms;
  Clock::time_point woke_at{};
  auto sleeper = std::async(std::launch::async, [&] {
    bool reached = clock.sleep_until(deadline);
    woke_at = clock.now();
    return reached;
  });
  clock.wait_for_sleepers(1);
  clock.advance(99ms);
  CHECK(clock.sleepers() == 1);  // advance() returns only once the sleepers it woke have left
  CHECK(sleeper.wait_for(0s) == std::future_status::timeout);
  clock.advance(1ms);
  CHECK(clock.sleepers() == 0);
  CHECK(sleeper.get());
  CHECK(woke_at == deadline);
}

TEST_CASE("several held sleepers each wake as time passes their own deadline") {
  ManualClock clock(ManualClock::Sleeps::held);
  const auto start = clock.now();
  std::map<int, std::future<bool>> sleepers;
  for (int ms : {30, 10, 20}) {
    sleepers[ms] = std::async(std::launch::async, [&clock, deadline = start + std::chrono::milliseconds(ms)] {
      return clock.sleep_until(deadline);
    });
  }
  clock.wait_for_sleepers(3);
  clock.advance(15ms);
  CHECK(clock.sleepers() == 2);
  REQUIRE(sleepers[10].wait_for(5s) == std::future_status::ready);
  CHECK(sleepers[20].wait_for(0s) == std::future_status::timeout);
  CHECK(sleepers[30].wait_for(0s) == std::future_status::timeout);
  // One advance past both remaining deadlines wakes both.
  clock.advance(15ms);
  CHECK(clock.sleepers() == 0);
  for (auto& [ms, sleeper] : sleepers) {
    INFO("sleeper until " << ms << " ms");
    REQUIRE(sleeper.wait_for(5s) == std::future_status::ready);
    CHECK(sleeper.get());
  }
  CHECK(clock.elapsed() == 30ms);
}

TEST_CASE("a stop request ends a held sleep at once and leaves the clock where it is") {
  ManualClock clock(ManualClock::Sleeps::held);
  std::stop_source stop;
  auto sleeper = std::async(std::launch::async, [&] { return clock.sleep_for(1h, stop.get_token()); });
  clock.wait_for_sleepers(1);
  stop.request_stop();
  REQUIRE(sleeper.wait_for(5s) == std::future_status::ready);  // real seconds: a hang fails here
  CHECK_FALSE(sleeper.get());
  CHECK(clock.elapsed() == 0s);
  CHECK(clock.sleepers() == 0);
}

TEST_CASE("no wakeup is lost when time moves while a sleeper is just going to sleep") {
  // The advance races the sleeper's entry into sleep_until: before it, during it or after it,
  // the sleeper must come back. A lost wakeup shows as a sleeper still blocked after 5 s.
  ManualClock clock(ManualClock::Sleeps::held);
  int lost = 0;
  for (int i = 0; i < 500 && lost == 0; ++i) {
    std::stop_source rescue;
    const auto deadline = clock.now() + 1ms;
    auto sleeper = std::async(std::launch::async, [&] { return clock.sleep_until(deadline, rescue.get_token()); });
    clock.advance(1ms);
    if (sleeper.wait_for(5s) != std::future_status::ready) {
      ++lost;
      rescue.request_stop();
    }
    CHECK(sleeper.get());
  }
  CHECK(lost == 0);
  CHECK(clock.sleepers() == 0);
}

TEST_CASE("the real clock sleeps in real time and a stop already requested ends a sleep at once") {
  Clock& clock = real_clock();
  const auto before = clock.now();
  CHECK(clock.sleep_for(2ms));
  CHECK(clock.now() - before >= 2ms);
  std::stop_source stop;
  stop.request_stop();
  CHECK_FALSE(clock.sleep_for(1h, stop.get_token()));  // a lost stop would hang here
}
