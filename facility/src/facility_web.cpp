#include "assay/facility/facility_web.hpp"

#include <thread>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "assay/web/http_server.hpp"
#include "facility_routes.hpp"

namespace assay::facility {

struct FacilityWeb::Impl {
  Impl(const FacilityWebConfig& web, std::string conninfo, std::string password)
      : access(web.host, web.allowed_hosts),
        routes(std::move(conninfo), std::move(password), access),
        server(io, web::HttpListen{web.host, web.port, web.max_connections, "[web] listen"}, routes,
               "assay-facility/" ASSAY_VERSION) {}

  boost::asio::io_context io;
  web::WebAccess access;
  FacilityRoutes routes;
  web::HttpServer server;
  std::thread thread;
  std::string url;
};

FacilityWeb::FacilityWeb(const FacilityWebConfig& web, const std::string& store_conninfo,
                         const std::string& store_password_file) {
  // Without its own conninfo the view uses the store's (read-only all the same, see FacilityRoutes).
  const bool own = !web.pg_conninfo.empty();
  const auto& password_file = own ? web.pg_password_file : store_password_file;
  impl_ = std::make_unique<Impl>(web, own ? web.pg_conninfo : store_conninfo,
                                 password_file.empty() ? std::string() : read_secret_file(password_file));
  impl_->server.start();
  impl_->url = impl_->server.url();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

FacilityWeb::~FacilityWeb() {
  boost::asio::post(impl_->io, [impl = impl_.get()] { impl->server.stop(); });
  impl_->thread.join();
}

std::string FacilityWeb::url() const { return impl_->url; }

}  // namespace assay::facility
