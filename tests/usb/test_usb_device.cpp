#include <catch2/catch.hpp>

#include <libusb-1.0/libusb.h>

#include "assay/drivers/usb/ftdi_transport.hpp"
#include "assay/drivers/usb/usb_device.hpp"
#include "support/skip.hpp"

using namespace assay::drivers;
using namespace assay::drivers::usb;
using namespace std::chrono_literals;

TEST_CASE("libusb errors map to status codes a job can act on") {
  CHECK(usb_status(LIBUSB_ERROR_NO_DEVICE, "bulk read").code() == StatusCode::disconnected);
  CHECK(usb_status(LIBUSB_ERROR_TIMEOUT, "bulk read").code() == StatusCode::timeout);
  CHECK(usb_status(LIBUSB_ERROR_PIPE, "bulk read").code() == StatusCode::io_error);
  CHECK_THAT(usb_status(LIBUSB_ERROR_PIPE, "bulk read").message(), Catch::Contains("stalled"));
  CHECK_THAT(usb_status(LIBUSB_ERROR_ACCESS, "opening").message(), Catch::Contains("udev"));
  CHECK(usb_status(LIBUSB_ERROR_BUSY, "claiming").code() == StatusCode::busy);
  CHECK(usb_status(LIBUSB_SUCCESS, "x").is_ok());
}

TEST_CASE("opening an absent USB device fails quickly with not_found naming the id") {
  auto context = UsbContext::create();
  if (!context) assay::testing::skip_test("libusb cannot start here: " + context.status().to_string());
  UsbMatch match{0x0403, 0xBB68, "no-such-serial"};
  auto started = std::chrono::steady_clock::now();
  auto device = UsbDevice::open(*context, match);
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  REQUIRE_FALSE(device.is_ok());
  CHECK(device.status().code() == StatusCode::not_found);
  CHECK_THAT(device.status().message(), Catch::Contains("0403:bb68 serial no-such-serial"));
  auto transport = FtdiTransport::open(*context, match);
  CHECK(transport.status().code() == StatusCode::not_found);
  auto listed = (*context)->list(match);
  REQUIRE(listed.is_ok());
  CHECK(listed->empty());
}
