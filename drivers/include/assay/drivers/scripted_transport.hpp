// An in-memory Transport that plays a device's side from a script or a device model, and
// injects the faults real links show: no reply (timeout), replies split into short reads, bytes
// missing from the middle of a reply, a stalled endpoint, and the device vanishing.
//
// On each write(), the next scripted Exchange (if any) checks the bytes written and queues its
// reply; with no script left, the Responder (a device model such as the virtual CLARIOstar) is
// asked for the reply. A reply fault applies to that one reply; queued faults (inject()) apply to
// the following responder replies in order. Reads wait on the transport's Clock (real time by
// default, so timeouts behave as on hardware; a test's ManualClock makes them exact and
// instant); unplug() may be called from any other thread, or from an action of that ManualClock,
// and wakes a blocked read at once with StatusCode::disconnected. All other calls: one thread at
// a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "assay/drivers/clock.hpp"
#include "assay/drivers/transport.hpp"

namespace assay::drivers {

struct ReplyFault {
  enum class Kind {
    none,
    silent,          // the device never answers this request
    drop_middle,     // `count` bytes vanish starting at `offset` (negative: from the middle)
    short_reads,     // the reply arrives `count` bytes per read()
    stall,           // the write fails as a stalled endpoint (io_error), nothing is sent
    disconnect,      // `count` bytes of the reply arrive, then the device is gone
    delay,           // the reply becomes readable only after `delay`
  };
  Kind kind = Kind::none;
  std::size_t count = 0;
  long offset = -1;
  std::chrono::milliseconds delay{0};

  static ReplyFault none() { return {}; }
  static ReplyFault silent() { return {Kind::silent}; }
  static ReplyFault drop_middle(std::size_t bytes, long at = -1) { return {Kind::drop_middle, bytes, at}; }
  static ReplyFault short_reads(std::size_t bytes_per_read) { return {Kind::short_reads, bytes_per_read}; }
  static ReplyFault stall() { return {Kind::stall}; }
  static ReplyFault disconnect_after(std::size_t bytes) { return {Kind::disconnect, bytes}; }
  static ReplyFault delayed(std::chrono::milliseconds by) { return {Kind::delay, 0, -1, by}; }
};

// One request the script expects and what the device answers.
struct Exchange {
  std::vector<std::uint8_t> expect;  // empty = accept any write
  std::vector<std::uint8_t> reply;   // may be empty (no answer)
  ReplyFault fault;
  std::string note;                  // shown when the expectation fails
};

// Device model: given the bytes written, returns the device's reply (possibly empty).
using Responder = std::function<std::vector<std::uint8_t>(std::span<const std::uint8_t> written)>;

class ScriptedTransport final : public Transport {
 public:
  explicit ScriptedTransport(Clock& clock = real_clock()) : clock_(clock) {}
  explicit ScriptedTransport(Responder responder, Clock& clock = real_clock())
      : clock_(clock), responder_(std::move(responder)) {}

  void expect(Exchange exchange);
  void set_responder(Responder responder);
  // Applies `fault` to the next responder reply (faults queue up in order).
  void inject(ReplyFault fault);
  // The device vanishes now; pending and future calls fail with disconnected.
  void unplug();
  // The device is back (new session: buffers empty).
  void replug();

  Status write(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) override;
  Result<std::vector<std::uint8_t>> read(std::size_t max_bytes,
                                         std::chrono::milliseconds timeout) override;
  Status purge() override;
  bool is_connected() const override;

  // What the host wrote, one entry per write() call (for assertions).
  std::vector<std::vector<std::uint8_t>> written() const;
  std::size_t script_left() const;
  // First script mismatch, empty when every write matched.
  std::string mismatch() const;

 private:
  struct Pending {
    std::vector<std::uint8_t> bytes;
    std::size_t per_read = 0;  // 0 = no limit
    std::optional<std::size_t> disconnect_after;
    Clock::time_point ready_at;
  };
  void queue_reply(std::vector<std::uint8_t> reply, const ReplyFault& fault);
  // Ends the wait of a blocked read (something arrived, or the device left). Under mutex_.
  void wake_reader();

  Clock& clock_;
  mutable std::mutex mutex_;
  std::stop_source* waiting_read_ = nullptr;  // the blocked read's wake-up, while it waits
  std::deque<Exchange> script_;
  std::deque<ReplyFault> injected_;
  Responder responder_;
  std::deque<Pending> rx_;
  std::vector<std::vector<std::uint8_t>> written_;
  std::string mismatch_;
  bool connected_ = true;
};

}  // namespace assay::drivers
