// One API request body in, one reply out: the size limit, a parse bounded in depth, the
// envelope fields (v, id, client), then the op through ApiHandler. Never throws and never lets a
// request crash assayd: every failure is an error reply. io thread only (it calls the handler).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api_handler.hpp"

namespace assay::daemon {

// `client` names the caller for idempotent submits unless the request sets its own.
std::string reply_to_request(std::string_view body, std::string client, std::size_t max_message_bytes,
                             ApiHandler& handler);

// {"v":1,"id":id,"ok":false,"error":{"code":code,"message":message}}, invalid UTF-8 replaced.
std::string error_reply(const nlohmann::json& id, const std::string& code, const std::string& message);

}  // namespace assay::daemon
