// The protocols the daemon offers, as one immutable registry that a reload replaces whole.
//
// Workers take current() once per job and the API once per request, and keep that snapshot
// while they use it, so a SIGHUP that loads a plugin never writes a map someone is reading: it
// copies the registry, adds to the copy, and swaps the pointer. Thread-safe.
#pragma once

#include <memory>
#include <mutex>

#include "assay/protocols/registry.hpp"

namespace assay::daemon {

class ProtocolCatalog {
 public:
  explicit ProtocolCatalog(protocols::ProtocolRegistry initial)
      : current_(std::make_shared<const protocols::ProtocolRegistry>(std::move(initial))) {}

  std::shared_ptr<const protocols::ProtocolRegistry> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

  // Publishes `next`; jobs already running keep the snapshot they took.
  void replace(protocols::ProtocolRegistry next) {
    auto fresh = std::make_shared<const protocols::ProtocolRegistry>(std::move(next));
    std::lock_guard lock(mutex_);
    current_.swap(fresh);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const protocols::ProtocolRegistry> current_;
};

}  // namespace assay::daemon
