// One API request body in, one reply out: the size limit, a parse bounded in depth, the
// envelope fields (v, id, client), then the op through ApiHandler. Never throws and never lets a
// request crash assayd: every failure is an error reply. io thread only (it calls the handler);
// the `later` of a deferred reply runs on any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api_handler.hpp"

namespace assay::daemon {

struct ApiReply {
  ApiReply(std::string ready) : text(std::move(ready)) {}  // implicit: the early error replies
  ApiReply(nlohmann::json request_id, std::function<std::string()> deferred)
      : id(std::move(request_id)), later(std::move(deferred)) {}

  std::string text;                    // the reply, when it is ready at once
  nlohmann::json id;                   // of a deferred reply's request (for a "busy" reply)
  std::function<std::string()> later;  // else: makes the reply (never throws), off the io thread
};

// `client` names the caller for idempotent submits unless the request sets its own.
ApiReply prepare_reply(std::string_view body, std::string client, std::size_t max_message_bytes,
                       ApiHandler& handler);

// The same, with a deferred reply made at once on this thread.
std::string reply_to_request(std::string_view body, std::string client, std::size_t max_message_bytes,
                             ApiHandler& handler);

// {"v":1,"id":id,"ok":false,"error":{"code":code,"message":message}}, invalid UTF-8 replaced.
std::string error_reply(const nlohmann::json& id, const std::string& code, const std::string& message);

}  // namespace assay::daemon
