// CURVE on tcp endpoints with real ZeroMQ sockets on 127.0.0.1: who is let in, who is refused,
// and that every refusal is logged.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <zmq_addon.hpp>

#include "curve_auth.hpp"

namespace fs = std::filesystem;
using assay::daemon::CurveAuthenticator;
using assay::daemon::CurveError;
using assay::daemon::CurveKeyPair;
using assay::daemon::generate_curve_keypair;

namespace {

constexpr auto kHandshakeDeadline = std::chrono::seconds(5);
constexpr auto kSilenceWindow = std::chrono::milliseconds(300);

// Routes spdlog's default logger into a ring buffer for the lifetime of the object.
class CapturedLog {
 public:
  CapturedLog() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256)) {
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink_));
    spdlog::set_level(spdlog::level::debug);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  bool contains(const std::string& text) const {
    for (const auto& line : sink_->last_formatted()) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

// A CURVE ROUTER on an ephemeral loopback port, checked by an authenticator.
struct CurveServer {
  explicit CurveServer(zmq::context_t& context, std::vector<std::string> allowed)
      : keys(generate_curve_keypair()), auth(context, std::move(allowed)),
        socket(context, zmq::socket_type::router) {
    socket.set(zmq::sockopt::linger, 0);
    auth.configure_server(socket, keys.secret_key, "api");
    socket.bind("tcp://127.0.0.1:*");
    endpoint = socket.get(zmq::sockopt::last_endpoint);
  }
  // The payload of the next request, or "" if none arrives within `wait`.
  std::string receive(std::chrono::milliseconds wait) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, wait) == 0) return {};
    std::vector<zmq::message_t> frames;
    (void)zmq::recv_multipart(socket, std::back_inserter(frames));
    REQUIRE(frames.size() == 2);
    socket.send(frames[0], zmq::send_flags::sndmore);
    socket.send(zmq::str_buffer("pong"), zmq::send_flags::none);
    return frames[1].to_string();
  }
  CurveKeyPair keys;
  CurveAuthenticator auth;
  zmq::socket_t socket;
  std::string endpoint;
};

zmq::socket_t dealer(zmq::context_t& context) {
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  return socket;
}

template <typename Predicate>
bool eventually(Predicate predicate) {
  const auto deadline = std::chrono::steady_clock::now() + kHandshakeDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return predicate();
}

