// Settings of a GenICam camera (GigE Vision or USB3 Vision, through Aravis) and of the
// "genicam" imager around it, from the instrument config.
//
// The camera is found by `device_id` (Aravis' id such as "Basler-21234567", or a GigE camera's
// IP address) or by any of `vendor`, `model`, `serial` (every one given must match; none = the
// first camera found). from_json() refuses unknown keys and names the key at fault under the
// given path. Value types.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "assay/drivers/field_on_stage.hpp"
#include "assay/drivers/status.hpp"

namespace assay::drivers {

// How a frame is started: a software trigger per field (the default: every frame is exposed
// after its settings were applied), an external pulse on `trigger_source` (the camera waits for
// it up to the grab timeout), or free running (the next complete frame after `frames_to_discard`).
enum class GenicamTrigger { software, hardware, free_run };

struct GenicamCameraSettings {
  std::string device_id;
  std::string vendor;
  std::string model;
  std::string serial;
  std::string pixel_format = "Mono8";  // Mono8, Mono12, Mono16, Bayer{RG,GB,GR,BG}{8,12,16}, RGB8
  int width_px = 0;                    // region of interest in binned pixels; 0 = whole sensor
  int height_px = 0;
  int offset_x_px = 0;
  int offset_y_px = 0;
  int binning = 1;                     // the same on both axes, so that pixels stay square
  double pixel_size_um = 10.0;         // one unbinned sensor pixel at the sample plane
  GenicamTrigger trigger = GenicamTrigger::software;
  std::string trigger_source = "Line0";         // hardware trigger input
  std::string trigger_activation = "RisingEdge";
  bool gain_in_db = true;              // the camera's Gain is in dB (SFNC); false = a linear factor
  int grab_timeout_ms = 2000;          // one frame (and its trigger) must arrive within this
  int frames_to_discard = 2;           // free_run only: frames after an exposure or gain change
  int buffers = 4;                     // the stream's buffer pool
  int socket_buffer_bytes = 8 << 20;   // GigE receive buffer; the kernel caps it at net.core.rmem_max
  int packet_size_bytes = 0;           // GigE stream packet size; 0 = negotiate the largest that passes
  bool monochrome = false;             // deliver grey frames from colour formats

  // "device Aravis-Fake-GC01" or "vendor 'Basler', serial '2123'" or "the first camera", for messages.
  std::string wanted() const;
  // The size of one delivered (binned) pixel at the sample, in micrometres.
  double delivered_pixel_size_um() const { return pixel_size_um * binning; }

  static Result<GenicamCameraSettings> from_json(const nlohmann::json& settings, const std::string& path);
};

struct GenicamImagerSettings {
  GenicamCameraSettings camera;
  nlohmann::json stage = nullptr;  // the stage table, null for none
  PlateOnStage placement;
  double focus_z_um = 0.0;         // nominal focus, where autofocus starts for a new plate
  bool home_on_connect = false;

  static Result<GenicamImagerSettings> from_json(const nlohmann::json& settings, const std::string& path);
};

const char* to_string(GenicamTrigger trigger);

}  // namespace assay::drivers
