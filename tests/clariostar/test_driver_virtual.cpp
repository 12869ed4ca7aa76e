// The real CLARIOstar driver against the virtual device through the scripted transport.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include "assay/drivers/clariostar/clariostar_reader.hpp"
#include "assay/drivers/clariostar/virtual_clariostar.hpp"
#include "assay/drivers/manual_clock.hpp"
#include "assay/drivers/registry.hpp"
#include "assay/drivers/scripted_transport.hpp"

using namespace assay::drivers;
using namespace assay::drivers::clariostar;
using namespace std::chrono_literals;

namespace {

// The reader, its transport and the virtual device share one ManualClock: every timeout, poll
// and device duration passes in device time, exactly and without waiting.
struct Bench {
  ManualClock clock;
  std::shared_ptr<VirtualClariostar> device;
  ScriptedTransport* transport = nullptr;  // borrowed; owned by the reader while connected
  std::unique_ptr<ClariostarReader> reader;
  std::vector<Reading> readings;

  explicit Bench(VirtualClariostarSettings device_settings = {}, ClariostarSettings settings = fast()) {
    device = std::make_shared<VirtualClariostar>(device_settings, clock);
    reader = std::make_unique<ClariostarReader>(
        "virtual-1", settings,
        [this]() -> Result<std::unique_ptr<Transport>> {
          auto t = std::make_unique<ScriptedTransport>(
              [dev = device](std::span<const std::uint8_t> bytes) { return dev->on_write(bytes); }, clock);
          transport = t.get();
          return std::unique_ptr<Transport>(std::move(t));
        },
        "virtual", clock);
  }
  static ClariostarSettings fast() {
    ClariostarSettings s;
    s.reply_timeout = 100ms;
    s.poll_interval = 10ms;
    s.action_poll_interval = 5ms;
    return s;
  }
  ReadingSink sink() {
    return [this](std::span<const Reading> page) {
      readings.insert(readings.end(), page.begin(), page.end());
      return Status::ok();
    };
  }
  void ready() {
    REQUIRE(reader->connect().is_ok());
    LoadedPlate plate;
    plate.format = "96";
    REQUIRE(reader->load_plate(plate).is_ok());
  }
  const Reading* find(const std::string& well, const std::string& channel) const {
    for (const Reading& r : readings)
      if (r.well == well && r.channel == channel) return &r;
    return nullptr;
  }
};

VirtualClariostarSettings quick_device() {
  VirtualClariostarSettings s;
  s.time_scale = 0.01;
  s.well_od = {{"A1", 1.5}, {"B2", 0.3}, {"H12", 3.2}};
  s.well_rfu = {{"A1", 5000.0}};
  return s;
}

}  // namespace

TEST_CASE("an absorbance read at two wavelengths returns the virtual plate's ODs via the real decoder") {
  Bench bench(quick_device());
  bench.ready();
  std::vector<double> fractions;
  Status s = bench.reader->read_absorbance(AbsorbancePlan{{}, {600, 450}, 10}, bench.sink(),
                                           [&](double f, const std::string&) { fractions.push_back(f); }, {});
  REQUIRE(s.is_ok());
  REQUIRE(bench.readings.size() == 192);
  for (const char* well : {"A1", "B2", "H12", "C7"}) {
    for (int nm : {600, 450}) {
      const Reading* r = bench.find(well, "abs" + std::to_string(nm));
      REQUIRE(r != nullptr);
      INFO(well << " at " << nm);
      CHECK(r->value == Approx(bench.device->true_od(well, nm)).margin(0.001));
      CHECK_FALSE(r->saturated);
    }
  }
  CHECK(bench.device->runs_started() == 1);
  CHECK(bench.reader->state() == InstrumentState::online);
  REQUIRE_FALSE(fractions.empty());
  CHECK(fractions.back() == Approx(1.0));
}

TEST_CASE("selected wells come back in row-major order whatever order they were asked in") {
  Bench bench(quick_device());
  bench.ready();
  REQUIRE(bench.reader->read_absorbance(AbsorbancePlan{{"H12", "A1", "B2"}, {600}, 5}, bench.sink(), {}, {}).is_ok());
  REQUIRE(bench.readings.size() == 3);
  CHECK(bench.readings[0].well == "A1");
  CHECK(bench.readings[1].well == "B2");
  CHECK(bench.readings[2].well == "H12");
  CHECK(bench.readings[2].value == Approx(3.2).margin(0.001));
}

