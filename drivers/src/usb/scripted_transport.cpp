#include "assay/drivers/scripted_transport.hpp"

#include <algorithm>
#include <cstdio>

namespace assay::drivers {

namespace {

std::string hex(std::span<const std::uint8_t> bytes, std::size_t limit = 48) {
  std::string text;
  char digits[4];
  for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
    std::snprintf(digits, sizeof digits, "%02x", bytes[i]);
    text += digits;
  }
  if (bytes.size() > limit) text += "...";
  return text;
}

Status gone() {
  return {StatusCode::disconnected, "the scripted device was unplugged"};
}

}  // namespace

void ScriptedTransport::expect(Exchange exchange) {
  std::lock_guard lock(mutex_);
  script_.push_back(std::move(exchange));
}

void ScriptedTransport::set_responder(Responder responder) {
  std::lock_guard lock(mutex_);
  responder_ = std::move(responder);
}

void ScriptedTransport::inject(ReplyFault fault) {
  std::lock_guard lock(mutex_);
  injected_.push_back(fault);
}

void ScriptedTransport::wake_reader() {
  if (waiting_read_) waiting_read_->request_stop();
}

void ScriptedTransport::unplug() {
  std::lock_guard lock(mutex_);
  connected_ = false;
  rx_.clear();
  wake_reader();
}

void ScriptedTransport::replug() {
  std::lock_guard lock(mutex_);
  connected_ = true;
  rx_.clear();
  wake_reader();
}

bool ScriptedTransport::is_connected() const {
  std::lock_guard lock(mutex_);
  return connected_;
}

std::vector<std::vector<std::uint8_t>> ScriptedTransport::written() const {
  std::lock_guard lock(mutex_);
  return written_;
}

std::size_t ScriptedTransport::script_left() const {
  std::lock_guard lock(mutex_);
  return script_.size();
}

std::string ScriptedTransport::mismatch() const {
  std::lock_guard lock(mutex_);
  return mismatch_;
}

void ScriptedTransport::queue_reply(std::vector<std::uint8_t> reply, const ReplyFault& fault) {
  Pending pending;
  pending.ready_at = clock_.now();
  switch (fault.kind) {
    case ReplyFault::Kind::silent: return;
    case ReplyFault::Kind::drop_middle: {
      std::size_t n = std::min(fault.count, reply.size());
      std::size_t at = fault.offset < 0 ? (reply.size() - n) / 2
                                        : std::min<std::size_t>(fault.offset, reply.size() - n);
      reply.erase(reply.begin() + static_cast<std::ptrdiff_t>(at),
                  reply.begin() + static_cast<std::ptrdiff_t>(at + n));
      break;
    }
    case ReplyFault::Kind::short_reads: pending.per_read = std::max<std::size_t>(1, fault.count); break;
    case ReplyFault::Kind::disconnect: pending.disconnect_after = fault.count; break;
    case ReplyFault::Kind::delay: pending.ready_at += fault.delay; break;
    case ReplyFault::Kind::none:
    case ReplyFault::Kind::stall: break;
  }
  if (reply.empty() && !pending.disconnect_after) return;
  pending.bytes = std::move(reply);
  rx_.push_back(std::move(pending));
}

Status ScriptedTransport::write(std::span<const std::uint8_t> bytes, std::chrono::milliseconds) {
  std::unique_lock lock(mutex_);
  if (!connected_) return gone();
  written_.emplace_back(bytes.begin(), bytes.end());
  if (!script_.empty()) {
    Exchange exchange = std::move(script_.front());
    script_.pop_front();
    if (!exchange.expect.empty() &&
        !std::equal(exchange.expect.begin(), exchange.expect.end(), bytes.begin(), bytes.end())) {
      if (mismatch_.empty()) {
        mismatch_ = "script step '" + exchange.note + "' expected " + hex(exchange.expect) +
                    " but the host wrote " + hex(bytes);
      }
      return {StatusCode::io_error, mismatch_};
    }
    if (exchange.fault.kind == ReplyFault::Kind::stall) {
      return {StatusCode::io_error, "the endpoint stalled (scripted)"};
    }
    queue_reply(std::move(exchange.reply), exchange.fault);
  } else if (responder_) {
    ReplyFault fault;
    if (!injected_.empty()) {
      fault = injected_.front();
      injected_.pop_front();
    }
    if (fault.kind == ReplyFault::Kind::stall) {
      return {StatusCode::io_error, "the endpoint stalled (injected)"};
    }
    Responder responder = responder_;
    lock.unlock();  // the device model may take its time
    std::vector<std::uint8_t> reply = responder(bytes);
    lock.lock();
    if (!connected_) return gone();
    queue_reply(std::move(reply), fault);
  }
  wake_reader();
  return Status::ok();
}

Result<std::vector<std::uint8_t>> ScriptedTransport::read(std::size_t max_bytes,
                                                          std::chrono::milliseconds timeout) {
  const auto deadline = clock_.now() + timeout;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!connected_) return gone();
    auto now = clock_.now();
    if (!rx_.empty() && rx_.front().ready_at <= now) break;
    if (now >= deadline) {
      return Status{StatusCode::timeout,
                    "no data within " + std::to_string(timeout.count()) + " ms (scripted)"};
    }
    auto wake = deadline;
    if (!rx_.empty()) wake = std::min(wake, rx_.front().ready_at);
    // Wait outside the lock (a ManualClock runs its actions, which may unplug us, in this
    // thread); write(), unplug() and replug() cut the wait short through `woken`.
    std::stop_source woken;
    waiting_read_ = &woken;
    lock.unlock();
    clock_.sleep_until(wake, woken.get_token());
    lock.lock();
    waiting_read_ = nullptr;
  }
  Pending& front = rx_.front();
  std::size_t n = std::min(max_bytes, front.bytes.size());
  if (front.per_read != 0) n = std::min(n, front.per_read);
  if (front.disconnect_after) n = std::min(n, *front.disconnect_after);
  if (n == 0 && front.disconnect_after) {
    connected_ = false;
    rx_.clear();
    return gone();
  }
  std::vector<std::uint8_t> out(front.bytes.begin(), front.bytes.begin() + static_cast<std::ptrdiff_t>(n));
  front.bytes.erase(front.bytes.begin(), front.bytes.begin() + static_cast<std::ptrdiff_t>(n));
  if (front.disconnect_after) *front.disconnect_after -= n;
  if (front.bytes.empty() && !front.disconnect_after) rx_.pop_front();
  return out;
}

Status ScriptedTransport::purge() {
  std::lock_guard lock(mutex_);
  if (!connected_) return gone();
  rx_.clear();
  return Status::ok();
}

}  // namespace assay::drivers
