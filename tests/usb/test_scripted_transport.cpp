#include <catch2/catch.hpp>

#include <future>

#include "assay/drivers/manual_clock.hpp"
#include "assay/drivers/scripted_transport.hpp"

using namespace assay::drivers;
using namespace std::chrono_literals;

namespace {
using Bytes = std::vector<std::uint8_t>;
const Bytes request{0x02, 0x00, 0x09, 0x0C, 0x80, 0x00, 0x00, 0x97, 0x0D};
const Bytes reply{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

Bytes read_all(ScriptedTransport& t, std::size_t max = 100) {
  Bytes out;
  for (;;) {
    auto r = t.read(max, 20ms);
    if (!r) break;
    out.insert(out.end(), r->begin(), r->end());
  }
  return out;
}
}  // namespace

TEST_CASE("a scripted exchange checks the request and plays the reply") {
  ScriptedTransport t;
  t.expect({request, reply, {}, "status"});
  REQUIRE(t.write(request, 100ms).is_ok());
  CHECK(read_all(t) == reply);
  CHECK(t.script_left() == 0);
  CHECK(t.mismatch().empty());
}

TEST_CASE("a request that differs from the script fails and says what was expected") {
  ScriptedTransport t;
  t.expect({request, reply, {}, "status"});
  Bytes other = request;
  other[4] = 0x81;
  Status s = t.write(other, 100ms);
  CHECK(s.code() == StatusCode::io_error);
  CHECK_THAT(t.mismatch(), Catch::Contains("status") && Catch::Contains("0200090c80"));
}

TEST_CASE("a silent device makes reads time out after the requested time, not before") {
  ManualClock clock;
  ScriptedTransport t(clock);
  t.expect({request, reply, ReplyFault::silent(), "no answer"});
  REQUIRE(t.write(request, 100ms).is_ok());
  auto r = t.read(10, 150ms);
  CHECK(r.status().code() == StatusCode::timeout);
  CHECK(clock.elapsed() == 150ms);
}

TEST_CASE("a delayed reply is readable exactly when it is due") {
  ManualClock clock;
  ScriptedTransport t(clock);
  t.expect({{}, reply, ReplyFault::delayed(120ms), "late"});
  REQUIRE(t.write(request, 100ms).is_ok());
  CHECK(t.read(100, 50ms).status().code() == StatusCode::timeout);
  CHECK(clock.elapsed() == 50ms);
  auto late = t.read(100, 200ms);
  REQUIRE(late.is_ok());
  CHECK(*late == reply);
  CHECK(clock.elapsed() == 120ms);
}

TEST_CASE("an unplug due while a read waits ends that read at the moment of the unplug") {
  ManualClock clock;
  ScriptedTransport t(clock);
  clock.after(100ms, [&] { t.unplug(); });
  auto r = t.read(10, 5s);
  CHECK(r.status().code() == StatusCode::disconnected);
  CHECK(clock.elapsed() == 100ms);
}

TEST_CASE("faults: short reads, bytes missing from the middle, stalls and delays") {
  ManualClock clock;
  ScriptedTransport t(clock);
  t.expect({{}, reply, ReplyFault::short_reads(5), "chunks"});
  REQUIRE(t.write(request, 100ms).is_ok());
  auto first = t.read(100, 50ms);
  REQUIRE(first.is_ok());
  CHECK(first->size() == 5);
  CHECK(read_all(t).size() == reply.size() - 5);

  t.expect({{}, reply, ReplyFault::drop_middle(4), "lossy"});
  REQUIRE(t.write(request, 100ms).is_ok());
  Bytes got = read_all(t);
  CHECK(got == Bytes{1, 2, 3, 4, 9, 10, 11, 12});

  t.expect({{}, reply, ReplyFault::stall(), "stall"});
  CHECK(t.write(request, 100ms).code() == StatusCode::io_error);

  t.expect({{}, reply, ReplyFault::delayed(120ms), "late"});
  REQUIRE(t.write(request, 100ms).is_ok());
  const auto written = clock.now();
  CHECK(t.read(100, 50ms).status().code() == StatusCode::timeout);
  auto late = t.read(100, 200ms);
  REQUIRE(late.is_ok());
  CHECK(*late == reply);
  CHECK(clock.now() - written == 120ms);
}

TEST_CASE("a device that vanishes mid-reply gives disconnected and stays gone until replugged") {
  ScriptedTransport t;
  t.expect({{}, reply, ReplyFault::disconnect_after(6), "vanish"});
  REQUIRE(t.write(request, 100ms).is_ok());
  auto part = t.read(100, 50ms);
  REQUIRE(part.is_ok());
  CHECK(part->size() == 6);
  CHECK(t.read(100, 50ms).status().code() == StatusCode::disconnected);
  CHECK_FALSE(t.is_connected());
  CHECK(t.write(request, 100ms).code() == StatusCode::disconnected);
  t.replug();
  CHECK(t.is_connected());
}

TEST_CASE("unplug from another thread wakes a blocked read at once") {
  // The read blocks on a held clock, so only the unplug can end it: no time passes.
  ManualClock clock(ManualClock::Sleeps::held);
  ScriptedTransport t(clock);
  auto read = std::async(std::launch::async, [&] { return t.read(10, 5s); });
  clock.wait_for_sleepers(1);
  t.unplug();
  const bool woken = read.wait_for(5s) == std::future_status::ready;
  if (!woken) clock.advance(5s);  // let the read time out rather than hang the test
  CHECK(woken);
  CHECK(read.get().status().code() == StatusCode::disconnected);
  CHECK(clock.elapsed() == 0s);
}

TEST_CASE("a responder plays a device model and injected faults hit its next replies in order") {
  int calls = 0;
  ScriptedTransport t([&](std::span<const std::uint8_t>) {
    ++calls;
    return reply;
  });
  t.inject(ReplyFault::silent());
  REQUIRE(t.write(request, 100ms).is_ok());
  CHECK(t.read(100, 30ms).status().code() == StatusCode::timeout);
  REQUIRE(t.write(request, 100ms).is_ok());
  CHECK(read_all(t) == reply);
  CHECK(calls == 2);
  REQUIRE(t.purge().is_ok());
}