TEST_CASE("a full-plate spectrum arrives in five pages and decodes at every wavelength") {
  Bench bench(quick_device());
  bench.ready();
  AbsorbanceSpectrumPlan plan;
  plan.start_nm = 220;
  plan.end_nm = 1000;
  plan.step_nm = 1;
  REQUIRE(bench.reader->read_absorbance_spectrum(plan, bench.sink(), {}, {}).is_ok());
  REQUIRE(bench.readings.size() == 781u * 96u);
  for (int nm : {220, 450, 600, 1000}) {
    const Reading* r = bench.find("A1", "abs" + std::to_string(nm));
    REQUIRE(r != nullptr);
    CHECK(r->value == Approx(bench.device->true_od("A1", nm)).margin(0.001));
  }
  // 76 832 values need five frames of at most 65 535 bytes.
  const auto written = bench.transport->written();
  const Bytes get_data = encode_frame(command::get_data_standard());
  CHECK(std::count(written.begin(), written.end(), get_data) == 5);
}

TEST_CASE("a fluorescence endpoint read returns the counts of the virtual plate") {
  Bench bench(quick_device());
  bench.ready();
  FluorescenceEndpointPlan plan;
  plan.excitation_nm = 485;
  plan.emission_nm = 528;
  REQUIRE(bench.reader->read_fluorescence(plan, bench.sink(), {}, {}).is_ok());
  REQUIRE(bench.readings.size() == 96);
  CHECK(bench.find("A1", "fl485-528")->value == Approx(5000.0));
  CHECK(bench.find("B1", "fl485-528")->value == Approx(1000.0));
}

TEST_CASE("replies with bytes missing from the middle are detected and re-requested") {
  VirtualClariostarSettings device = quick_device();
  device.drop_bytes_every = 3;
  Bench bench(device);
  bench.ready();
  REQUIRE(bench.reader->read_absorbance(AbsorbancePlan{{}, {600}, 10}, bench.sink(), {}, {}).is_ok());
  CHECK(bench.device->replies_corrupted() > 0);
  CHECK(bench.reader->link_counters()->bad_frames >= 1);
  REQUIRE(bench.readings.size() == 96);
  CHECK(bench.find("A1", "abs600")->value == Approx(1.5).margin(0.001));
}

TEST_CASE("a reader unplugged in the middle of a read fails with disconnected within 2 s") {
  VirtualClariostarSettings device = quick_device();
  device.time_scale = 0.2;  // 24 wells: the read would take about 2.2 s
  Bench bench(device);
  bench.ready();
  std::vector<std::string> two_rows;
  for (const char* row : {"A", "B"})
    for (int c = 1; c <= 12; ++c) two_rows.push_back(row + std::to_string(c));
  std::vector<std::pair<InstrumentState, std::string>> states;
  bench.reader->set_state_listener([&](InstrumentState s, const std::string& d) { states.emplace_back(s, d); });
  const auto unplugged = bench.clock.now() + 1500ms;
  bench.clock.at(unplugged, [&] { bench.transport->unplug(); });
  Status s = bench.reader->read_absorbance(AbsorbancePlan{two_rows, {600}, 10}, bench.sink(), {}, {});
  const auto returned = bench.clock.now();
  CHECK(s.code() == StatusCode::disconnected);
  // Seen at the next transfer: at most one poll pause after the unplug, in device time.
  const auto seen_after = returned - unplugged;
  CHECK(seen_after >= 0ms);
  CHECK(seen_after <= Bench::fast().poll_interval);
  CHECK(bench.reader->state() == InstrumentState::offline);
  CHECK(bench.readings.empty());
  REQUIRE_FALSE(states.empty());
  CHECK(states.back().first == InstrumentState::offline);
  // Plugged in again, the same reader connects and reads.
  REQUIRE(bench.reader->connect().is_ok());
  CHECK(bench.reader->state() == InstrumentState::online);
}

TEST_CASE("a stop request ends the run on the device and returns cancelled") {
  VirtualClariostarSettings device = quick_device();
  device.time_scale = 0.2;
  Bench bench(device);
  bench.ready();
  std::stop_source stop;
  const auto stopped = bench.clock.now() + 800ms;
  bench.clock.at(stopped, [&] { stop.request_stop(); });
  Status s = bench.reader->read_absorbance(AbsorbancePlan{{}, {600}, 10}, bench.sink(), {}, stop.get_token());
  CHECK(s.code() == StatusCode::cancelled);
  CHECK(bench.device->runs_started() == 1);
  const auto written = bench.transport->written();
  CHECK(std::find(written.begin(), written.end(), encode_frame(command::stop())) != written.end());
  // The stop ends the poll pause the reader is in at once, and the virtual device is idle as
  // soon as it has STOP: the read returns at the very moment of the request.
  const auto took = bench.clock.now() - stopped;
  const double took_ms = std::chrono::duration<double, std::milli>(took).count();
  INFO("returned " << took_ms << " ms of device time after the stop request");
  CHECK(took == 0ms);
}

