// The plugin loader: loading the example plugin, and refusing wrong ABI versions, unsafe
// permissions and duplicate names.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "assay/plugins/plugin_loader.hpp"
#include "plugin_test_support.hpp"

using namespace assay;
using plugin_test::PluginDir;

namespace {

struct Registries {
  drivers::DriverRegistry drivers;
  protocols::ProtocolRegistry protocols;
};

class NamedProtocol final : public protocols::Protocol {
 public:
  explicit NamedProtocol(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::string description() const override { return "a protocol already registered"; }
  drivers::InstrumentKind instrument_kind() const override {
    return drivers::InstrumentKind::plate_reader;
  }
  void validate(const protocols::JobSpec&) const override {}
  protocols::AssayResult run(const protocols::JobSpec&, protocols::RunContext&) const override {
    return {};
  }

 private:
  std::string name_;
};

bool mentions(const plugins::PluginReport& report, const std::string& text) {
  for (const auto& r : report.refused) {
    if (r.reason.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the example plugin loads and its viability protocol fits the CC50 of a job") {
  PluginDir dir;
  dir.add(plugin_test::built_plugin("viability.so"));
  Registries r;
  plugins::PluginLoader loader;
  auto report = loader.load({dir.path()}, r.drivers, r.protocols);
  INFO(report.to_json().dump(2));
  REQUIRE(report.loaded.size() == 1);
  CHECK(report.refused.empty());
  CHECK(report.loaded[0].name == "viability");
  CHECK(report.loaded[0].protocols == std::vector<std::string>{"viability_endpoint"});
  const protocols::Protocol* protocol = r.protocols.find("viability_endpoint");
  REQUIRE(protocol != nullptr);

  auto spec = protocols::JobSpec::from_json(
      {{"protocol", "viability_endpoint"},
       {"instrument", "reader"},
       {"plate", {{"format", "96"}}},
       {"layout", nlohmann::json::array(
                      {{{"wells", "A1:C8"}, {"compound", "toxin"},
                        {"dilution", {{"top_nM", 10000}, {"factor", 3}}}},
                       {{"wells", "A12:D12"}, {"role", "positive_control"}},
                       {{"wells", "E12:H12"}, {"role", "negative_control"}}})},
       {"params", {{"readout", "resazurin"}}}});
  protocol->validate(spec);
  plugin_test::ViabilityReader reader(120.0);
  REQUIRE(reader.load_plate(spec.loaded_plate()).is_ok());
  plugin_test::MemoryRunContext ctx(reader);
  auto result = protocol->run(spec, ctx);
  CHECK(ctx.stored.size() == 32);
  INFO(result.summary.dump(2));
  REQUIRE(result.summary["compounds"]["toxin"]["cc50_nM"].is_number());
  CHECK(result.summary["compounds"]["toxin"]["cc50_nM"].get<double>() == Approx(120.0).epsilon(0.1));
  CHECK(result.summary["qc_pass"] == true);
}

TEST_CASE("the viability protocol names the parameter at fault") {
  PluginDir dir;
  dir.add(plugin_test::built_plugin("viability.so"));
  Registries r;
  plugins::PluginLoader loader;
  (void)loader.load({dir.path()}, r.drivers, r.protocols);
  const auto* protocol = r.protocols.find("viability_endpoint");
  REQUIRE(protocol != nullptr);
  auto spec = protocols::JobSpec::from_json(
      {{"protocol", "viability_endpoint"},
       {"instrument", "reader"},
       {"plate", {{"format", "96"}}},
       {"layout", nlohmann::json::array({{{"wells", "A1"}, {"role", "positive_control"}},
                                         {{"wells", "A2"}, {"role", "negative_control"}}})},
       {"params", {{"readout", "luciferase"}}}});
  try {
    protocol->validate(spec);
    FAIL("an unknown readout was accepted");
  } catch (const protocols::ProtocolError& e) {  // thrown in the plugin, caught in the host
    CHECK(e.code() == "invalid_params");
    CHECK_THAT(e.what(), Catch::Contains("params.readout"));
  }
}

TEST_CASE("a plugin built for another ABI version is refused before it registers anything") {
  PluginDir dir;
  dir.add(plugin_test::test_plugin("wrong_abi_version.so"));
  Registries r;
  plugins::PluginLoader loader;
  auto report = loader.load({dir.path()}, r.drivers, r.protocols);
  REQUIRE(report.refused.size() == 1);
  CHECK(report.loaded.empty());
  CHECK(mentions(report, "plugin ABI version 2, this assayd speaks version 1"));
  CHECK(r.protocols.all().empty());
  CHECK(r.drivers.all().empty());
}

TEST_CASE("a world-writable plugin file is refused") {
  PluginDir dir;
  dir.add(plugin_test::built_plugin("viability.so"), 0757);
  Registries r;
  plugins::PluginLoader loader;
  auto report = loader.load({dir.path()}, r.drivers, r.protocols);
  REQUIRE(report.refused.size() == 1);
  CHECK(mentions(report, "is writable by others"));
  CHECK(mentions(report, "chmod go-w"));
  CHECK(r.protocols.find("viability_endpoint") == nullptr);
}

TEST_CASE("a plugin in a group-writable directory is refused") {
  PluginDir dir;
  dir.add(plugin_test::built_plugin("viability.so"));
  ::chmod(dir.path().c_str(), 0775);
  Registries r;
  plugins::PluginLoader loader;
  auto report = loader.load({dir.path()}, r.drivers, r.protocols);
  REQUIRE(report.refused.size() == 1);
  CHECK(mentions(report, "directory '" + dir.path().string() + "' is writable by its group"));
}

TEST_CASE("a plugin whose protocol name is taken is refused and registers nothing") {
  PluginDir dir;
  dir.add(plugin_test::built_plugin("viability.so"));
  Registries r;
  r.protocols.add(std::make_shared<NamedProtocol>("viability_endpoint"));
  plugins::PluginLoader loader;
  auto report = loader.load({dir.path()}, r.drivers, r.protocols);
  REQUIRE(report.refused.size() == 1);
  CHECK(mentions(report, "protocol name 'viability_endpoint' is already registered"));
  CHECK(r.protocols.find("viability_endpoint")->description() == "a protocol already registered");
}

TEST_CASE("a plugin driver appears in the driver registry and its factory answers") {
  PluginDir dir;
  dir.add(plugin_test::test_plugin("test_driver_plugin.so"));
  Registries r;
  plugins::PluginLoader loader;
  auto report = loader.load({dir.path()}, r.drivers, r.protocols);
  REQUIRE(report.loaded.size() == 1);
  const auto* driver = r.drivers.find("test-null-reader");
  REQUIRE(driver != nullptr);
  auto built = driver->factory("reader-1", nlohmann::json::object());
  REQUIRE_FALSE(built.is_ok());
  CHECK(built.status().code() == drivers::StatusCode::unsupported);
  CHECK_THAT(built.status().message(), Catch::Contains("reader-1"));
}

TEST_CASE("a plugin registering a taken driver name is refused as a whole") {
  PluginDir dir;
  dir.add(plugin_test::test_plugin("test_driver_plugin.so"));
  Registries r;
  r.drivers.add({"sim-plate-reader", drivers::InstrumentKind::plate_reader, "built in",
                 [](const std::string&, const nlohmann::json&)
                     -> drivers::Result<std::unique_ptr<drivers::Instrument>> {
                   return drivers::Status{drivers::StatusCode::unsupported, "not in this test"};
                 }}).is_ok();
  ::setenv("ASSAY_TEST_PLUGIN_EXTRA_DRIVER", "sim-plate-reader", 1);
  plugins::PluginLoader loader;
  auto report = loader.load({dir.path()}, r.drivers, r.protocols);
  ::unsetenv("ASSAY_TEST_PLUGIN_EXTRA_DRIVER");
  REQUIRE(report.refused.size() == 1);
  CHECK(mentions(report, "driver name 'sim-plate-reader' is already registered"));
  // All or nothing: the plugin's other driver did not get in either.
  CHECK(r.drivers.find("test-null-reader") == nullptr);
  CHECK(r.drivers.find("sim-plate-reader")->description == "built in");
}

TEST_CASE("reloading keeps loaded plugins without loading them twice") {
  PluginDir dir;
  dir.add(plugin_test::built_plugin("viability.so"));
  Registries r;
  plugins::PluginLoader loader;
  auto first = loader.load({dir.path()}, r.drivers, r.protocols);
  REQUIRE(first.loaded.size() == 1);
  dir.add(plugin_test::test_plugin("test_driver_plugin.so"));
  auto second = loader.load({dir.path()}, r.drivers, r.protocols);
  CHECK(second.refused.empty());
  REQUIRE(second.loaded.size() == 1);
  CHECK(second.loaded[0].name == "test-driver-plugin");
  REQUIRE(second.kept.size() == 1);
  CHECK(second.kept[0].name == "viability");
  CHECK(loader.plugins().size() == 2);

  Registries fresh;  // a reload that rebuilt its registries gets the kept plugins' objects back
  auto third = loader.load({dir.path()}, fresh.drivers, fresh.protocols);
  CHECK(third.kept.size() == 2);
  CHECK(fresh.protocols.find("viability_endpoint") != nullptr);
  CHECK(fresh.drivers.find("test-null-reader") != nullptr);
}

TEST_CASE("the same plugin name from a second file is refused") {
  PluginDir first_dir, second_dir;
  first_dir.add(plugin_test::built_plugin("viability.so"));
  second_dir.add(plugin_test::built_plugin("viability.so"));
  Registries r;
  plugins::PluginLoader loader;
  auto report = loader.load({first_dir.path(), second_dir.path()}, r.drivers, r.protocols);
  CHECK(report.loaded.size() == 1);
  REQUIRE(report.refused.size() == 1);
  CHECK(mentions(report, "plugin name 'viability' is already loaded"));
}

TEST_CASE("a missing plugin directory is a warning and a non-plugin file is refused") {
  PluginDir dir;
  {
    std::FILE* f = std::fopen((dir.path() / "notes.so").c_str(), "w");
    std::fputs("not an ELF file", f);
    std::fclose(f);
    ::chmod((dir.path() / "notes.so").c_str(), 0644);
  }
  Registries r;
  plugins::PluginLoader loader;
  auto report = loader.load({dir.path() / "absent", dir.path()}, r.drivers, r.protocols);
  REQUIRE(report.warnings.size() == 1);
  CHECK_THAT(report.warnings[0], Catch::Contains("does not exist"));
  REQUIRE(report.refused.size() == 1);
  CHECK(mentions(report, "dlopen failed"));
  auto json = report.to_json();
  CHECK(json["refused"][0]["file"] == (dir.path() / "notes.so").string());
}
