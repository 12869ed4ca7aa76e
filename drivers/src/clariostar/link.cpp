#include "assay/drivers/clariostar/link.hpp"

namespace assay::drivers::clariostar {

namespace {
using std::chrono::milliseconds;
}  // namespace

Result<Bytes> Link::read_frame() {
  FrameAssembler assembler;
  const auto start = clock_.now();
  auto deadline = start + settings_.reply_timeout;
  bool size_known = false;
  for (;;) {
    if (auto frame = assembler.pop()) return decode_frame(*frame);
    if (!size_known && assembler.expected_size() != 0) {
      size_known = true;
      auto wire = std::chrono::microseconds(static_cast<long long>(
          settings_.wire_margin * settings_.wire_us_per_byte * assembler.expected_size()));
      deadline = start + settings_.reply_timeout + wire;
    }
    auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_.now());
    if (left.count() <= 0) {
      if (assembler.buffered() > 0) {
        return Status{StatusCode::protocol_error,
                      "short CLARIOstar reply: " + std::to_string(assembler.buffered()) + " of " +
                          std::to_string(assembler.expected_size()) + " bytes arrived"};
      }
      return Status{StatusCode::timeout, "the CLARIOstar did not answer within " +
                                             std::to_string(settings_.reply_timeout.count()) + " ms"};
    }
    std::size_t want = assembler.missing() > 0 ? assembler.missing() : 4096;
    auto bytes = transport_.read(want, left);
    if (!bytes) {
      if (bytes.status().code() == StatusCode::timeout) continue;  // loop re-checks the deadline
      return bytes.status();
    }
    assembler.push(*bytes);
  }
}

Result<Bytes> Link::exchange(const Bytes& payload, int attempts, std::stop_token stop) {
  const Bytes frame = encode_frame(payload);
  Status last{StatusCode::timeout, "no attempt made"};
  for (int attempt = 1; attempt <= std::max(1, attempts); ++attempt) {
    if (attempt > 1) {
      if (stop.stop_requested()) return Status{StatusCode::cancelled, "stopped while retrying"};
      if (Status purged = transport_.purge(); !purged) return purged;
    }
    ++counters_.frames_sent;
    if (Status written = transport_.write(frame, settings_.write_timeout); !written) {
      if (written.code() == StatusCode::disconnected) return written;
      last = written;
      continue;
    }
    auto reply = read_frame();
    if (reply) {
      ++counters_.replies_ok;
      return reply;
    }
    last = reply.status();
    if (last.code() == StatusCode::disconnected) return last;
    if (last.code() == StatusCode::timeout) {
      ++counters_.no_reply;
    } else {
      ++counters_.bad_frames;
    }
  }
  return Status{last.code(), last.message() + " (request " + to_hex(payload, 8) + ", " +
                                 std::to_string(std::max(1, attempts)) + " attempt(s))"};
}

}  // namespace assay::drivers::clariostar
