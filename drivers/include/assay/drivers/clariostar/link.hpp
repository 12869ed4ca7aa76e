// One request/one reply exchanges with a CLARIOstar over any Transport (clariostar.md §2.3).
//
// exchange() frames the payload, writes it, and reads exactly one reply frame by its size field,
// with a timeout of `reply_timeout` plus 2.5 x the wire time once the size is known (80 us per
// byte at 125 kBd). A missing reply, a short frame (bytes lost in the middle) or a bad checksum
// purges the receive buffer and re-sends the same request, up to `attempts` times: every
// read-type request may safely be repeated. A disconnect is returned at once, never retried.
// The stop token is checked between attempts. Used by one thread at a time.
#pragma once

#include <chrono>
#include <stop_token>

#include "assay/drivers/clariostar/frame.hpp"
#include "assay/drivers/clock.hpp"
#include "assay/drivers/transport.hpp"

namespace assay::drivers::clariostar {

struct LinkSettings {
  std::chrono::milliseconds reply_timeout{1000};
  double wire_us_per_byte = 80.0;  // 10 bits per byte at 125 000 baud
  double wire_margin = 2.5;
  std::chrono::milliseconds write_timeout{1000};
};

struct LinkCounters {
  int frames_sent = 0;
  int replies_ok = 0;
  int no_reply = 0;
  int bad_frames = 0;  // short, cut or checksum-failed replies
};

class Link {
 public:
  // Reply deadlines are reckoned on `clock`, the clock the transport waits on.
  Link(Transport& transport, LinkSettings settings, Clock& clock = real_clock())
      : transport_(transport), settings_(settings), clock_(clock) {}

  // Sends `payload`, returns the reply payload (any type: callers check P[0]).
  Result<Bytes> exchange(const Bytes& payload, int attempts, std::stop_token stop = {});
  const LinkCounters& counters() const { return counters_; }
  const LinkSettings& settings() const { return settings_; }

 private:
  Result<Bytes> read_frame();
  Transport& transport_;
  LinkSettings settings_;
  Clock& clock_;
  LinkCounters counters_;
};

}  // namespace assay::drivers::clariostar
