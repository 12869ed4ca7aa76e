// The one bridge between a protocol's callbacks (store a page of readings, report progress) and
// a driver, which takes status values only: nothing may unwind through a driver, or it skips
// ending its run (the CLARIOstar stays busy) and the next job finds the reader stuck.
//
//   DriverCallbacks callbacks(ctx.stop());
//   auto status = reader.read_absorbance(plan, callbacks.sink(store_page),
//                                        callbacks.progress(report), callbacks.stop());
//   callbacks.check(status, "the absorbance read");  // rethrows a callback's exception here
//
// A callback that throws is caught; its exception is kept, the sink returns a failed Status and
// stop() is requested so the driver ends its run at the next safe point; check() rethrows it
// once the driver returned. One object per driver call, used on the thread that makes the call.
#pragma once

#include <exception>
#include <functional>
#include <span>
#include <stop_token>
#include <string>

#include "assay/drivers/readings.hpp"
#include "assay/protocols/protocol.hpp"

namespace assay::protocols {

class DriverCallbacks {
 public:
  // `outer` is the job's stop token (cancel, shutdown); stop() follows it.
  explicit DriverCallbacks(std::stop_token outer)
      : follow_outer_(std::move(outer), [this] { stop_.request_stop(); }) {}
  DriverCallbacks(const DriverCallbacks&) = delete;
  DriverCallbacks& operator=(const DriverCallbacks&) = delete;

  // A ReadingSink around `store`, which may throw.
  drivers::ReadingSink sink(std::function<void(std::span<const drivers::Reading>)> store) {
    return [this, store = std::move(store)](std::span<const drivers::Reading> page) {
      if (error_) return failed();
      try {
        store(page);
        return drivers::Status::ok();
      } catch (...) {
        keep(std::current_exception());
        return failed();
      }
    };
  }

  // A ProgressSink around `report`, which may throw.
  drivers::ProgressSink progress(std::function<void(double, const std::string&)> report) {
    return [this, report = std::move(report)](double fraction, const std::string& message) {
      if (error_) return;
      try {
        report(fraction, message);
      } catch (...) {
        keep(std::current_exception());
      }
    };
  }

  // For the driver call: requested by the job's token or by a callback that failed.
  std::stop_token stop() const { return stop_.get_token(); }

  // After the driver returned: rethrows what a callback threw, else throw_if_failed(status).
  void check(const drivers::Status& status, const std::string& doing) const {
    if (error_) std::rethrow_exception(error_);
    throw_if_failed(status, doing);
  }

 private:
  void keep(std::exception_ptr error) {
    error_ = std::move(error);
    stop_.request_stop();
  }
  static drivers::Status failed() {
    return {drivers::StatusCode::cancelled, "stopped: storing or reporting failed in the host"};
  }

  std::stop_source stop_;
  std::exception_ptr error_;
  std::stop_callback<std::function<void()>> follow_outer_;
};

}  // namespace assay::protocols
