#include "api_server.hpp"

#include <cstdio>
#include <random>

#include <spdlog/spdlog.h>

#include "api_reply.hpp"

namespace assay::daemon {
namespace {

constexpr std::size_t kHardCapFactor = 16;

// Random per start: libzmq hands out the same routing ids again after a restart, so a key made
// of the routing id alone would match another client's request of an earlier run.
std::string new_instance_id() {
  std::random_device device;
  std::uniform_int_distribution<std::uint64_t> any;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(any(device)));
  return text;
}

std::string hex(const zmq::message_t& frame) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  const auto* bytes = frame.data<unsigned char>();
  for (std::size_t i = 0; i < frame.size(); ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

}  // namespace

ApiServer::ApiServer(boost::asio::io_context& io, zmq::context_t& context, const std::string& endpoint,
                     std::size_t max_message_bytes, ApiHandler& handler,
                     const std::function<void(zmq::socket_t&)>& secure)
    : socket_(context, zmq::socket_type::router),
      max_message_bytes_(max_message_bytes),
      handler_(handler),
      instance_(new_instance_id()),
      io_(io) {
  socket_.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(max_message_bytes * kHardCapFactor));
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::router_mandatory, false);
  if (secure) secure(socket_);
  socket_.bind(endpoint);
  watcher_ = std::make_unique<SocketWatcher>(io, socket_, [this] { on_message(); });
}

ApiServer::~ApiServer() {
  deferred_thread_.stop();  // replies not started yet are dropped; the one being made finishes
  deferred_thread_.join();
}

void ApiServer::on_message() {
  std::vector<zmq::message_t> frames;
  while (true) {
    zmq::message_t frame;
    if (!socket_.recv(frame, zmq::recv_flags::dontwait)) break;
    bool more = frame.more();
    frames.push_back(std::move(frame));
    if (!more) break;
  }
  if (frames.size() < 2) return;  // nothing routable
  // Envelope: identity, then an empty delimiter for REQ peers, then the body. The reply goes back
  // with that envelope only: the frames of a multipart request are never echoed.
  const bool from_req = frames.size() >= 3 && frames[1].size() == 0;
  const std::size_t body_frames = frames.size() - (from_req ? 2 : 1);
  auto client = instance_ + "-" + hex(frames[0]);
  ApiReply reply = body_frames != 1
                       ? ApiReply(error_reply(nullptr, "bad_request",
                                              "send one JSON frame per request (got " +
                                                  std::to_string(body_frames) + " frames)"))
                       : prepare_reply(frames.back().to_string_view(), std::move(client),
                                       max_message_bytes_, handler_);
  if (reply.later) {
    defer_reply(std::move(frames[0]), from_req, std::move(reply));
    return;
  }
  send_reply(frames[0], from_req, reply.text);
}

void ApiServer::send_reply(const zmq::message_t& identity, bool from_req, const std::string& reply) {
  zmq::message_t to(identity.data(), identity.size());
  socket_.send(to, zmq::send_flags::sndmore);
  if (from_req) socket_.send(zmq::message_t(), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(reply), zmq::send_flags::dontwait);
  watcher_->kick();
}

void ApiServer::defer_reply(zmq::message_t identity, bool from_req, ApiReply reply) {
  if (deferred_ >= kMaxDeferred) {
    send_reply(identity, from_req,
               error_reply(reply.id, "busy", std::to_string(kMaxDeferred) +
                                                " reports are being made; send the request again later"));
    return;
  }
  ++deferred_;
  auto envelope = std::make_shared<zmq::message_t>(std::move(identity));
  boost::asio::post(deferred_thread_, [this, envelope, from_req, later = std::move(reply.later)] {
    std::string text = later();
    boost::asio::post(io_, [this, envelope, from_req, text = std::move(text)] {
      --deferred_;
      send_reply(*envelope, from_req, text);
    });
  });
}

}  // namespace assay::daemon