TEST_CASE("an open drawer is closed before the read and a missing plate is reported") {
  SECTION("drawer open") {
    Bench bench(quick_device());
    bench.ready();
    REQUIRE(bench.reader->open_drawer().is_ok());
    CHECK(bench.device->drawer_open());
    REQUIRE(bench.reader->read_absorbance(AbsorbancePlan{{"A1"}, {600}, 10}, bench.sink(), {}, {}).is_ok());
    CHECK_FALSE(bench.device->drawer_open());
  }
  SECTION("no plate") {
    VirtualClariostarSettings device = quick_device();
    device.plate_present = false;
    Bench bench(device);
    bench.ready();
    Status s = bench.reader->read_absorbance(AbsorbancePlan{{"A1"}, {600}, 10}, bench.sink(), {}, {});
    CHECK(s.code() == StatusCode::device_error);
    CHECK_THAT(s.message(), Catch::Contains("no plate"));
  }
}

TEST_CASE("kinetic reads are refused plainly and temperature is read from the status") {
  Bench bench(quick_device());
  bench.ready();
  Status kinetic = bench.reader->read_kinetic_fluorescence(KineticFluorescencePlan{}, bench.sink(), {}, {});
  CHECK(kinetic.code() == StatusCode::unsupported);
  CHECK_THAT(kinetic.message(), Catch::Contains("per-cycle") || Catch::Contains("each cycle"));
  auto t = bench.reader->temperature_C();
  REQUIRE(t.is_ok());
  CHECK(*t == Approx(22.3));
  REQUIRE(bench.reader->set_temperature(37.0).is_ok());
  auto heated = bench.reader->temperature_C();
  REQUIRE(heated.is_ok());
  CHECK(*heated == Approx(37.0));
}

TEST_CASE("bad requests name the well or setting at fault") {
  Bench bench(quick_device());
  bench.ready();
  Status bad_well = bench.reader->read_absorbance(AbsorbancePlan{{"Z99"}, {600}, 10}, bench.sink(), {}, {});
  CHECK(bad_well.code() == StatusCode::invalid_argument);
  CHECK_THAT(bad_well.message(), Catch::Contains("Z99"));
  auto settings = ClariostarSettings::from_json({{"reply_timout_ms", 10}});
  REQUIRE_FALSE(settings.is_ok());
  CHECK_THAT(settings.status().message(), Catch::Contains("reply_timout_ms"));
  CHECK_FALSE(ClariostarSettings::from_json({{"scan", "zigzag"}}).is_ok());
}

TEST_CASE("the registry builds both CLARIOstar drivers, the virtual one reads a plate") {
  DriverRegistry registry;
  register_builtin_drivers(registry);
  REQUIRE(registry.find("clariostar") != nullptr);
  const DriverInfo* virtual_driver = registry.find("clariostar-virtual");
  REQUIRE(virtual_driver != nullptr);
  auto instrument = virtual_driver->factory("reader", {{"time_scale", 0.01}, {"well_od", {{"A1", 0.8}}}});
  REQUIRE(instrument.is_ok());
  auto* reader = dynamic_cast<PlateReader*>(instrument->get());
  REQUIRE(reader != nullptr);
  REQUIRE(reader->connect().is_ok());
  LoadedPlate plate;
  REQUIRE(reader->load_plate(plate).is_ok());
  std::vector<Reading> readings;
  REQUIRE(reader->read_absorbance(AbsorbancePlan{{"A1", "A2"}, {600}, 10},
                                  [&](std::span<const Reading> page) {
                                    readings.insert(readings.end(), page.begin(), page.end());
                                    return Status::ok();
                                  },
                                  {}, {})
              .is_ok());
  REQUIRE(readings.size() == 2);
  CHECK(readings[0].value == Approx(0.8).margin(0.001));
  CHECK(readings[1].value == Approx(0.05).margin(0.001));
}

TEST_CASE("the real CLARIOstar driver with no device attached stays offline with a clear message") {
  DriverRegistry registry;
  register_builtin_drivers(registry);
  auto instrument = registry.find("clariostar")->factory("bench-reader", {{"serial", "999-0000"}});
  REQUIRE(instrument.is_ok());
  auto started = std::chrono::steady_clock::now();
  Status s = (*instrument)->connect();
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  REQUIRE_FALSE(s.is_ok());
  CHECK((s.code() == StatusCode::not_found || s.code() == StatusCode::io_error));
  CHECK_THAT(s.message(), Catch::Contains("0403:bb68"));
  CHECK((*instrument)->state() == InstrumentState::offline);
  CHECK((*instrument)->describe()["detail"].get<std::string>() == s.message());
}
