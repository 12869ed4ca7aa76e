// Runs the real libusb + FTDI + CLARIOstar link code against a device replayed by umockdev:
// enumerate, open, claim, FTDI setup (reset, 125000 baud, 8N1, no flow control, 2 ms latency,
// purge), then STATUS and EEPROM exchanges whose bulk-IN replies carry FTDI modem-status bytes
// in every 64-byte packet. Run by run_probe.sh under umockdev-run; exit 0 on success, 1 on a
// failure (with the reason on stderr), 77 when not inside a umockdev testbed.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "assay/drivers/clariostar/commands.hpp"
#include "assay/drivers/clariostar/link.hpp"
#include "assay/drivers/clariostar/replies.hpp"
#include "assay/drivers/usb/ftdi_transport.hpp"

using namespace assay::drivers;

namespace {
int fail(const std::string& what) {
  std::fprintf(stderr, "umockdev probe FAILED: %s\n", what.c_str());
  return 1;
}
}  // namespace

int main() {
  if (std::getenv("UMOCKDEV_DIR") == nullptr) {
    std::fprintf(stderr, "not running inside umockdev-run: skipping\n");
    return 77;
  }
  auto context = usb::UsbContext::create();
  if (!context) return fail(context.status().to_string());

  usb::UsbMatch match{0x0403, 0xBB68, ""};
  auto listed = (*context)->list(match);
  if (!listed) return fail("enumerate: " + listed.status().to_string());
  if (listed->size() != 1) return fail("enumerate: expected 1 CLARIOstar, saw " + std::to_string(listed->size()));
  if ((*listed)[0].bcd_device != 0x0600) return fail("enumerate: bcdDevice is not 0x0600");

  auto transport = usb::FtdiTransport::open(*context, match);
  if (!transport) return fail("open/claim/FTDI setup: " + transport.status().to_string());
  if ((*transport)->chip() != usb::FtdiChip::ft232r) return fail("chip not recognised as FT232R");
  if ((*transport)->actual_baud() != 125000) return fail("baud is not 125000");

  clariostar::Link link(**transport, clariostar::LinkSettings{});
  auto status_reply = link.exchange(clariostar::command::status(), 1);
  if (!status_reply) return fail("STATUS exchange: " + status_reply.status().to_string());
  auto status = clariostar::decode_status(*status_reply);
  if (!status) return fail("STATUS decode: " + status.status().to_string());
  if (status->busy() || !status->plate_detected()) return fail("STATUS bits wrong: " + status->describe());

  auto eeprom_reply = link.exchange(clariostar::command::eeprom(), 1);
  if (!eeprom_reply) return fail("EEPROM exchange: " + eeprom_reply.status().to_string());
  auto eeprom = clariostar::decode_eeprom(*eeprom_reply);
  if (!eeprom) return fail("EEPROM decode: " + eeprom.status().to_string());
  if (eeprom->serial != "430-2621") return fail("EEPROM serial " + eeprom->serial + " != 430-2621");

  std::printf("umockdev probe OK: %s, %s, serial %s\n", usb::to_string((*transport)->chip()),
              status->describe().c_str(), eeprom->serial.c_str());
  return 0;
}
