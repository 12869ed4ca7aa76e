#include <arpa/inet.h>

#include "assay/web/http_server.hpp"

namespace assay::web {

bool parse_listen(const std::string& text, std::string& host, unsigned short& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size()) return false;
  std::string address = text.substr(0, colon);
  const std::string digits = text.substr(colon + 1);
  if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  const unsigned long number = std::stoul(digits);
  if (number > 65535) return false;
  unsigned char buffer[16];
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
    if (::inet_pton(AF_INET6, address.c_str(), buffer) != 1) return false;
  } else if (::inet_pton(AF_INET, address.c_str(), buffer) != 1) {
    return false;
  }
  host = address;
  port = static_cast<unsigned short>(number);
  return true;
}

}  // namespace assay::web
