// `assayd --check-config` does every check a start does, driver settings included, and names the
// file and line at fault (issue 14, item 6).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include <unistd.h>

#include "assay/daemon/config.hpp"
#include "support/command.hpp"

using assay::testing::run_command;

namespace {

std::string assayd() { return std::string(ASSAY_BIN_DIR) + "/assayd"; }

}  // namespace

TEST_CASE("assayd --check-config on the embedded default needs no --state-dir") {
  auto run = run_command(assayd() + " --check-config 2>&1");
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("ok (2 instruments"));
}

TEST_CASE("assayd --check-config refuses a misspelt driver setting at its file and line") {
  const auto dir = std::filesystem::temp_directory_path() / ("assay-check-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string text = assay::daemon::default_config_toml();
  text = std::regex_replace(text, std::regex("noise_percent = "), "noise_percnt = ");
  int line = 1;
  for (std::size_t i = 0; i < text.find("noise_percnt"); ++i) line += text[i] == '\n' ? 1 : 0;
  const auto file = dir / "bad.toml";
  std::ofstream(file) << text;
  auto run = run_command(assayd() + " --config " + file.string() + " --check-config 2>&1");
  INFO(run.out);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.out, Catch::Contains(file.string() + ":" + std::to_string(line) +
                                      ": instrument 'sim-reader' (driver sim-plate-reader): "));
  CHECK_THAT(run.out, Catch::Contains("noise_percnt"));
  std::filesystem::remove_all(dir);
}
