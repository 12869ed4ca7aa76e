#include <catch2/catch.hpp>

#include "assay/drivers/clariostar/commands.hpp"
#include "assay/drivers/clariostar/frame.hpp"
#include "fixtures.hpp"

using namespace assay::drivers;
using namespace assay::drivers::clariostar;
using assay_test::clariostar_fixture;
using assay_test::read_bytes;

TEST_CASE("frames of the reference's worked examples are reproduced byte for byte") {
  CHECK(to_hex(encode_frame(command::status())) == "0200090c800000970d");
  CHECK(to_hex(encode_frame(command::initialize())) == "02000e0c01000010020000002f0d");
  CHECK(to_hex(encode_frame(command::get_data_progressive())) == "02000f0c0502ffffffff000004200d");
}

TEST_CASE("every stored host command frame is rebuilt exactly from its payload") {
  const std::map<std::string, Bytes> built = {
      {"initialize", command::initialize()},          {"open", command::drawer_open()},
      {"close", command::drawer_close()},             {"status", command::status()},
      {"get_data_standard", command::get_data_standard()},
      {"get_data_progressive", command::get_data_progressive()},
      {"read_order", command::request(0x1D)},         {"pause_measurement", command::pause()},
      {"resume_measurement", command::resume()},      {"stop_measurement", command::stop()},
      {"cmd_0x0e", command::boot()},                  {"temp_off", command::temperature_off()},
      {"temp_monitor", command::temperature_monitor()},
      {"temp_set_30c", command::temperature_set(30.0).value()}};
  auto files = assay_test::fixtures_in("extracted/commands", ".frame.bin");
  REQUIRE(files.size() == built.size());
  for (const auto& file : files) {
    std::string name = file.filename().string();
    name = name.substr(0, name.find(".frame.bin"));
    INFO("fixture " << name);
    REQUIRE(built.count(name) == 1);
    CHECK(to_hex(encode_frame(built.at(name)), 1000) == to_hex(read_bytes(file), 1000));
  }
}

TEST_CASE("every stored real response frame passes the 24-bit checksum and length checks") {
  int checked = 0;
  for (const char* folder : {"extracted/device_info", "extracted/fl_response", "extracted/fl_run_oem",
                             "extracted/abs_run_oem", "extracted/filter_scan_0x24"}) {
    for (const auto& file : assay_test::fixtures_in(folder, ".frame.bin")) {
      INFO("fixture " << file.string());
      auto frame = read_bytes(file);
      auto payload = decode_frame(frame);
      REQUIRE(payload.is_ok());
      CHECK(encode_frame(*payload) == frame);
      ++checked;
    }
  }
  CHECK(checked == 33);  // 2 identification, 7 fluorescence replies, 21 RUN frames, 3 filter scans
}

TEST_CASE("the large data frame whose checksum needs the third byte decodes") {
  auto trace = assay_test::read_json(
      clariostar_fixture("trace_extracts/abs_endpoint_96w_600nm_point_10flashes_2026-03-09_1833.json"));
  Bytes frame = from_hex(trace["final_data_frame"]["hex"].get<std::string>());
  REQUIRE(frame.size() == 1612);
  CHECK(frame_checksum(std::span(frame).first(1608)) == 0x018AA6);
  CHECK(decode_frame(frame).is_ok());
}

TEST_CASE("short and cut replies seen on the real link are rejected, not misread") {
  auto cut = read_bytes(clariostar_fixture("extracted/edge_cases/truncated_53byte_reply_first18.bin"));
  auto result = decode_frame(cut);
  REQUIRE_FALSE(result.is_ok());
  CHECK(result.status().code() == StatusCode::protocol_error);
  CHECK_THAT(result.status().message(), Catch::Contains("size field says 53"));

  for (const char* name : {"abs_endpoint_96w_600nm_point_10flashes_2026-03-09_1833.json",
                           "fl_spiral3mm_96w_ex620_em680_focal8.5_2026-03-11_1816.json",
                           "fl_spiral4mm_96w_ex620_em680_focal5.5_2026-03-11_1818.json"}) {
    auto trace = assay_test::read_json(clariostar_fixture(std::string("trace_extracts/") + name));
    for (const auto& bad : trace["corrupted_or_short_frames_during_run"]) {
      Bytes frame = from_hex(bad["hex"].get<std::string>());
      INFO(name << " line " << bad["line"]);
      CHECK_FALSE(decode_frame(frame).is_ok());
    }
  }
}

TEST_CASE("the frame assembler reads by the size field and ignores 0x0D inside the payload") {
  auto trace = assay_test::read_json(
      clariostar_fixture("trace_extracts/abs_endpoint_96w_600nm_point_10flashes_2026-03-09_1833.json"));
  Bytes frame = from_hex(trace["final_data_frame"]["hex"].get<std::string>());
  auto inner_cr = std::find(frame.begin() + 4, frame.end() - 1, frame_cr);
  REQUIRE(inner_cr != frame.end() - 1);  // the real frame has a 0x0D inside its payload
  const std::size_t cut = static_cast<std::size_t>(inner_cr - frame.begin()) + 1;

  FrameAssembler assembler;
  Bytes junk{0x0D, 0x00};  // a stray CR after power-up, then noise
  assembler.push(junk);
  assembler.push(std::span(frame).first(cut));
  CHECK_FALSE(assembler.pop().has_value());
  CHECK(assembler.missing() == frame.size() - cut);
  assembler.push(std::span(frame).subspan(cut));
  auto popped = assembler.pop();
  REQUIRE(popped.has_value());
  CHECK(*popped == frame);
}
