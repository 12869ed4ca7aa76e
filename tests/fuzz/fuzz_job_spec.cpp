// A job as a client submits it: any JSON must end in a JobSpecError or ProtocolError naming the
// field at fault (or be accepted), for every built-in protocol's validation.
#include <nlohmann/json.hpp>

#include "assay/protocols/job_spec.hpp"
#include "assay/protocols/protocol.hpp"
#include "assay/protocols/registry.hpp"
#include "fuzz/fuzz_target.hpp"

namespace pr = assay::protocols;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const pr::ProtocolRegistry registry = [] {
    pr::ProtocolRegistry r;
    pr::register_builtin_protocols(r);
    return r;
  }();
  auto json = nlohmann::json::parse(assay::fuzz::as_text(data, size), nullptr, false);
  if (json.is_discarded()) return 0;  // not JSON: the API answers bad_json before this point
  try {
    const auto job = pr::JobSpec::from_json(json);
    for (const auto& [name, protocol] : registry.all()) {
      try {
        (void)protocol->instrument_kind_for(job);
        protocol->validate(job);
      } catch (const pr::ProtocolError&) {
      }
    }
  } catch (const pr::JobSpecError&) {
  } catch (const std::exception& e) {
    assay::fuzz::unexpected("job spec", e);
  }
  return 0;
}
