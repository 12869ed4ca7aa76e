// The facility view's server inside assay-facility: its own thread and io_context, so that
// neither a slow query nor a slow browser ever delays storing the stream (and the stream never
// delays the view). Starts in the constructor, stops in the destructor.
#pragma once

#include <memory>
#include <string>

#include "assay/facility/facility_config.hpp"

namespace assay::facility {

class FacilityWeb {
 public:
  // Binds [web] listen; throws std::runtime_error naming the address when it cannot, or the
  // password file when it cannot be read.
  FacilityWeb(const FacilityWebConfig& web, const std::string& store_conninfo, const std::string& store_password_file);
  ~FacilityWeb();
  FacilityWeb(const FacilityWeb&) = delete;
  FacilityWeb& operator=(const FacilityWeb&) = delete;

  // "http://HOST:PORT/" with the port actually bound.
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace assay::facility
