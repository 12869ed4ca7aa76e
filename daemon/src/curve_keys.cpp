// CURVE key files and socket options (the authenticator thread is in curve_auth.cpp).
#include <sys/stat.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

#include "curve_auth.hpp"

namespace assay::daemon {
namespace {

constexpr std::string_view kCredentialPrefix = "credential:";

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// Key lines of a file: (line number, first word) with comments and blanks dropped. '#' is in
// the z85 alphabet (never first in a key), so a comment after a key must be separated from it
// by white space.
std::vector<std::pair<int, std::string>> key_lines(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    throw CurveError("cannot read CURVE key file " + file.string() +
                     ": it does not exist or is not readable by this user");
  }
  std::vector<std::pair<int, std::string>> lines;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream words(line);
    std::string first;
    std::string rest;
    if (!(words >> first)) continue;
    if (first[0] == '#' && !is_z85_key(first)) continue;
    if (words >> rest && rest[0] != '#') first = trim(line);  // reported whole as malformed
    lines.emplace_back(number, std::move(first));
  }
  return lines;
}

void check_key(const std::string& key, const std::filesystem::path& file, int line) {
  if (!is_z85_key(key)) {
    throw CurveError(file.string() + ":" + std::to_string(line) + ": '" + key +
                     "' is not a CURVE key (expected 40 z85 characters, as written by "
                     "`assayctl keygen`)");
  }
}

}  // namespace

void require_curve_support() {
  if (!zmq_has("curve")) {
    throw CurveError("this libzmq was built without CURVE support; tcp:// endpoints need it "
                     "(Debian's libzmq5 has it)");
  }
}

CurveKeyPair generate_curve_keypair() {
  require_curve_support();
  std::array<char, kCurveKeyZ85Chars + 1> public_key{};
  std::array<char, kCurveKeyZ85Chars + 1> secret_key{};
  if (zmq_curve_keypair(public_key.data(), secret_key.data()) != 0) {
    throw CurveError(std::string("zmq_curve_keypair failed: ") + zmq_strerror(zmq_errno()));
  }
  return {public_key.data(), secret_key.data()};
}

std::string curve_public_key(const std::string& secret_key_z85) {
  require_curve_support();
  if (!is_z85_key(secret_key_z85)) {
    throw CurveError("not a CURVE secret key (expected 40 z85 characters)");
  }
  std::array<char, kCurveKeyZ85Chars + 1> public_key{};
  if (zmq_curve_public(public_key.data(), secret_key_z85.c_str()) != 0) {
    throw CurveError(std::string("zmq_curve_public failed: ") + zmq_strerror(zmq_errno()));
  }
  return public_key.data();
}

bool is_z85_key(const std::string& text) {
  if (text.size() != kCurveKeyZ85Chars) return false;
  std::array<std::uint8_t, 32> bytes{};
  return zmq_z85_decode(bytes.data(), text.c_str()) != nullptr;
}

std::filesystem::path resolve_key_path(const std::filesystem::path& configured) {
  const std::string text = configured.string();
  if (text.rfind(kCredentialPrefix, 0) != 0) return configured;
  const std::string name = text.substr(kCredentialPrefix.size());
  const char* directory = std::getenv("CREDENTIALS_DIRECTORY");
  if (directory == nullptr || *directory == '\0') {
    throw CurveError("key '" + text + "' names a systemd credential, but $CREDENTIALS_DIRECTORY "
                     "is not set: add LoadCredential=" + name +
                     ":/path/to/file to the unit, or give a file path instead");
  }
  return std::filesystem::path(directory) / name;
}

std::string read_curve_key_file(const std::filesystem::path& configured) {
  const auto file = resolve_key_path(configured);
  const auto lines = key_lines(file);
  if (lines.empty()) throw CurveError(file.string() + ": no key in file (only blanks/comments)");
  check_key(lines.front().second, file, lines.front().first);
  return lines.front().second;
}

CurveKeyPair read_curve_secret_key_file(const std::filesystem::path& configured) {
  const auto file = resolve_key_path(configured);
  struct stat info {};
  if (::stat(file.c_str(), &info) == 0 && (info.st_mode & S_IROTH) != 0) {
    throw CurveError(file.string() + " holds a secret key but is readable by every user: run "
                     "`chmod 600 " + file.string() + "` (or 640 with the assayd group)");
  }
  CurveKeyPair pair;
  pair.secret_key = read_curve_key_file(file);
  pair.public_key = curve_public_key(pair.secret_key);
  return pair;
}

std::vector<std::string> read_allowed_clients(const std::filesystem::path& configured) {
  const auto file = resolve_key_path(configured);
  std::vector<std::string> keys;
  for (const auto& [line, key] : key_lines(file)) {
    check_key(key, file, line);
    keys.push_back(key);
  }
  return keys;
}

std::string curve_key_from_text_or_file(const std::string& text) {
  if (is_z85_key(text)) return text;
  return read_curve_key_file(text);
}

void configure_curve_client(zmq::socket_t& socket, const std::string& server_public_key_z85,
                            const CurveKeyPair& client) {
  require_curve_support();
  if (!is_z85_key(server_public_key_z85)) {
    throw CurveError("server public key is not a z85 CURVE key (40 characters)");
  }
  if (!is_z85_key(client.public_key) || !is_z85_key(client.secret_key)) {
    throw CurveError("client key pair is not z85 CURVE keys (40 characters each)");
  }
  socket.set(zmq::sockopt::curve_serverkey, server_public_key_z85);
  socket.set(zmq::sockopt::curve_publickey, client.public_key);
  socket.set(zmq::sockopt::curve_secretkey, client.secret_key);
}

}  // namespace assay::daemon
