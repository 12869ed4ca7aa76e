// A WebSocket at /events (docs/web.md): every stored event after a seq, then live ones, each
// once and in order. A client that does not read holds at most 1 MiB of unsent events, past
// which it is told it fell behind and is fed from the event log (SQLite) from its last seq once
// it reads again. io thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "assay/daemon/store.hpp"
#include "assay/web/http_session.hpp"

namespace assay::daemon {

namespace beast = web::beast;
namespace http = web::http;
namespace websocket = web::websocket;
using tcp = web::tcp;

inline constexpr std::size_t kWebMaxQueuedBytes = 1 << 20;  // unsent events per WebSocket client

// Where a WebSocket that joined late, asked for `since` or fell behind reads what it missed.
struct WebEventLog {
  std::function<std::vector<StoredEvent>(std::int64_t after_seq, int limit)> since;
  std::function<std::int64_t()> last_seq;
};

class EventStream;

// What every event stream shares with the WebServer: the log and the streams that are open.
struct EventStreams {
  WebEventLog log;
  std::set<EventStream*> open;
  bool stopped = false;
};

class EventStream final : public web::WebConnection, public std::enable_shared_from_this<EventStream> {
 public:
  // `since` < 0: live events only; else every stored event after it first.
  EventStream(beast::tcp_stream stream, std::shared_ptr<web::WebContext> context,
              std::shared_ptr<EventStreams> streams, std::int64_t since);
  ~EventStream() override;
  void start(http::request<http::string_body> request);
  // `text` is the event's JSON, made once and shared by every stream.
  void deliver(std::int64_t seq, const std::shared_ptr<const std::string>& text);
  void deliver_heartbeat(const std::shared_ptr<const std::string>& text);
  void close() override;

 private:
  struct Message {
    std::int64_t seq = 0;  // 0: not a stored event (heartbeat, notice)
    std::shared_ptr<const std::string> text;
  };
  void read_loop();
  void pump();
  void enqueue(std::int64_t seq, std::shared_ptr<const std::string> text);
  void fall_behind();
  void read_from_log();

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<web::WebContext> context_;
  std::shared_ptr<EventStreams> streams_;
  std::deque<Message> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool open_ = false;
  bool catching_up_ = false;
  std::int64_t cursor_ = 0;    // the last stored event queued
  std::int64_t sent_seq_ = 0;  // the last stored event handed to the socket
  beast::flat_buffer read_buffer_;
};

}  // namespace assay::daemon
