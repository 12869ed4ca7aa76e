#include "api_reply.hpp"

#include <spdlog/spdlog.h>

#include "api_error.hpp"
#include "assay/protocols/bounded_json.hpp"

namespace assay::daemon {
namespace {

using nlohmann::json;

// Replies never fail to serialise: invalid UTF-8 in echoed text is replaced.
std::string text(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// {"id":..,"ok":true,"result":..,"v":1} (the keys in the order dump() sorts them) around the
// result's JSON text, so that a result written as text is not parsed again.
std::string success_reply(const json& id, std::string_view result) {
  std::string out = "{\"id\":" + text(id) + ",\"ok\":true,\"result\":";
  out += result;
  out += ",\"v\":1}";
  return out;
}

// The reply to a request whose result `produce` makes as JSON text; its errors become error replies.
std::string reply_from(const json& id, const std::function<std::string()>& produce) {
  try {
    return success_reply(id, produce());
  } catch (const ApiError& e) {
    return error_reply(id, e.code(), e.what());
  } catch (const std::exception& e) {
    spdlog::error("request {} failed: {}", id.dump(), e.what());
    if (std::string_view(e.what()).find("disk is full") != std::string_view::npos) {
      return error_reply(id, "disk_full", std::string("the disk of the state folder is full; free space and send again (") +
                                              e.what() + ")");
    }
    return error_reply(id, "internal_error", e.what());
  } catch (...) {
    spdlog::error("request {} failed with an unknown exception", id.dump());
    return error_reply(id, "internal_error", "an unknown exception");
  }
}

}  // namespace

std::string error_reply(const json& id, const std::string& code, const std::string& message) {
  return text({{"v", 1}, {"id", id}, {"ok", false}, {"error", {{"code", code}, {"message", message}}}});
}

ApiReply prepare_reply(std::string_view body, std::string client, std::size_t max_message_bytes,
                       ApiHandler& handler) {
  if (body.size() > max_message_bytes) {
    spdlog::warn("refused a {} byte request from client {} (limit {})", body.size(), client,
                 max_message_bytes);
    return error_reply(nullptr, "message_too_large",
                       "request is " + std::to_string(body.size()) + " bytes; the limit is " +
                           std::to_string(max_message_bytes) + " (api.max_message_bytes)");
  }
  // Bounded before anything walks it: a deep request must not recurse us into a stack overflow.
  auto parsed = protocols::parse_bounded_json(body);
  if (parsed.too_deep) return error_reply(nullptr, "bad_request", "the request " + parsed.error);
  if (!parsed.ok()) return error_reply(nullptr, "bad_json", "the request is not valid JSON");
  json request = std::move(parsed.value);
  if (!request.is_object()) {
    return error_reply(nullptr, "bad_request", "the request must be a JSON object");
  }
  // `id` is optional (docs/api.md): without one the reply carries null and a submit is not
  // idempotent. Present, it must be a string or an integer a client can match its reply by.
  json id = request.contains("id") ? request.at("id") : json(nullptr);
  if (!id.is_null() && !id.is_string() && !id.is_number_integer()) {
    return error_reply(nullptr, "wrong_type", "field 'id' must be a string or an integer");
  }
  if (request.contains("v") && request.at("v") != 1) {
    return error_reply(id, "unsupported_version", "this assayd speaks API version 1");
  }
  if (request.contains("client") && request.at("client").is_string()) {
    client = request.at("client").get<std::string>();
  }
  std::optional<ApiHandler::Deferred> deferred;
  auto now = reply_from(id, [&] {
    deferred = handler.defer(request);
    return deferred ? std::string() : handler.handle(request, client);
  });
  if (!deferred) return ApiReply(std::move(now));
  return ApiReply(id, [id, work = std::move(*deferred)] { return reply_from(id, [&] { return text(work()); }); });
}

std::string reply_to_request(std::string_view body, std::string client, std::size_t max_message_bytes,
                             ApiHandler& handler) {
  auto reply = prepare_reply(body, std::move(client), max_message_bytes, handler);
  return reply.later ? reply.later() : std::move(reply.text);
}

}  // namespace assay::daemon