fs::path scratch_dir() {
  auto dir = fs::temp_directory_path() / ("assay-curve-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

void write_file(const fs::path& file, const std::string& text, fs::perms mode) {
  std::ofstream(file) << text;
  fs::permissions(file, mode);
}

}  // namespace

TEST_CASE("client with an allowed CURVE key gets replies over tcp") {
  zmq::context_t context;
  const CurveKeyPair client_keys = generate_curve_keypair();
  CurveServer server(context, {client_keys.public_key});
  auto client = dealer(context);
  assay::daemon::configure_curve_client(client, server.keys.public_key, client_keys);
  client.connect(server.endpoint);
  client.send(zmq::str_buffer("ping"), zmq::send_flags::none);

  CHECK(server.receive(std::chrono::duration_cast<std::chrono::milliseconds>(kHandshakeDeadline)) ==
        "ping");
  zmq::pollitem_t item{client.handle(), 0, ZMQ_POLLIN, 0};
  REQUIRE(zmq::poll(&item, 1, std::chrono::milliseconds(2000)) == 1);
  zmq::message_t reply;
  REQUIRE(client.recv(reply));
  CHECK(reply.to_string() == "pong");
  CHECK(server.auth.accepted_count() == 1);
  CHECK(server.auth.refused_count() == 0);
}

TEST_CASE("client with an unknown CURVE key is refused and the refusal logged with its key") {
  CapturedLog log;
  zmq::context_t context;
  const CurveKeyPair allowed = generate_curve_keypair();
  const CurveKeyPair stranger = generate_curve_keypair();
  CurveServer server(context, {allowed.public_key});
  auto client = dealer(context);
  assay::daemon::configure_curve_client(client, server.keys.public_key, stranger);
  client.connect(server.endpoint);
  client.send(zmq::str_buffer("ping"), zmq::send_flags::dontwait);

  REQUIRE(eventually([&] { return server.auth.refused_count() >= 1; }));
  CHECK(server.receive(kSilenceWindow).empty());
  CHECK(server.auth.accepted_count() == 0);
  CHECK(log.contains(stranger.public_key));
  CHECK(log.contains("not in the allow-list"));
}

TEST_CASE("client that does not use CURVE is refused and the refusal logged") {
  CapturedLog log;
  zmq::context_t context;
  CurveServer server(context, {generate_curve_keypair().public_key});
  auto client = dealer(context);
  client.connect(server.endpoint);
  client.send(zmq::str_buffer("ping"), zmq::send_flags::dontwait);

  REQUIRE(eventually([&] { return server.auth.handshake_failures() >= 1; }));
  CHECK(server.receive(kSilenceWindow).empty());
  CHECK(server.auth.accepted_count() == 0);
  CHECK(log.contains("does not use CURVE"));
}

TEST_CASE("client that knows the wrong server key never reaches the server") {
  zmq::context_t context;
  const CurveKeyPair client_keys = generate_curve_keypair();
  CurveServer server(context, {client_keys.public_key});
  auto client = dealer(context);
  assay::daemon::configure_curve_client(client, generate_curve_keypair().public_key, client_keys);
  client.connect(server.endpoint);
  client.send(zmq::str_buffer("ping"), zmq::send_flags::dontwait);

  REQUIRE(eventually([&] { return server.auth.handshake_failures() >= 1; }));
  CHECK(server.receive(kSilenceWindow).empty());
  CHECK(server.auth.accepted_count() == 0);
}

TEST_CASE("allow-list reload lets a newly listed client in") {
  zmq::context_t context;
  const CurveKeyPair late = generate_curve_keypair();
  CurveServer server(context, {});
  CHECK(server.auth.allowed_count() == 0);
  server.auth.set_allowed_clients({late.public_key});
  CHECK(server.auth.allowed_count() == 1);
  auto client = dealer(context);
  assay::daemon::configure_curve_client(client, server.keys.public_key, late);
  client.connect(server.endpoint);
  client.send(zmq::str_buffer("hello"), zmq::send_flags::none);
  CHECK(server.receive(std::chrono::duration_cast<std::chrono::milliseconds>(kHandshakeDeadline)) ==
        "hello");
}

TEST_CASE("second authenticator on the same context is refused") {
  zmq::context_t context;
  CurveAuthenticator first(context, {});
  CHECK_THROWS_AS(CurveAuthenticator(context, {}), CurveError);
}

TEST_CASE("allow-list file: comments and blanks skipped, bad line named") {
  const auto dir = scratch_dir();
  const auto a = generate_curve_keypair().public_key;
  const auto b = generate_curve_keypair().public_key;
  write_file(dir / "clients", "# dashboards\n\n" + a + "  # lab-pc-3\n  " + b + "\n",
             fs::perms::owner_read | fs::perms::owner_write);
  CHECK(assay::daemon::read_allowed_clients(dir / "clients") == std::vector<std::string>{a, b});

  write_file(dir / "bad", a + "\nnot-a-key\n", fs::perms::owner_read | fs::perms::owner_write);
  try {
    assay::daemon::read_allowed_clients(dir / "bad");
    FAIL("a malformed allow-list was accepted");
  } catch (const CurveError& e) {
    CHECK_THAT(e.what(), Catch::Contains("bad:2") && Catch::Contains("not-a-key"));
  }
  CHECK_THROWS_AS(assay::daemon::read_allowed_clients(dir / "missing"), CurveError);
  fs::remove_all(dir);
}

TEST_CASE("secret key file: public key derived, world-readable file refused") {
  const auto dir = scratch_dir();
  const CurveKeyPair pair = generate_curve_keypair();
  write_file(dir / "server.key", "# assayd server\n" + pair.secret_key + "\n",
             fs::perms::owner_read | fs::perms::owner_write);
  const CurveKeyPair read = assay::daemon::read_curve_secret_key_file(dir / "server.key");
  CHECK(read.secret_key == pair.secret_key);
  CHECK(read.public_key == pair.public_key);

  fs::permissions(dir / "server.key", fs::perms::others_read, fs::perm_options::add);
  CHECK_THROWS_WITH(assay::daemon::read_curve_secret_key_file(dir / "server.key"),
                    Catch::Contains("chmod 600"));
  fs::remove_all(dir);
}

TEST_CASE("key path credential:NAME reads from the systemd credentials directory") {
  const auto dir = scratch_dir();
  const CurveKeyPair pair = generate_curve_keypair();
  write_file(dir / "curve-server.key", pair.secret_key + "\n", fs::perms::owner_read);
  ::unsetenv("CREDENTIALS_DIRECTORY");
  CHECK_THROWS_WITH(assay::daemon::read_curve_secret_key_file("credential:curve-server.key"),
                    Catch::Contains("LoadCredential="));
  ::setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1);
  CHECK(assay::daemon::read_curve_secret_key_file("credential:curve-server.key").public_key ==
        pair.public_key);
  ::unsetenv("CREDENTIALS_DIRECTORY");
  CHECK(assay::daemon::resolve_key_path("/etc/assayd/x.key") == fs::path("/etc/assayd/x.key"));
  fs::remove_all(dir);
}

TEST_CASE("key given as text or as a file name") {
  const auto dir = scratch_dir();
  const auto key = generate_curve_keypair().public_key;
  write_file(dir / "server.pub", key + "\n", fs::perms::owner_read | fs::perms::owner_write);
  CHECK(assay::daemon::curve_key_from_text_or_file(key) == key);
  CHECK(assay::daemon::curve_key_from_text_or_file((dir / "server.pub").string()) == key);
  CHECK_FALSE(assay::daemon::is_z85_key(key.substr(1)));
  fs::remove_all(dir);
}
