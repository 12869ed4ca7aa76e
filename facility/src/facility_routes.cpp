#include "facility_routes.hpp"

#include <spdlog/spdlog.h>

#include "assay/facility/host_view.hpp"
#include "assay/facility/queries.hpp"
#include "facility_page.hpp"

namespace assay::facility {
namespace {

using nlohmann::json;
using web::error_response;
using web::target_is;

web::WebResponse json_response(const json& value) {
  web::WebResponse response;
  response.body = value.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

// "HOST/JOB": a job is named with its host in every view, as job ids repeat across hosts.
std::string job_reference(const web::RequestTarget& target) { return target.segments[3] + "/" + target.segments[4]; }

}  // namespace

FacilityRoutes::FacilityRoutes(std::string pg_conninfo, std::string pg_password, const web::WebAccess& access)
    : pg_conninfo_(std::move(pg_conninfo)), pg_password_(std::move(pg_password)), access_(access) {}

PgConnection& FacilityRoutes::connection() {
  if (!pg_ || !pg_->ok()) {
    pg_.reset();
    auto fresh = std::make_unique<PgConnection>(pg_conninfo_, pg_password_);
    // The view only reads, whatever the role may do.
    fresh->exec("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
    pg_ = std::move(fresh);
  }
  return *pg_;
}

web::WebResponse FacilityRoutes::respond(const web::WebRequest& request) {
  try {
    if (auto why = access_.refuse_host(request.host); !why.empty()) return error_response(421, "wrong_host", why);
    std::string why;
    auto target = web::parse_target(request.target, why);
    if (!target) return error_response(400, "bad_request", why);
    return route(request, *target);
  } catch (const web::WebError& e) {
    return error_response(e.status(), e.code(), e.what());
  } catch (const FacilityNotFound& e) {
    return error_response(404, "not_found", e.what());
  } catch (const PgError& e) {
    pg_.reset();  // made again at the next request
    spdlog::warn("web: the facility database did not answer {}: {}", request.target, e.what());
    return error_response(503, "database_unavailable", std::string("the facility database: ") + e.what());
  } catch (const std::exception& e) {
    spdlog::error("web: request {} {} failed: {}", request.method, request.target, e.what());
    return error_response(500, "internal_error", e.what());
  }
}

web::WebResponse FacilityRoutes::route(const web::WebRequest& request, const web::RequestTarget& target) {
  if (request.websocket) return error_response(404, "not_found", "the facility view has no WebSocket");
  if (request.method != "GET") return web::read_only_response(request.method, "");
  if (target.segments.empty()) {
    if (!target.query.empty()) return error_response(400, "unknown_field", "the page takes no query parameters");
    return web::page_response(facility_html());
  }
  if (target.segments[0] == "api") return api_get(target);
  return error_response(404, "not_found", "no page '" + request.target + "'; see /api/v1/ and docs/facility.md");
}

web::WebResponse FacilityRoutes::api_get(const web::RequestTarget& target) {
  if (target_is(target, {"api", "v1", "hosts"})) {
    web::query_fields(target, {});
    return json_response(facility_hosts(connection()));
  }
  if (target_is(target, {"api", "v1", "queue"}) || target_is(target, {"api", "v1", "jobs"})) {
    const bool queue = target.segments[2] == "queue";
    auto fields = web::query_fields(target, {{"host", {"host"}}, {"state", {"state"}}, {"instrument", {"instrument"}},
                                             {"limit", {"limit", true}}});
    FacilityJobFilter filter;
    filter.host = fields.value("host", "");
    filter.state = fields.value("state", "");
    filter.instrument = fields.value("instrument", "");
    filter.limit = static_cast<int>(fields.value("limit", std::int64_t{queue ? 200 : 40}));
    if (filter.limit < 1 || filter.limit > 1000) {
      throw web::WebError(400, "out_of_range", "query parameter 'limit' must be 1..1000");
    }
    filter.queue = queue;
    return json_response({{"jobs", facility_jobs(connection(), filter)}});
  }
  if (target_is(target, {"api", "v1", "jobs", "*", "*"})) {
    web::query_fields(target, {});
    return json_response(facility_job(connection(), job_reference(target)));
  }
  if (target_is(target, {"api", "v1", "jobs", "*", "*", "results"})) {
    auto fields = web::query_fields(target, {{"kind", {"kind"}}});
    return json_response(facility_results(connection(), job_reference(target), fields.value("kind", "")));
  }
  return error_response(404, "not_found",
                        "no view '" + web::target_path(target) + "'; views: /api/v1/hosts, /api/v1/queue, "
                        "/api/v1/jobs, /api/v1/jobs/<host>/<id>, /api/v1/jobs/<host>/<id>/results");
}

}  // namespace assay::facility
