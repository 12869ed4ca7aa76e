#include "assay/facility/submit_subjects.hpp"

#include "assay/facility/envelope.hpp"

namespace assay::facility {

std::string submit_subject_for_host(const std::string& host) { return "assayd.submit.host." + host; }

std::string submit_subject_for_instrument(const std::string& instrument) {
  return "assayd.submit.instrument." + instrument;
}

std::string who_has_subject_for_instrument(const std::string& instrument) {
  return "assayd.who.instrument." + instrument;
}

bool is_routable_instrument_name(const std::string& instrument) { return is_valid_host_name(instrument); }

}  // namespace assay::facility
