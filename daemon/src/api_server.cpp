#include "api_server.hpp"

#include <spdlog/spdlog.h>

#include "api_error.hpp"

namespace assay::daemon {
namespace {

using nlohmann::json;

constexpr std::size_t kHardCapFactor = 16;

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

// Replies never fail to serialise: invalid UTF-8 in echoed text is replaced.
std::string text(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string error_reply(const json& id, const std::string& code, const std::string& message) {
  return text({{"v", 1}, {"id", id}, {"ok", false}, {"error", {{"code", code}, {"message", message}}}});
}

}  // namespace

ApiServer::ApiServer(boost::asio::io_context& io, zmq::context_t& context, const std::string& endpoint,
                     std::size_t max_message_bytes, ApiHandler& handler,
                     const std::function<void(zmq::socket_t&)>& secure)
    : socket_(context, zmq::socket_type::router),
      max_message_bytes_(max_message_bytes),
      handler_(handler) {
  socket_.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(max_message_bytes * kHardCapFactor));
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::router_mandatory, false);
  if (secure) secure(socket_);
  socket_.bind(endpoint);
  watcher_ = std::make_unique<SocketWatcher>(io, socket_, [this] { on_message(); });
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
  // Envelope: identity, then an empty delimiter for REQ peers, then the body.
  std::size_t body_index = frames.size() - 1;
  auto client = hex(frames[0]);
  std::string reply = frames.size() > 3 || (frames.size() == 3 && frames[1].size() != 0)
                          ? error_reply(nullptr, "bad_request",
                                        "send one JSON frame per request (got " +
                                            std::to_string(frames.size() - 1) + " frames)")
                          : reply_for(frames[body_index], client);
  for (std::size_t i = 0; i < body_index; ++i) {
    socket_.send(frames[i], zmq::send_flags::sndmore);
  }
  socket_.send(zmq::buffer(reply), zmq::send_flags::dontwait);
  watcher_->kick();
}

std::string ApiServer::reply_for(const zmq::message_t& body, std::string client) {
  if (body.size() > max_message_bytes_) {
    spdlog::warn("refused a {} byte request from client {} (limit {})", body.size(), client,
                 max_message_bytes_);
    return error_reply(nullptr, "message_too_large",
                       "request is " + std::to_string(body.size()) + " bytes; the limit is " +
                           std::to_string(max_message_bytes_) + " (api.max_message_bytes)")
;
  }
  json request = json::parse(body.to_string_view(), nullptr, false);
  if (request.is_discarded()) {
    return error_reply(nullptr, "bad_json", "the request is not valid JSON");
  }
  if (!request.is_object()) {
    return error_reply(nullptr, "bad_request", "the request must be a JSON object");
  }
  json id = request.contains("id") ? request.at("id") : json(nullptr);
  if (!id.is_string() && !id.is_number_integer()) {
    return error_reply(id, "missing_field", "field 'id' (a request id string) is required");
  }
  if (request.contains("v") && request.at("v") != 1) {
    return error_reply(id, "unsupported_version", "this assayd speaks API version 1");
  }
  if (request.contains("client") && request.at("client").is_string()) {
    client = request.at("client").get<std::string>();
  }
  try {
    auto result = handler_.handle(request, client);
    return text({{"v", 1}, {"id", id}, {"ok", true}, {"result", std::move(result)}});
  } catch (const ApiError& e) {
    return error_reply(id, e.code(), e.what());
  } catch (const std::exception& e) {
    spdlog::error("request {} failed: {}", id.dump(), e.what());
    return error_reply(id, "internal_error", e.what());
  }
}

}  // namespace assay::daemon
