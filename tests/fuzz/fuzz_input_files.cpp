// Files a scientist hands to assayctl or the daemon: a dose-response CSV, a readings CSV and a
// TOML config. The first byte picks the parser; each must fail with its own error type.
#include <sstream>
#include <string>

#include "assay/daemon/config.hpp"
#include "assay/protocols/calcium/readings_csv.hpp"
#include "assay/protocols/fit/dose_table.hpp"
#include "fuzz/fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(assay::fuzz::as_text(data + 1, size - 1));
  try {
    switch (data[0] % 3) {
      case 0: {
        std::istringstream in(text);
        (void)assay::protocols::fit::read_dose_table(in, "fuzz.csv");
        break;
      }
      case 1: {
        std::istringstream in(text);
        (void)assay::protocols::calcium::read_readings_csv(in, "fuzz.csv");
        break;
      }
      default: {
        assay::daemon::ConfigOverrides overrides;  // a state dir, so parsing goes past that check
        overrides.state_dir = "/tmp/assay-fuzz-state";
        (void)assay::daemon::parse_config(text, "fuzz.toml", overrides);
      }
    }
  } catch (const assay::protocols::fit::DoseTableError&) {
  } catch (const assay::protocols::calcium::ReadingsCsvError&) {
  } catch (const assay::daemon::ConfigError&) {
  } catch (const std::exception& e) {
    assay::fuzz::unexpected("input files", e);
  }
  return 0;
}
