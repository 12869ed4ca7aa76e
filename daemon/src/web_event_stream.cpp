#include <utility>

#include "web_event_stream.hpp"

#include <spdlog/spdlog.h>

namespace assay::daemon {
namespace {

constexpr int kLogPageEvents = 64;              // events read from the log per step of a catch-up
constexpr std::size_t kLogPageBytes = 256 * 1024;  // ... and at most about this much text

std::shared_ptr<const std::string> text(const nlohmann::json& value) {
  return std::make_shared<const std::string>(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

EventStream::EventStream(beast::tcp_stream stream, std::shared_ptr<web::WebContext> context,
                         std::shared_ptr<EventStreams> streams, std::int64_t since)
    : ws_(std::move(stream)), context_(std::move(context)), streams_(std::move(streams)) {
  context_->connections.insert(this);
  // Without since, or with one past the log's end (a client of another database), the stream
  // starts at the end of the log as it is now. It starts from the log in any case, so events
  // stored during the handshake are not lost.
  cursor_ = streams_->log.last_seq();
  if (since >= 0 && since < cursor_) cursor_ = since;
  catching_up_ = true;
  sent_seq_ = cursor_;
}

EventStream::~EventStream() {
  context_->connections.erase(this);
  streams_->open.erase(this);
}

void EventStream::start(http::request<http::string_body> request) {
  // Pings keep an idle browser's connection checked; a peer that answers nothing within the idle
  // timeout (also one whose write never completes) is closed.
  ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(30), std::chrono::seconds(60), true});
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(http::field::server, "assayd/" ASSAY_VERSION); }));
  ws_.read_message_max(64 * 1024);
  ws_.text(true);
  ws_.async_accept(request, [self = shared_from_this()](beast::error_code error) {
    if (error || self->streams_->stopped) return self->close();
    self->open_ = true;
    self->streams_->open.insert(self.get());
    self->read_loop();
    self->pump();
  });
}

void EventStream::close() {
  open_ = false;
  streams_->open.erase(this);
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).close();
}

// The client sends nothing the server needs; reading keeps pings, pongs and close frames moving.
void EventStream::read_loop() {
  ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code error, std::size_t) {
    if (error) return self->close();
    self->read_buffer_.clear();
    self->read_loop();
  });
}

void EventStream::deliver(std::int64_t seq, const std::shared_ptr<const std::string>& text) {
  if (!open_ || catching_up_ || seq <= cursor_) return;  // a catch-up reads it from the log
  enqueue(seq, text);
  if (queued_bytes_ > kWebMaxQueuedBytes) return fall_behind();
  pump();
}

void EventStream::deliver_heartbeat(const std::shared_ptr<const std::string>& text) {
  if (!open_ || catching_up_ || queue_.size() > 8) return;
  enqueue(0, text);
  pump();
}

void EventStream::enqueue(std::int64_t seq, std::shared_ptr<const std::string> text) {
  queued_bytes_ += text->size();
  queue_.push_back({seq, std::move(text)});
  if (seq > 0) cursor_ = seq;
}

// Drops what was not handed to the socket yet and says so; once the client has read the notice,
// the events from its last seq on come from the log, a page at a time.
void EventStream::fall_behind() {
  const std::size_t keep = writing_ ? 1 : 0;
  const auto dropped = queue_.size() - keep;
  while (queue_.size() > keep) {
    queued_bytes_ -= queue_.back().text->size();
    queue_.pop_back();
  }
  cursor_ = sent_seq_;
  catching_up_ = true;
  spdlog::info("web: an event stream client fell behind by {} events; it resumes from seq {} when it reads again",
               dropped, cursor_);
  enqueue(0, text({{"topic", "web.behind"},
                   {"seq", cursor_},
                   {"time", utc_now()},
                   {"message", "this connection fell more than " + std::to_string(kWebMaxQueuedBytes >> 20) +
                                   " MiB behind; the events after seq " + std::to_string(cursor_) +
                                   " follow from the event log"}}));
  pump();
}

void EventStream::read_from_log() {
  const auto events = streams_->log.since(cursor_, kLogPageEvents);
  std::size_t bytes = 0;
  for (const auto& event : events) {
    if (bytes > kLogPageBytes) return;  // the rest next time
    auto body = event.text;
    bytes += body->size();
    enqueue(event.seq, std::move(body));
  }
  // A short page reached the end of the log: whatever is stored later is still to be published
  // (the store hands events over after their commit), so live delivery loses nothing.
  if (static_cast<int>(events.size()) < kLogPageEvents) catching_up_ = false;
}

void EventStream::pump() {
  if (!open_ || writing_) return;
  if (queue_.empty() && catching_up_) read_from_log();
  if (queue_.empty()) return;
  writing_ = true;
  if (queue_.front().seq > 0) sent_seq_ = queue_.front().seq;
  ws_.async_write(boost::asio::buffer(*queue_.front().text), [self = shared_from_this()](beast::error_code error, std::size_t) {
    self->writing_ = false;
    if (error) return self->close();
    self->queued_bytes_ -= self->queue_.front().text->size();
    self->queue_.pop_front();
    self->pump();
  });
}

}  // namespace assay::daemon
