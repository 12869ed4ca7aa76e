// Aravis' fake GigE Vision camera (arv-fake-gv-camera-0.8, package aravis-tools) as a child
// process on 127.0.0.1, speaking the real GVCP/GVSP protocol over UDP.
//
//   FakeGigeCamera camera("GC7");      // skips the test (exit 77) when the tool is not installed
//   camera.kill();                     // SIGKILL: the camera vanishes mid-acquisition
//   camera.start();                    // and comes back
//
// Its control port (UDP 3956) is fixed, so only one runs at a time: the genicam tests share a
// CTest resource lock. The camera serves Mono8, Mono16, Bayer*8 and RGB8 up to 2048x2048 with
// exposure 10 us-10 s and gain 0-10; pixel values grow linearly with the exposure.
#pragma once

#include <sys/types.h>

#include <string>

class FakeGigeCamera {
 public:
  explicit FakeGigeCamera(std::string serial);
  ~FakeGigeCamera();
  FakeGigeCamera(const FakeGigeCamera&) = delete;
  FakeGigeCamera& operator=(const FakeGigeCamera&) = delete;

  // Starts the process and waits until it answers discovery (fails the test after 10 s).
  void start();
  void kill();
  const std::string& serial() const { return serial_; }
  static std::string vendor() { return "Aravis"; }
  static std::string model() { return "Fake"; }

 private:
  std::string serial_;
  pid_t pid_ = -1;
};

// The tool's path, or empty when aravis-tools is not installed.
std::string fake_gige_camera_tool();
