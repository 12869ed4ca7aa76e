// The ZAP authenticator thread (RFC 27): answers libzmq's CURVE handshake checks from the
// allow-list, and logs handshake failures reported by the monitors of watched server sockets.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <spdlog/spdlog.h>
#include <zmq_addon.hpp>

#include "curve_auth.hpp"

namespace assay::daemon {
namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr const char* kZapVersion = "1.0";
constexpr int kMonitoredEvents = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                                 ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;

std::string z85_of_binary_key(const zmq::message_t& key) {
  if (key.size() != 32) return "<" + std::to_string(key.size()) + "-byte credential>";
  char text[kCurveKeyZ85Chars + 1] = {};
  zmq_z85_encode(text, static_cast<const std::uint8_t*>(key.data()), key.size());
  return text;
}

std::string describe_protocol_error(std::uint32_t code) {
  if (code == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) {
    return "the client does not use CURVE (security mechanism mismatch)";
  }
  if (code >= ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC &&
      code <= ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC + 0xff) {
    return "the client's CURVE handshake failed to decrypt (wrong server public key?)";
  }
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08x", code);
  return std::string("ZMTP protocol error ") + hex;
}

}  // namespace

CurveAuthenticator::CurveAuthenticator(zmq::context_t& context,
                                       std::vector<std::string> allowed_public_keys)
    : context_(context), control_(context, zmq::socket_type::pair) {
  require_curve_support();
  set_allowed_clients(std::move(allowed_public_keys));

  zmq::socket_t zap(context, zmq::socket_type::rep);
  zap.set(zmq::sockopt::linger, 0);
  try {
    zap.bind(kZapEndpoint);
  } catch (const zmq::error_t& e) {
    throw CurveError(std::string("cannot start the CURVE authenticator: ") + kZapEndpoint +
                     " is taken (" + e.what() + "); one authenticator per ZeroMQ context");
  }
  control_endpoint_ = "inproc://assay.curve.control." + std::to_string(
                          reinterpret_cast<std::uintptr_t>(this));
  control_.set(zmq::sockopt::linger, 0);
  control_.bind(control_endpoint_);
  zmq::socket_t control_peer(context, zmq::socket_type::pair);
  control_peer.set(zmq::sockopt::linger, 0);
  control_peer.connect(control_endpoint_);
  thread_ = std::thread(&CurveAuthenticator::run, this, std::move(zap), std::move(control_peer));
}

CurveAuthenticator::~CurveAuthenticator() {
  try {
    std::lock_guard lock(control_mutex_);
    control_.send(zmq::str_buffer("stop"), zmq::send_flags::none);
  } catch (const zmq::error_t&) {
    // Context already terminated: the thread has seen ETERM and is ending on its own.
  }
  if (thread_.joinable()) thread_.join();
  control_.close();
}

void CurveAuthenticator::set_allowed_clients(std::vector<std::string> allowed_public_keys) {
  std::unordered_set<std::string> keys;
  for (auto& key : allowed_public_keys) {
    if (!is_z85_key(key)) throw CurveError("allow-list entry '" + key + "' is not a z85 key");
    keys.insert(std::move(key));
  }
  std::lock_guard lock(mutex_);
  allowed_ = std::move(keys);
}

std::size_t CurveAuthenticator::allowed_count() const {
  std::lock_guard lock(mutex_);
  return allowed_.size();
}

void CurveAuthenticator::configure_server(zmq::socket_t& server,
                                          const std::string& server_secret_key_z85,
                                          const std::string& label) {
  if (!is_z85_key(server_secret_key_z85)) {
    throw CurveError("server secret key for '" + label + "' is not a z85 CURVE key");
  }
  server.set(zmq::sockopt::curve_server, 1);
  server.set(zmq::sockopt::curve_secretkey, server_secret_key_z85);
  // A non-empty ZAP domain makes libzmq ask this authenticator about every handshake.
  server.set(zmq::sockopt::zap_domain, kZapDomain);
  watch(server, label);
}

void CurveAuthenticator::watch(zmq::socket_t& server, const std::string& label) {
  const std::string endpoint = control_endpoint_ + ".monitor." + std::to_string(next_monitor_++);
  if (zmq_socket_monitor(server.handle(), endpoint.c_str(), kMonitoredEvents) != 0) {
    throw CurveError("cannot monitor the '" + label + "' socket: " + zmq_strerror(zmq_errno()));
  }
  // Hand the monitor endpoint to the thread and wait until it is connected, so that no
  // handshake failure after this call goes unlogged.
  std::lock_guard lock(control_mutex_);
  control_.send(zmq::str_buffer("watch"), zmq::send_flags::sndmore);
  control_.send(zmq::buffer(label), zmq::send_flags::sndmore);
  control_.send(zmq::buffer(endpoint), zmq::send_flags::none);
  zmq::message_t ack;
  (void)control_.recv(ack, zmq::recv_flags::none);
}

