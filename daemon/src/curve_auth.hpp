// CURVE security for tcp:// endpoints: key files, socket setup, and a ZAP authenticator.
//
// Contract. A tcp:// endpoint of assayd is served only with CURVE: the server socket gets the
// server's secret key (CurveAuthenticator::configure_server) and every client handshake is
// checked by that CurveAuthenticator against an allow-list of z85 client public keys. A client whose key is
// not listed is refused with ZAP status 400, and a client that does not speak CURVE at all is
// refused by libzmq's mechanism check; both refusals are logged (spdlog, warn) with the key or
// the endpoint. Keys are z85 text, 40 characters (32 bytes).
//
// Key files hold one key on the first line that is neither empty nor a '#' comment. A path of
// the form "credential:NAME" names a systemd credential: $CREDENTIALS_DIRECTORY/NAME
// (LoadCredential= in the unit), so the secret key can stay root-only on disk.
//
// Threading. CurveAuthenticator owns one thread and every socket that thread uses: the ZAP REP
// socket bound to inproc://zeromq.zap.01, a control PAIR, and the monitor PAIRs of watched
// server sockets. Its public member functions may be called from any thread, but
// configure_server() and configure_curve_client() touch the caller's socket, so call them on
// the thread that owns that socket, before bind()/connect(). One authenticator per
// zmq::context_t (the ZAP address is per context); destroy it before the context is closed.
// libzmq (stable API) accepts every CURVE client when no ZAP handler is bound, which is why
// server sockets are configured only through an authenticator.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <zmq.hpp>

namespace assay::daemon {

class CurveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kCurveKeyZ85Chars = 40;
inline constexpr const char* kZapDomain = "assayd";

struct CurveKeyPair {
  std::string public_key;  // z85, 40 chars
  std::string secret_key;  // z85, 40 chars
};

// Throws CurveError if libzmq was built without CURVE support.
void require_curve_support();
// A fresh key pair (zmq_curve_keypair).
CurveKeyPair generate_curve_keypair();
// The public key that belongs to a z85 secret key (zmq_curve_public).
std::string curve_public_key(const std::string& secret_key_z85);
// True for 40 characters of the z85 alphabet that decode to 32 bytes.
bool is_z85_key(const std::string& text);

// "credential:NAME" -> $CREDENTIALS_DIRECTORY/NAME; any other path is returned unchanged.
// Throws CurveError if the credential form is used while $CREDENTIALS_DIRECTORY is unset.
std::filesystem::path resolve_key_path(const std::filesystem::path& configured);
// Reads one z85 key from `file` (after resolve_key_path). Errors name the file and line.
std::string read_curve_key_file(const std::filesystem::path& file);
// Reads a secret key file and refuses one that is readable by everyone (says to chmod 600).
// Returns the pair with the public key derived from the secret one.
CurveKeyPair read_curve_secret_key_file(const std::filesystem::path& file);
// Allow-list: one z85 public key per line, '#' starts a comment (also after a key), blank
// lines ignored. A malformed line is an error naming file and line. An empty list is allowed
// (every client is then refused).
std::vector<std::string> read_allowed_clients(const std::filesystem::path& file);
// `text` itself if it is a z85 key, otherwise the key read from the file it names. For
// command-line options such as assayctl --curve-server-key.
std::string curve_key_from_text_or_file(const std::string& text);

// Client side: the server's public key and this client's key pair. Call before connect().
void configure_curve_client(zmq::socket_t& socket, const std::string& server_public_key_z85,
                            const CurveKeyPair& client);

class CurveAuthenticator {
 public:
  // Binds the ZAP socket on `context` and starts the thread. Throws CurveError if another
  // authenticator already serves this context.
  CurveAuthenticator(zmq::context_t& context, std::vector<std::string> allowed_public_keys);
  ~CurveAuthenticator();
  CurveAuthenticator(const CurveAuthenticator&) = delete;
  CurveAuthenticator& operator=(const CurveAuthenticator&) = delete;

  // Replaces the allow-list (config reload); handshakes after this call see the new list.
  void set_allowed_clients(std::vector<std::string> allowed_public_keys);
  // Makes `server` a CURVE server (ZMQ_CURVE_SERVER, the secret key, the ZAP domain) checked
  // by this authenticator, and logs its failed handshakes: that is how a client that does not
  // use CURVE at all shows up in the log. `label` names the socket in logs ("api", "events").
  // Call on the socket's thread, before bind().
  void configure_server(zmq::socket_t& server, const std::string& server_secret_key_z85,
                        const std::string& label);

  std::size_t allowed_count() const;
  std::size_t accepted_count() const { return accepted_.load(); }
  std::size_t refused_count() const { return refused_.load(); }  // ZAP refusals (unknown key)
  std::size_t handshake_failures() const { return handshake_failures_.load(); }  // watched

 private:
  void watch(zmq::socket_t& server, const std::string& label);
  void run(zmq::socket_t zap, zmq::socket_t control);
  void answer(zmq::socket_t& zap);

  zmq::context_t& context_;
  mutable std::mutex mutex_;  // guards allowed_
  std::unordered_set<std::string> allowed_;
  zmq::socket_t control_;  // owner side of the control pair; used only under control_mutex_
  std::mutex control_mutex_;
  std::string control_endpoint_;
  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> refused_{0};
  std::atomic<std::size_t> handshake_failures_{0};
  std::atomic<int> next_monitor_{0};
  std::thread thread_;
};

}  // namespace assay::daemon
