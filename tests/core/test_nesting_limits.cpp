// Inputs from outside are bounded in depth before anything walks them (issue 13): a request or a
// config nested 150,000 deep is refused with a message naming the limit, never a stack overflow.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "assay/daemon/config.hpp"
#include "assay/protocols/bounded_json.hpp"
#include "support/command.hpp"

using assay::daemon::ConfigError;
using assay::protocols::kMaxJsonDepth;
using assay::protocols::parse_bounded_json;

namespace {

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string config_error(const std::string& toml) {
  assay::daemon::ConfigOverrides overrides;
  overrides.state_dir = "/tmp/assay-config-test";
  try {
    assay::daemon::parse_config(toml, "site.toml", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("JSON nested up to the limit parses, one level more is refused naming the limit") {
  auto at_limit = parse_bounded_json(nested_arrays(kMaxJsonDepth));
  CHECK(at_limit.ok());
  auto over = parse_bounded_json(nested_arrays(kMaxJsonDepth + 1));
  CHECK_FALSE(over.ok());
  CHECK(over.too_deep);
  CHECK(over.error.find("64 levels") != std::string::npos);
}

TEST_CASE("JSON nested 150,000 and 1,000,000 deep is refused without recursing") {
  for (std::size_t depth : {150000u, 1000000u}) {
    CHECK(parse_bounded_json(nested_arrays(depth)).too_deep);
    std::string objects;
    for (std::size_t i = 0; i < depth; ++i) objects += "{\"a\":";
    CHECK(parse_bounded_json(objects + "1" + std::string(depth, '}')).too_deep);
    // Unterminated, as a truncated message would be: still refused for depth, not parsed on.
    CHECK(parse_bounded_json(std::string(depth, '[')).too_deep);
  }
}

TEST_CASE("invalid JSON is an error that is not a depth error") {
  auto bad = parse_bounded_json("{\"a\": [1, 2,]}");
  CHECK_FALSE(bad.ok());
  CHECK_FALSE(bad.too_deep);
  CHECK(parse_bounded_json("{\"a\": [1, {\"b\": null}]}").ok());
}

TEST_CASE("a config with a 150,000-part dotted key or deep settings is refused, not a crash") {
  std::string header = "[[instrument]]\nname = \"r\"\ndriver = \"sim-plate-reader\"\n[instrument.settings";
  for (int i = 0; i < 150000; ++i) header += ".a";
  CHECK(config_error(header + "]\nx = 1\n").find("site.toml:4: a dotted key has more than 32 parts") == 0);
  std::string key = "[[instrument]]\nname = \"r\"\ndriver = \"sim-plate-reader\"\n[instrument.settings]\nx";
  for (int i = 0; i < 150000; ++i) key += ".\"a\"";
  CHECK(config_error(key + " = 1\n").find("a dotted key has more than 32 parts") != std::string::npos);

  // Nested inline tables stay under toml++'s own limit but over ours for settings.
  std::string inline_tables = "[[instrument]]\nname = \"r\"\ndriver = \"sim-plate-reader\"\nsettings = ";
  for (int i = 0; i < 40; ++i) inline_tables += "{a = ";
  inline_tables += "1" + std::string(40, '}') + "\n";
  CHECK(config_error(inline_tables).find("deeper than 32 levels") != std::string::npos);

  // Dots in numbers, strings and comments are not key parts.
  std::string floats = "[[instrument]]\nname = \"r\"\ndriver = \"sim-plate-reader\"\n[instrument.settings]\n"
                       "x = [";
  for (int i = 0; i < 100; ++i) floats += "1.5, ";
  floats += "2.5] # a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h\n"
            "y = \"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h\"\n";
  CHECK(config_error(floats) == "");
}

TEST_CASE("assayctl submit refuses a job file nested 150,000 deep before it walks it") {
  auto dir = std::filesystem::temp_directory_path() / ("assay-deep-job-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "deep.json";
  std::ofstream(file) << R"({"protocol": "plate_read", "instrument": "sim-reader", "layout": )"
                      << nested_arrays(150000) << "}";
  // No daemon runs at this state dir: the file must be refused before anything is sent.
  auto run = assay::testing::run_assayctl("--state-dir " + (dir / "state").string() +
                                          " --timeout-ms 2000 submit " + file.string());
  std::filesystem::remove_all(dir);
  INFO(run.out);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.out, Catch::Contains(file.string() + ": not valid JSON: arrays and objects nest deeper than " +
                                      std::to_string(kMaxJsonDepth) + " levels"));
}
