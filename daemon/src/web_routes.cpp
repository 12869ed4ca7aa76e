#include "web_routes.hpp"

#include <map>
#include <set>

#include <spdlog/spdlog.h>

#include "api_error.hpp"
#include "assay/protocols/bounded_json.hpp"
#include "dashboard_page.hpp"
#include "web_files.hpp"

namespace assay::daemon {
namespace {

using nlohmann::json;

std::string text(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

unsigned status_for(const std::string& code) {
  static const std::map<std::string, unsigned> statuses{
      {"not_found", 404}, {"invalid_state", 409}, {"id_reused", 409},
      {"disk_full", 507}, {"internal_error", 500}};
  auto found = statuses.find(code);
  return found == statuses.end() ? 400 : found->second;
}

}  // namespace

WebRoutes::WebRoutes(ApiHandler& handler, std::filesystem::path state_dir, const WebAccess& access)
    : handler_(handler), state_dir_(std::move(state_dir)), access_(access) {}

WebResponse WebRoutes::respond(const WebRequest& request) {
  try {
    if (auto why = access_.refuse_host(request.host); !why.empty()) {
      return error_response(421, "wrong_host", why);
    }
    std::string why;
    auto target = web::parse_target(request.target, why);
    if (!target) return error_response(400, "bad_request", why);
    return route(request, *target);
  } catch (const ApiError& e) {
    return error_response(status_for(e.code()), e.code(), e.what());
  } catch (const web::WebError& e) {
    return error_response(e.status(), e.code(), e.what());
  } catch (const std::exception& e) {
    spdlog::error("web request {} {} failed: {}", request.method, request.target, e.what());
    return error_response(500, "internal_error", e.what());
  }
}

WebResponse WebRoutes::route(const WebRequest& request, const RequestTarget& target) {
  const bool api = !target.segments.empty() && target.segments[0] == "api";
  if (request.websocket) {
    if (!web::target_is(target, {"events"})) return error_response(404, "not_found", "WebSocket is served at /events only");
    if (auto why = access_.refuse_origin(request.origin, request.host); !why.empty()) {
      return error_response(403, "wrong_origin", why);
    }
    return events_upgrade(target);
  }
  if (api && access_.has_token() && request.method == "POST") return api_post(request, target);
  if (request.method != "GET") {
    auto response = error_response(405, "method_not_allowed",
                                   request.method + " is not served here; this server is read-only" +
                                       std::string(access_.has_token() ? " except POST /api/v1/jobs and "
                                                                         "POST /api/v1/jobs/<id>/cancel"
                                                                       : " ([web] token_file enables submit and cancel)"));
    response.headers.emplace_back("Allow", access_.has_token() && api ? "GET, POST" : "GET");
    return response;
  }
  if (target.segments.empty()) {
    if (!target.query.empty()) return error_response(400, "unknown_field", "the page takes no query parameters");
    return web::page_response(dashboard_html());
  }
  if (api) return api_get(target);
  if (target.segments[0] == "files" && target.segments.size() >= 2) {
    if (!target.query.empty()) return error_response(400, "unknown_field", "files take no query parameters");
    std::vector<std::string> name(target.segments.begin() + 2, target.segments.end());
    auto found = find_job_file(state_dir_, target.segments[1], name);
    if (found.status != 200) {
      return error_response(found.status, found.status == 404 ? "not_found" : "forbidden_path", found.message);
    }
    WebResponse file;
    file.file = found.file;
    file.content_type = content_type_for(found.file);
    file.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    return file;
  }
  if (web::target_is(target, {"events"})) {
    return error_response(426, "upgrade_required", "/events is a WebSocket: connect with ws://HOST/events?since=SEQ");
  }
  return error_response(404, "not_found", "no page '" + request.target +
                                              "'; see /api/v1/ (instruments, jobs, events) and docs/web.md");
}

WebResponse WebRoutes::call(json request, unsigned success_status) {
  WebResponse response;
  response.status = success_status;
  response.body = handler_.handle(request, "web");
  return response;
}

WebResponse WebRoutes::api_get(const RequestTarget& target) {
  if (target.segments.size() < 2 || target.segments[1] != "v1") {
    return error_response(404, "not_found", "this server speaks /api/v1/");
  }
  auto with = [&](const char* op, const std::map<std::string, web::QueryParameter>& known, json extra = json::object()) {
    json request = web::query_fields(target, known);
    request["op"] = op;
    for (auto& [key, value] : extra.items()) request[key] = value;
    return call(std::move(request));
  };
  if (web::target_is(target, {"api", "v1"}) || web::target_is(target, {"api", "v1", "ping"})) return with("ping", {});
  if (web::target_is(target, {"api", "v1", "instruments"})) return with("instruments.list", {});
  if (web::target_is(target, {"api", "v1", "web"})) {
    if (!target.query.empty()) return error_response(400, "unknown_field", "/api/v1/web takes no query parameters");
    WebResponse response;
    response.body = text({{"token_routes", access_.has_token()}});
    return response;
  }
  if (web::target_is(target, {"api", "v1", "protocols"})) return with("protocols.list", {});
  if (web::target_is(target, {"api", "v1", "jobs"})) {
    return with("jobs.list", {{"state", {"state"}}, {"instrument", {"instrument"}}, {"limit", {"limit", true}}});
  }
  if (web::target_is(target, {"api", "v1", "events"})) {
    return with("events.since", {{"since", {"seq", true}}, {"job_id", {"job_id"}}, {"limit", {"limit", true}}});
  }
  if (target.segments.size() >= 4 && target.segments[2] == "jobs") {
    const json job{{"job_id", target.segments[3]}};
    if (target.segments.size() == 4) return with("jobs.get", {}, job);
    if (web::target_is(target, {"api", "v1", "jobs", "*", "results"})) return with("results.get", {{"kind", {"kind"}}}, job);
    if (web::target_is(target, {"api", "v1", "jobs", "*", "readings"})) {
      return with("readings.get", {{"after_id", {"after_id", true}}, {"limit", {"limit", true}}}, job);
    }
    if (web::target_is(target, {"api", "v1", "jobs", "*", "images"})) return with("images.list", {}, job);
  }
  return error_response(404, "not_found",
                        "no view '" + web::target_path(target) + "'; views: /api/v1/instruments, /api/v1/protocols, /api/v1/jobs, /api/v1/jobs/<id>, "
                              "/api/v1/jobs/<id>/results, /api/v1/jobs/<id>/readings, /api/v1/jobs/<id>/images, "
                              "/api/v1/events");
}

WebResponse WebRoutes::api_post(const WebRequest& request, const RequestTarget& target) {
  const bool submit = web::target_is(target, {"api", "v1", "jobs"});
  const bool cancel = web::target_is(target, {"api", "v1", "jobs", "*", "cancel"});
  if (!submit && !cancel) {
    return error_response(404, "not_found", "POST is served at /api/v1/jobs (submit) and /api/v1/jobs/<id>/cancel");
  }
  if (!access_.authorized(request.authorization)) {
    auto response = error_response(401, "unauthorized", "send the token of [web] token_file as 'Authorization: Bearer TOKEN'");
    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"assayd\"");
    return response;
  }
  if (!target.query.empty()) return error_response(400, "unknown_field", "POST takes no query parameters");
  if (cancel) return call({{"op", "jobs.cancel"}, {"job_id", target.segments[3]}});
  auto parsed = protocols::parse_bounded_json(request.body);
  if (parsed.too_deep) return error_response(400, "bad_request", "the job " + parsed.error);
  if (!parsed.ok()) return error_response(400, "bad_json", "the body must be the job as JSON (docs/jobs.md)");
  json call_request{{"op", "jobs.submit"}, {"job", std::move(parsed.value)}};
  // A retry with the same Idempotency-Key and the same job returns the first job (docs/api.md).
  if (!request.idempotency_key.empty()) call_request["id"] = request.idempotency_key;
  auto response = call(std::move(call_request));
  if (response.status == 200) response.status = 201;
  return response;
}

WebResponse WebRoutes::events_upgrade(const RequestTarget& target) {
  auto fields = web::query_fields(target, {{"since", {"seq", true}}});
  WebResponse response;
  response.status = 101;
  response.events_since = -1;  // none given: live events only
  if (fields.contains("seq")) {
    response.events_since = fields["seq"].get<std::int64_t>();
    if (*response.events_since < 0) throw ApiError("out_of_range", "query parameter 'since' must be 0 or more");
  }
  return response;
}

}  // namespace assay::daemon
