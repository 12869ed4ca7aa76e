// Kinetic (or endpoint) readings as CSV, the format `assayctl results --readings` exports and
// `assayctl analyze calcium_flux --reads` takes:
//
//   well,channel,cycle,time_s,value[,saturated]
//   A1,fl494-516,0,0.0003,11873.2,0
//
// The header names the columns (any order; extra columns such as "attempt" are ignored; a line
// starting with '#' is a comment). `saturated` is 0/1 or true/false and defaults to 0. Rows are
// kept in file order, which is the order they were stored. Errors name the file, the line and the
// column. Thread-safe (no shared state).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "assay/drivers/readings.hpp"

namespace assay::protocols::calcium {

class ReadingsCsvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::vector<drivers::Reading> read_readings_csv(std::istream& in, const std::string& source);
std::vector<drivers::Reading> read_readings_csv(const std::filesystem::path& path);

// Writes the header and one row per reading with full double precision (round-trips exactly).
void write_readings_csv(std::ostream& out, std::span<const drivers::Reading> readings);

}  // namespace assay::protocols::calcium
