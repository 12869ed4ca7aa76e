#include "assay/facility/envelope.hpp"

#include <cctype>

namespace assay::facility {

bool is_valid_host_name(const std::string& host) {
  if (host.empty() || host.size() > 64) return false;
  for (unsigned char c : host) {
    if (!std::isalnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

std::string event_subject(const std::string& host, const std::string& topic) {
  return std::string(kSubjectRoot) + "." + host + "." + topic;
}

std::string message_id(const std::string& host, std::int64_t seq) { return host + ":" + std::to_string(seq); }

}  // namespace assay::facility
