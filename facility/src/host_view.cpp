#include "assay/facility/host_view.hpp"

#include <map>

namespace assay::facility {
namespace {

using nlohmann::json;

json number_or_null(const PgResult& r, int row, int column) {
  return r.is_null(row, column) ? json() : json(std::stod(r.text(row, column)));
}

json text_or_null(const PgResult& r, int row, int column) {
  return r.is_null(row, column) ? json() : json(r.text(row, column));
}

}  // namespace

json duplicate_instruments(PgConnection& pg) {
  auto r = pg.exec("SELECT name, json_agg(host ORDER BY host) FROM assay.instruments GROUP BY name "
                   "HAVING COUNT(*) > 1 ORDER BY name");
  json out = json::array();
  for (int i = 0; i < r.rows(); ++i) out.push_back({{"name", r.text(i, 0)}, {"hosts", json::parse(r.text(i, 1))}});
  return out;
}

json facility_hosts(PgConnection& pg) {
  auto hosts = pg.exec(
      "SELECT host, last_seq, pending, last_event, updated_at, "
      "EXTRACT(EPOCH FROM updated_at - last_event), EXTRACT(EPOCH FROM clock_timestamp() - last_event) "
      "FROM assay.hosts ORDER BY host");
  auto instruments = pg.exec("SELECT host, name, state, detail, time FROM assay.instruments ORDER BY host, name");
  std::map<std::string, json> by_host;
  for (int i = 0; i < instruments.rows(); ++i) {
    by_host[instruments.text(i, 0)].push_back({{"name", instruments.text(i, 1)}, {"state", instruments.text(i, 2)},
                                               {"detail", instruments.text(i, 3)}, {"since", instruments.text(i, 4)}});
  }
  json out = json::array();
  for (int i = 0; i < hosts.rows(); ++i) {
    const auto host = hosts.text(i, 0);
    auto found = by_host.find(host);
    out.push_back({{"host", host},
                   {"last_seq", std::stoll(hosts.text(i, 1))},
                   {"waiting", std::stoll(hosts.text(i, 2))},
                   {"last_event", text_or_null(hosts, i, 3)},
                   {"stored_at", hosts.text(i, 4)},
                   {"lag_s", number_or_null(hosts, i, 5)},
                   {"silent_s", number_or_null(hosts, i, 6)},
                   {"instruments", found == by_host.end() ? json::array() : found->second}});
  }
  return {{"hosts", std::move(out)}, {"duplicate_instruments", duplicate_instruments(pg)}};
}

}  // namespace assay::facility
