// The real driver against a strict script made of real device replies from the live traces,
// including the no-reply gap, the status-type replies and the cut frames seen after RUN.
#include <catch2/catch.hpp>

#include "assay/drivers/clariostar/clariostar_reader.hpp"
#include "assay/drivers/scripted_transport.hpp"
#include "fixtures.hpp"

using namespace assay::drivers;
using namespace assay::drivers::clariostar;
using assay_test::clariostar_fixture;
using assay_test::read_bytes;

namespace {

const char* idle_with_plate = "0200180c010546260000000000000000000000c00001580d";

Exchange step(const Bytes& request_payload, const std::string& reply_hex, const std::string& note,
              ReplyFault fault = {}) {
  return Exchange{encode_frame(request_payload), from_hex(reply_hex), fault, note};
}

}  // namespace

TEST_CASE("replayed real traffic: connect, absorbance RUN, start-up gap, cut frames, final data") {
  auto trace = assay_test::read_json(
      clariostar_fixture("trace_extracts/abs_endpoint_96w_600nm_point_10flashes_2026-03-09_1833.json"));
  const std::string firmware = to_hex(read_bytes(clariostar_fixture("extracted/device_info/firmware_info_response.frame.bin")), 100000);
  const std::string eeprom = to_hex(read_bytes(clariostar_fixture("extracted/device_info/eeprom_response.frame.bin")), 100000);
  const std::string cut_status = trace["corrupted_or_short_frames_during_run"][0]["hex"].get<std::string>();
  const std::string cut_data = trace["corrupted_or_short_frames_during_run"][2]["hex"].get<std::string>();
  const std::string final_data = trace["final_data_frame"]["hex"].get<std::string>();

  ClariostarSettings settings;
  settings.reply_timeout = std::chrono::milliseconds(100);
  settings.poll_interval = std::chrono::milliseconds(1);
  settings.action_poll_interval = std::chrono::milliseconds(1);

  // The reader owns the transport once connected; the test keeps a borrowed pointer to script it.
  auto owned = std::make_unique<ScriptedTransport>();
  ScriptedTransport* script = owned.get();
  script->expect(step(command::initialize(), idle_with_plate, "INIT"));
  script->expect(step(command::status(), idle_with_plate, "STATUS after INIT"));
  script->expect(step(command::firmware_info(), firmware, "firmware info"));
  script->expect(step(command::eeprom(), eeprom, "EEPROM"));
  script->expect(step(command::boot(), idle_with_plate, "boot command"));
  script->expect(step(command::status(), idle_with_plate, "STATUS after boot"));
  ClariostarReader replay("reader-1", settings,
                          [&owned]() -> Result<std::unique_ptr<Transport>> {
                            if (!owned) return Status{StatusCode::not_found, "script used up"};
                            return std::unique_ptr<Transport>(std::move(owned));
                          },
                          "script");
  REQUIRE(replay.connect().is_ok());
  CHECK(replay.state() == InstrumentState::online);
  CHECK(replay.describe()["serial"] == "430-2621");
  CHECK_THAT(replay.describe()["firmware"].get<std::string>(), Catch::Contains("1.35"));

  LoadedPlate plate;
  plate.format = "96";
  REQUIRE(replay.load_plate(plate).is_ok());
  AbsorbanceRun run;
  run.plate = RunPlate::from(plate.geometry);
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 12; ++c) run.wells.push_back({r, c});
  run.wavelengths_nm = {600};
  run.flashes = 10;
  Bytes run_payload = absorbance_run(run).value();

  script->expect(step(command::status(), idle_with_plate, "STATUS before RUN"));
  script->expect(step(run_payload, trace["run_ack"]["hex"].get<std::string>(), "RUN"));
  script->expect(step(command::get_data_progressive(), "", "first GET_DATA: no reply (start-up gap)"));
  script->expect(step(command::status(), "", "first STATUS: no reply"));
  script->expect(step(command::get_data_progressive(), "0200180c013504260000d50000000000000000c000021b0d",
                      "GET_DATA answered by a status frame"));
  script->expect(step(command::status(), cut_status, "STATUS reply cut to 17 of 24 bytes"));
  script->expect(step(command::get_data_progressive(), cut_data, "data reply missing 41 bytes in the middle"));
  script->expect(step(command::status(), "0200180c0125042e0000040100000300000000c00001460d", "busy, reading wells"));
  script->expect(step(command::get_data_progressive(), final_data, "complete data"));

  std::vector<Reading> readings;
  auto sink = [&](std::span<const Reading> page) {
    readings.insert(readings.end(), page.begin(), page.end());
    return Status::ok();
  };
  Status status = replay.read_absorbance(AbsorbancePlan{{}, {600}, 10}, sink, {}, {});
  INFO(status.to_string() << " / " << script->mismatch());
  REQUIRE(status.is_ok());
  CHECK(script->mismatch().empty());
  CHECK(script->script_left() == 0);
  REQUIRE(readings.size() == 96);
  const auto& ods = trace["decoded"]["od_by_formula"]["600"];
  for (std::size_t i = 0; i < readings.size(); ++i) {
    CHECK(readings[i].channel == "abs600");
    CHECK(readings[i].value == Approx(ods[i].get<double>()).margin(0.00006));
  }
  CHECK(readings[0].well == "A1");
  CHECK(readings[12].well == "B1");
  const LinkCounters* counters = replay.link_counters();
  REQUIRE(counters != nullptr);
  CHECK(counters->no_reply == 2);
  CHECK(counters->bad_frames == 2);
}
