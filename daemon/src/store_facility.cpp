// Store: the facility bridge's cursor (the last event seq the facility stream acknowledged).
#include "assay/daemon/store.hpp"

namespace assay::daemon {

std::int64_t Store::facility_acked_seq(const std::string& target) {
  std::lock_guard lock(write_mutex_);
  auto select = writer_.prepare("SELECT acked_seq FROM facility_cursor WHERE target = ?");
  select.bind(1, target);
  return select.step() ? select.column_int(0) : 0;
}

void Store::set_facility_acked_seq(const std::string& target, std::int64_t seq) {
  // Under the writer's lock, not through a second write connection: the workers' transactions
  // never wait on SQLite's busy handler because of the bridge.
  std::lock_guard lock(write_mutex_);
  writer_.prepare(
             "INSERT INTO facility_cursor (target, acked_seq, acked_at) VALUES (?1, ?2, ?3) "
             "ON CONFLICT (target) DO UPDATE SET acked_seq = MAX(acked_seq, ?2), acked_at = ?3")
      .bind(1, target)
      .bind(2, seq)
      .bind(3, utc_now())
      .run();
}

}  // namespace assay::daemon
