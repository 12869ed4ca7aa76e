// The test-support time scale (tests/support/time_scale.hpp): limits unchanged unless
// ASSAY_TEST_TIME_SCALE is set, multiplied when it is, and a bad value refused by name.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>
#include <string>

#include "support/time_scale.hpp"

using assay::testing::scaled;
using assay::testing::time_scale;

namespace {

// Sets ASSAY_TEST_TIME_SCALE for one scope and puts back what the test run had (the sanitizer
// scripts set it for every test).
class ScaleVariable {
 public:
  explicit ScaleVariable(const char* value) {
    if (const char* old = std::getenv("ASSAY_TEST_TIME_SCALE")) old_ = old;
    if (value) {
      setenv("ASSAY_TEST_TIME_SCALE", value, 1);
    } else {
      unsetenv("ASSAY_TEST_TIME_SCALE");
    }
  }
  ~ScaleVariable() {
    if (old_) {
      setenv("ASSAY_TEST_TIME_SCALE", old_->c_str(), 1);
    } else {
      unsetenv("ASSAY_TEST_TIME_SCALE");
    }
  }
  ScaleVariable(const ScaleVariable&) = delete;
  ScaleVariable& operator=(const ScaleVariable&) = delete;

 private:
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("test time limits stay as written unless ASSAY_TEST_TIME_SCALE is set") {
  {
    ScaleVariable unset(nullptr);
    CHECK(time_scale() == 1.0);
    CHECK(scaled(std::chrono::seconds(240)) == std::chrono::seconds(240));
  }
  {
    ScaleVariable empty("");
    CHECK(time_scale() == 1.0);
  }
  {
    ScaleVariable tsan("8");
    CHECK(time_scale() == 8.0);
    CHECK(scaled(std::chrono::seconds(240)) == std::chrono::seconds(1920));
    CHECK(scaled(std::chrono::milliseconds(500)) == std::chrono::milliseconds(4000));
  }
  {
    ScaleVariable fraction("2.5");
    CHECK(scaled(std::chrono::seconds(3)) == std::chrono::milliseconds(7500));
  }
}

TEST_CASE("a time scale that is not a number from 1 to 100 is refused, naming the variable") {
  for (const char* bad : {"fast", "3x", "0.5", "0", "-2", "1000", "nan", "inf"}) {
    INFO(bad);
    ScaleVariable variable(bad);
    CHECK_THROWS_WITH(time_scale(), Catch::Contains("ASSAY_TEST_TIME_SCALE=\"" + std::string(bad) + "\""));
  }
}
