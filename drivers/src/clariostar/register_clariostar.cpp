// Registers the CLARIOstar drivers: "clariostar" (the real reader over USB/FTDI, watched by a
// hotplug monitor) and "clariostar-virtual" (the same driver code talking to the in-memory
// virtual reader through the scripted transport).
#include <memory>

#include "assay/drivers/clariostar/clariostar_reader.hpp"
#include "assay/drivers/clariostar/virtual_clariostar.hpp"
#include "assay/drivers/scripted_transport.hpp"
#include "assay/drivers/usb/ftdi_transport.hpp"
#include "assay/drivers/usb/hotplug_monitor.hpp"
#include "builtin_drivers.hpp"

namespace assay::drivers {

namespace {

constexpr std::uint16_t bmg_vendor_id = 0x0403;   // FTDI's vendor id ...
constexpr std::uint16_t clariostar_product_id = 0xBB68;  // ... with BMG's product id

Result<std::unique_ptr<Instrument>> make_real(const std::string& name, const nlohmann::json& json) {
  auto settings = clariostar::ClariostarSettings::from_json(json);
  if (!settings) return settings.status();
  usb::UsbMatch match{bmg_vendor_id, clariostar_product_id, settings->serial};
  // libusb is initialised once per reader; a host without USB access gets a clear error at
  // connect() instead of a failed daemon.
  auto context = usb::UsbContext::create();
  std::shared_ptr<usb::UsbContext> shared = context ? *context : nullptr;
  Status context_error = context ? Status::ok()
                                 : Status{context.status().code(),
                                          "cannot use USB to reach the CLARIOstar (" + match.describe() +
                                              "): " + context.status().message()};
  clariostar::TransportOpener opener = [shared, match, context_error]()
      -> Result<std::unique_ptr<Transport>> {
    if (!shared) return context_error;
    auto transport = usb::FtdiTransport::open(shared, match);
    if (!transport) {
      if (transport.status().code() == StatusCode::not_found) {
        return Status{StatusCode::not_found,
                      "no CLARIOstar on USB (" + match.describe() + "): the reader stays offline "
                      "until it is plugged in and switched on"};
      }
      return transport.status();
    }
    return std::unique_ptr<Transport>(std::move(transport).value());
  };
  auto reader = std::make_unique<clariostar::ClariostarReader>(
      name, std::move(settings).value(), opener, "USB " + match.describe() + " (FTDI, 125000 8N1)");
  if (shared) {
    clariostar::ClariostarReader* borrowed = reader.get();  // the monitor dies before the reader
    usb::HotplugCallbacks callbacks;
    callbacks.arrived = [borrowed](const usb::UsbDeviceInfo&) { borrowed->on_device_arrived(); };
    callbacks.left = [borrowed, match](const usb::UsbDeviceInfo& info) {
      borrowed->on_device_left("CLARIOstar " + (info.serial.empty() ? match.describe() : info.serial) +
                               " was unplugged or switched off");
    };
    auto monitor = std::make_shared<usb::HotplugMonitor>(shared, match, callbacks);
    reader->keep_alive(monitor);
    (void)monitor->start();
  }
  return std::unique_ptr<Instrument>(std::move(reader));
}

Result<std::unique_ptr<Instrument>> make_virtual(const std::string& name, const nlohmann::json& json) {
  nlohmann::json reader_json = json.is_object() ? json : nlohmann::json::object();
  // The virtual device answers at memory speed: shorter waits keep jobs fast unless set.
  if (!reader_json.contains("reply_timeout_ms")) reader_json["reply_timeout_ms"] = 250;
  if (!reader_json.contains("poll_interval_ms")) reader_json["poll_interval_ms"] = 20;
  auto settings = clariostar::ClariostarSettings::from_json(reader_json);
  if (!settings) return settings.status();
  settings->action_poll_interval = std::chrono::milliseconds(10);
  auto device_settings = clariostar::VirtualClariostarSettings::from_json(reader_json);
  if (!device_settings) return device_settings.status();
  auto device = std::make_shared<clariostar::VirtualClariostar>(std::move(device_settings).value());
  clariostar::TransportOpener opener = [device]() -> Result<std::unique_ptr<Transport>> {
    auto transport = std::make_unique<ScriptedTransport>(
        [device](std::span<const std::uint8_t> bytes) { return device->on_write(bytes); });
    return std::unique_ptr<Transport>(std::move(transport));
  };
  return std::unique_ptr<Instrument>(std::make_unique<clariostar::ClariostarReader>(
      name, std::move(settings).value(), opener, "virtual CLARIOstar (scripted transport, no hardware)"));
}

}  // namespace

void register_clariostar(DriverRegistry& registry) {
  (void)registry.add({"clariostar", InstrumentKind::plate_reader,
                      "BMG LABTECH CLARIOstar / CLARIOstar Plus over USB (0403:bb68): absorbance "
                      "endpoint and spectrum, fluorescence intensity, temperature",
                      make_real});
  (void)registry.add({"clariostar-virtual", InstrumentKind::plate_reader,
                      "virtual CLARIOstar: the real CLARIOstar driver talking to an in-memory "
                      "device (no hardware), for CI and demos",
                      make_virtual});
}

}  // namespace assay::drivers
