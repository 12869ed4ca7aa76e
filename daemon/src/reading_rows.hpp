// A page of readings as the JSON text the store keeps and publishes:
//   [["A1","fl494-516",0,0.25,1234.5,false], ...]   (well, channel, cycle, time_s, value, saturated)
//
// The same text is the `rows` of the page's row in reading_pages (the `readings` view expands it
// with json_each) and of its job.<id>.reading event, so a page is serialised once. Numbers are
// written shortest round-trip (std::to_chars): parsed back they are the same doubles, bit for
// bit; a double always carries a '.' or an exponent so SQLite's JSON functions read it as REAL.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "assay/drivers/readings.hpp"

namespace assay::daemon {

// The text of the job.<id>.reading event of a page whose rows are `rows` (JSON from
// append_reading_rows), or without `rows` when null (what the event log stores: the rows are
// the page's). Its keys are in the order nlohmann::json writes every other event's (sorted).
std::string reading_event_text(const std::string& job_id, std::int64_t attempt, const std::string* rows,
                               std::int64_t seq, const std::string& time, const std::string& topic);

// Appends the rows of `readings` to `out`. Throws StoreError naming the well when a time or value
// is not finite (SQLite kept those as NULL, which the readings table refused).
void append_reading_rows(std::string& out, std::span<const drivers::Reading> readings);

// The readings of rows written by append_reading_rows. Throws StoreError when `rows` is not such text.
std::vector<drivers::Reading> parse_reading_rows(std::string_view rows);

}  // namespace assay::daemon
