// `assayctl keygen [--out PREFIX] [--force]`: a CURVE key pair for a tcp:// endpoint of assayd.
// Writes PREFIX.key (secret, mode 0600, created without a window where others could read it)
// and PREFIX.pub (public, 0644), then prints the public key. A server uses PREFIX.key as
// [curve] server_secret_key_file; a client's PREFIX.pub line goes into the server's allow-list.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "../src/curve_auth.hpp"
#include "commands.hpp"

namespace assay::ctl {
namespace {

struct KeygenOptions {
  std::string prefix = "assayd-curve";
  std::string comment;
  bool force = false;
};

void write_key_file(const std::filesystem::path& file, const std::string& text, mode_t mode,
                    bool force) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
  const int fd = ::open(file.c_str(), flags, mode);
  if (fd < 0) {
    const int error = errno;
    std::cerr << "assayctl keygen: cannot create " << file.string() << ": "
              << std::strerror(error)
              << (error == EEXIST ? " (use --force to replace it, or another --out)" : "") << "\n";
    exit_with(kExitUsage);
  }
  // O_CREAT honours the umask and keeps an existing file's mode: set the mode explicitly.
  const bool ok = ::fchmod(fd, mode) == 0 &&
                  ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!ok) {
    std::cerr << "assayctl keygen: cannot write " << file.string() << ": "
              << std::strerror(error) << "\n";
    exit_with(kExitUsage);
  }
}

void run_keygen(const KeygenOptions& options) {
  daemon::CurveKeyPair pair;
  try {
    pair = daemon::generate_curve_keypair();
  } catch (const daemon::CurveError& e) {
    std::cerr << "assayctl keygen: " << e.what() << "\n";
    exit_with(kExitRefused);
  }
  const std::string label = options.comment.empty()
                                ? std::filesystem::path(options.prefix).filename().string()
                                : options.comment;
  const std::filesystem::path secret_file = options.prefix + ".key";
  const std::filesystem::path public_file = options.prefix + ".pub";
  write_key_file(secret_file,
                 "# assayd CURVE secret key (" + label + "): keep private\n" + pair.secret_key +
                     "\n",
                 0600, options.force);
  write_key_file(public_file, pair.public_key + "  # " + label + "\n", 0644, options.force);
  std::cerr << "secret key: " << secret_file.string() << " (mode 0600)\n"
            << "public key: " << public_file.string() << "\n";
  std::cout << pair.public_key << "\n";
}

}  // namespace

void add_keygen_command(CLI::App& app) {
  auto options = std::make_shared<KeygenOptions>();
  CLI::App* keygen = app.add_subcommand(
      "keygen", "Create a CURVE key pair (PREFIX.key secret, PREFIX.pub public) for tcp:// "
                "endpoints; prints the public key");
  keygen->add_option("--out,-o", options->prefix, "path prefix of the two key files")
      ->capture_default_str();
  keygen->add_option("--comment,-c", options->comment,
                     "who the key is for, written into the files (default: the prefix)");
  keygen->add_flag("--force,-f", options->force, "replace existing key files");
  keygen->callback([options] { run_keygen(*options); });
}

}  // namespace assay::ctl
