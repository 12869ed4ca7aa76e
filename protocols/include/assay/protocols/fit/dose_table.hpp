// Reading dose-response tables (CSV) for offline fits: one curve per group, replicates as
// separate rows. Strict: a missing column, text or an empty cell in a number column, a negative
// concentration or a group with fewer points than the fit has parameters is an error whose
// message names the file, the line and the column, so the user can fix the file.
// Pure functions, thread-safe.
#pragma once

#include <istream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "assay/protocols/fit/dose_response.hpp"

namespace assay::protocols::fit {

class DoseTableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DoseTableOptions {
  std::string x_column;       // concentration; empty: conc/concentration/dose/x, or the first column
  std::string y_column;       // response; empty: response/y/value, or the only other column
  std::string group_column;   // empty: one curve
  std::string weight_column;  // empty: no per-row weights
  int min_points = 4;         // per group; the number of free parameters of the fit
};

struct DoseCurveInput {
  std::string group;  // empty when there is no group column
  std::vector<DosePoint> points;
  std::vector<int> lines;  // file line of each point (header = line 1)
};

struct DoseTable {
  std::string x_column, y_column, group_column;
  std::vector<DoseCurveInput> curves;  // in order of first appearance of each group
};

// `source` names the input in error messages (a file name, or "stdin").
DoseTable read_dose_table(std::istream& in, const std::string& source,
                          const DoseTableOptions& options = {});
// The same from the whole text of a table, already in memory (lines split at '\n').
DoseTable read_dose_table(std::string_view text, const std::string& source,
                          const DoseTableOptions& options = {});

}  // namespace assay::protocols::fit
