// Result<T> holds a value or a failed Status, never neither.
#include <catch2/catch.hpp>

#include "assay/drivers/status.hpp"

using assay::drivers::Result;
using assay::drivers::Status;
using assay::drivers::StatusCode;

TEST_CASE("a Result made from an ok Status is refused as an internal failure, not a silent one") {
  Result<int> made_from_ok(Status::ok());
  REQUIRE_FALSE(made_from_ok.is_ok());
  CHECK(made_from_ok.status().code() == StatusCode::internal);
  CHECK_THAT(made_from_ok.status().to_string(), Catch::StartsWith("internal: a Result was made from an ok Status"));
}

TEST_CASE("a Result keeps its value or the failed Status it was given") {
  Result<int> value(7);
  REQUIRE(value.is_ok());
  CHECK(*value == 7);
  Result<int> failed(Status{StatusCode::timeout, "no answer within 2000 ms"});
  REQUIRE_FALSE(failed.is_ok());
  CHECK(failed.status().code() == StatusCode::timeout);
  CHECK(failed.status().message() == "no answer within 2000 ms");
}
