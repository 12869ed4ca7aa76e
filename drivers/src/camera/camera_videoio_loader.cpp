// Host side of the camera's OpenCV videoio module: finds it beside the executable, loads it
// once and forwards open_opencv_source() to it. See opencv_source.hpp.
#include <dlfcn.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "opencv_source.hpp"

namespace assay::drivers {
namespace {

// ASSAY_CAMERA_VIDEOIO_MODULE is the module's path relative to the executable's folder, the
// same in the build tree and once installed (bin/../lib/assayd/camera_videoio.so).
std::filesystem::path module_path() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (exe.parent_path() / ASSAY_CAMERA_VIDEOIO_MODULE).lexically_normal();
}

Result<const CameraVideoioModule*> load_module() {
  const auto path = module_path();
  const std::string fix = "; reinstall assayd (the module is part of the package) or build the "
                          "target assay_camera_videoio";
  ::dlerror();
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = ::dlerror();
    return Status{StatusCode::unsupported, "the camera's OpenCV videoio module cannot be loaded: " +
                                               std::string(error ? error : path.string()) + fix};
  }
  using Entry = const CameraVideoioModule* (*)();
  auto entry = reinterpret_cast<Entry>(::dlsym(handle, kCameraVideoioEntry));
  const CameraVideoioModule* module = entry != nullptr ? entry() : nullptr;
  if (module == nullptr || module->open == nullptr || module->interface == nullptr ||
      std::string(module->interface) != kCameraVideoioInterface) {
    ::dlclose(handle);
    return Status{StatusCode::unsupported,
                  path.string() + " is not the camera module of this assayd build" + fix};
  }
  return module;  // the handle stays open: the frame sources it returns run its code
}

}  // namespace

Result<OpenedSource> open_opencv_source(const CameraSettings& settings) {
  static const Result<const CameraVideoioModule*> module = load_module();
  if (!module) return module.status();
  return (*module)->open(settings);
}

}  // namespace assay::drivers