void CurveAuthenticator::run(zmq::socket_t zap, zmq::socket_t control) {
  struct Monitor {
    std::string label;
    zmq::socket_t socket;
  };
  std::vector<Monitor> monitors;
  try {
    for (;;) {
      std::vector<zmq::pollitem_t> items{{zap.handle(), 0, ZMQ_POLLIN, 0},
                                         {control.handle(), 0, ZMQ_POLLIN, 0}};
      for (auto& monitor : monitors) items.push_back({monitor.socket.handle(), 0, ZMQ_POLLIN, 0});
      zmq::poll(items, std::chrono::milliseconds(-1));

      if (items[0].revents & ZMQ_POLLIN) answer(zap);
      if (items[1].revents & ZMQ_POLLIN) {
        std::vector<zmq::message_t> frames;
        (void)zmq::recv_multipart(control, std::back_inserter(frames));
        if (frames.empty() || frames[0].to_string_view() == "stop") break;
        if (frames[0].to_string_view() == "watch" && frames.size() == 3) {
          Monitor monitor{frames[1].to_string(), zmq::socket_t(context_, zmq::socket_type::pair)};
          monitor.socket.set(zmq::sockopt::linger, 0);
          monitor.socket.connect(frames[2].to_string());
          monitors.push_back(std::move(monitor));
          control.send(zmq::str_buffer("ok"), zmq::send_flags::none);
        }
      }
      // Only the monitors this poll watched: one added just above has no poll item yet.
      for (std::size_t i = 0; i + 2 < items.size(); ++i) {
        if (!(items[2 + i].revents & ZMQ_POLLIN)) continue;
        std::vector<zmq::message_t> frames;
        (void)zmq::recv_multipart(monitors[i].socket, std::back_inserter(frames));
        if (frames.size() < 2 || frames[0].size() < 6) continue;
        std::uint16_t event = 0;
        std::uint32_t value = 0;
        std::memcpy(&event, frames[0].data(), sizeof event);
        std::memcpy(&value, static_cast<const char*>(frames[0].data()) + 2, sizeof value);
        ++handshake_failures_;
        if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
          spdlog::debug("CURVE: {} socket on {}: handshake refused by ZAP (status {})",
                        monitors[i].label, frames[1].to_string_view(), value);
        } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
          spdlog::warn("CURVE: {} socket on {}: refused a client: {}", monitors[i].label,
                       frames[1].to_string_view(), describe_protocol_error(value));
        } else {
          spdlog::warn("CURVE: {} socket on {}: refused a client: handshake failed ({})",
                       monitors[i].label, frames[1].to_string_view(), zmq_strerror(value));
        }
      }
    }
  } catch (const zmq::error_t& e) {
    if (e.num() != ETERM) spdlog::error("CURVE authenticator stopped: {}", e.what());
  }
}

void CurveAuthenticator::answer(zmq::socket_t& zap) {
  std::vector<zmq::message_t> request;
  (void)zmq::recv_multipart(zap, std::back_inserter(request));
  // version, request id, domain, address, routing id, mechanism, credentials...
  auto reply = [&](const char* status, const std::string& text, const std::string& user) {
    std::vector<zmq::message_t> frames;
    frames.emplace_back(std::string_view(kZapVersion));
    frames.emplace_back(request.size() > 1 ? request[1].to_string_view() : std::string_view());
    frames.emplace_back(std::string_view(status));
    frames.emplace_back(text);
    frames.emplace_back(user);
    frames.emplace_back();  // metadata
    zmq::send_multipart(zap, frames);
  };
  if (request.size() < 6 || request[0].to_string_view() != kZapVersion) {
    ++refused_;
    spdlog::warn("CURVE: malformed ZAP request ({} frames) refused", request.size());
    reply("500", "malformed ZAP request", "");
    return;
  }
  const std::string address = request[3].to_string();
  const std::string mechanism = request[5].to_string();
  if (mechanism != "CURVE" || request.size() < 7) {
    ++refused_;
    spdlog::warn("CURVE: refused client from {}: mechanism {} is not allowed", address, mechanism);
    reply("400", "only CURVE is allowed", "");
    return;
  }
  const std::string key = z85_of_binary_key(request[6]);
  bool allowed = false;
  {
    std::lock_guard lock(mutex_);
    allowed = allowed_.count(key) != 0;
  }
  if (!allowed) {
    ++refused_;
    spdlog::warn("CURVE: refused client {} from {}: key not in the allow-list", key, address);
    reply("400", "client key not allowed", "");
    return;
  }
  ++accepted_;
  spdlog::info("CURVE: accepted client {} from {}", key, address);
  reply("200", "OK", key);
}

}  // namespace assay::daemon
