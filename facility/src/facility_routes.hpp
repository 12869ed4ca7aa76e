// The routes of the facility view (docs/facility.md, "The facility view"): the page and its
// read-only JSON views of the facility database. Transport-free (a WebRequest in, a WebResponse
// out) and never throws. Holds one PostgreSQL connection, read-only, made at the first request
// and made again after it failed. One thread (the view's io thread) only.
#pragma once

#include <memory>
#include <string>

#include "assay/facility/pg.hpp"
#include "assay/web/access.hpp"
#include "assay/web/message.hpp"
#include "assay/web/target.hpp"

namespace assay::facility {

class FacilityRoutes final : public web::WebResponder {
 public:
  FacilityRoutes(std::string pg_conninfo, std::string pg_password, const web::WebAccess& access);
  web::WebResponse respond(const web::WebRequest& request) override;

 private:
  web::WebResponse route(const web::WebRequest& request, const web::RequestTarget& target);
  web::WebResponse api_get(const web::RequestTarget& target);
  PgConnection& connection();

  std::string pg_conninfo_;
  std::string pg_password_;
  const web::WebAccess& access_;
  std::unique_ptr<PgConnection> pg_;
};

}  // namespace assay::facility
