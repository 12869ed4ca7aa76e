#include <catch2/catch.hpp>

#include "assay/drivers/usb/ftdi.hpp"

using namespace assay::drivers::usb;

TEST_CASE("125000 baud is an exact FTDI divisor on every chip family") {
  auto r = ftdi_baud_setting(125000, FtdiChip::ft232r);
  REQUIRE(r.has_value());
  CHECK(r->value == 24);  // 3 MHz / 24
  CHECK(r->index == 0);
  CHECK(r->actual_baud == 125000);

  auto x = ftdi_baud_setting(125000, FtdiChip::ft_x);
  REQUIRE(x.has_value());
  CHECK(x->value == 24);

  auto h = ftdi_baud_setting(125000, FtdiChip::ft232h, 1);
  REQUIRE(h.has_value());
  CHECK(h->value == 96);        // 12 MHz / 96
  CHECK(h->index == 0x0201);    // the 120 MHz clock bit, port A
  CHECK(h->actual_baud == 125000);
}

TEST_CASE("common baud rates get FTDI's fractional divisor encoding") {
  // 9600 baud: 3 MHz / 312.5 -> integer 312, fraction 0.5 (code 1 << 14).
  auto r = ftdi_baud_setting(9600, FtdiChip::ft232r);
  REQUIRE(r.has_value());
  CHECK(r->value == (312 | (1 << 14)));
  CHECK(r->actual_baud == 9600);
  // 3 Mbaud: divisor 1 is encoded as 0.
  auto top = ftdi_baud_setting(3'000'000, FtdiChip::ft232r);
  REQUIRE(top.has_value());
  CHECK(top->value == 0);
  CHECK_FALSE(ftdi_baud_setting(10, FtdiChip::ft232r).has_value());
  CHECK_FALSE(ftdi_baud_setting(0, FtdiChip::ft232r).has_value());
}

TEST_CASE("chip families are recognised from bcdDevice") {
  CHECK(ftdi_chip_from_bcd(0x0600) == FtdiChip::ft232r);
  CHECK(ftdi_chip_from_bcd(0x0900) == FtdiChip::ft232h);
  CHECK(ftdi_chip_from_bcd(0x1000) == FtdiChip::ft_x);
  CHECK(ftdi_chip_from_bcd(0x0700) == FtdiChip::ft2232h);
  CHECK(ftdi_chip_from_bcd(0x1234) == FtdiChip::unknown);
}

TEST_CASE("the two modem-status bytes are removed from every packet of a bulk-IN transfer") {
  // Three 64-byte packets: status 01 60 then 62 data bytes each, the last one short.
  std::vector<std::uint8_t> raw;
  std::vector<std::uint8_t> expected;
  for (int packet = 0; packet < 3; ++packet) {
    raw.push_back(0x01);
    raw.push_back(0x60);
    int data = packet < 2 ? 62 : 10;
    for (int i = 0; i < data; ++i) {
      auto b = static_cast<std::uint8_t>(packet * 62 + i);
      raw.push_back(b);
      expected.push_back(b);
    }
  }
  CHECK(strip_modem_status(raw, 64) == expected);
}

TEST_CASE("high-speed chips carry status bytes every 512 bytes, not every 64") {
  std::vector<std::uint8_t> raw(600, 0xAA);
  raw[0] = 0x01;
  raw[1] = 0x60;
  raw[512] = 0x01;
  raw[513] = 0x60;
  auto data = strip_modem_status(raw, 512);
  CHECK(data.size() == 596);
  CHECK(std::count(data.begin(), data.end(), 0xAA) == 596);
  // The same bytes cut at 64 would lose data: the packet size must come from the descriptor.
  CHECK(strip_modem_status(raw, 64).size() != 596);
}

TEST_CASE("a read holding only status bytes yields no data") {
  std::vector<std::uint8_t> idle{0x01, 0x60};
  CHECK(strip_modem_status(idle, 64).empty());
  std::vector<std::uint8_t> two_idle{0x01, 0x60, 0x01, 0x60};
  CHECK(strip_modem_status(std::span(two_idle).first(2), 64).empty());
}

TEST_CASE("8N1 and the other line settings encode as FTDI's SET_DATA value") {
  CHECK(ftdi_line_setting(8, Parity::none, 1) == 0x0008);
  CHECK(ftdi_line_setting(7, Parity::even, 2) == (7 | 2 << 8 | 2 << 11));
}
