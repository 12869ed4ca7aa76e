// The drc package's dose-response datasets used as real-data fixtures (../shared/data/drc): the
// single-curve sets and the per-group sets, with the columns that hold dose, response and group.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "assay/protocols/fit/dose_table.hpp"

namespace assay::test {

struct DrcDataset {
  const char* file;
  const char* x;
  const char* y;
  const char* group;  // "" for one curve
};

inline const std::vector<DrcDataset>& drc_datasets() {
  static const std::vector<DrcDataset> sets = {
      {"ryegrass", "conc", "rootl", ""},        {"test3_dat1", "conc", "response", ""},
      {"test3_dat2", "conc", "response", ""},   {"secalonic", "dose", "rootl", ""},
      {"algae", "conc", "vol", ""},             {"M.bahia", "conc", "dryweight", ""},
      {"P.promelas", "conc", "dryweight", ""},  {"S.capricornutum", "conc", "count", ""},
      {"lepidium", "conc", "weight", ""},       {"nasturtium", "conc", "weight", ""},
      {"leaflength", "Dose", "DW", ""},         {"terbuthylazin", "dose", "rgr", ""},
      {"heartrate", "pressure", "rate", ""},    {"lettuce", "conc", "weight", ""},
      {"S.alba", "Dose", "DryMatter", "Herbicide"}, {"G.aparine", "dose", "drymatter", "treatment"},
      {"spinach", "DOSE", "SLOPE", "CURVE"},    {"decontaminants", "conc", "count", "group"},
      {"vinclozolin", "conc", "effect", "exper"}, {"metals", "conc", "BIF", "metal"},
  };
  return sets;
}

inline protocols::fit::DoseTable read_drc(const DrcDataset& set) {
  const std::string path = std::string(ASSAY_SHARED_DIR) + "/data/drc/" + set.file + ".csv";
  std::ifstream in(path);
  protocols::fit::DoseTableOptions options;
  options.x_column = set.x;
  options.y_column = set.y;
  options.group_column = set.group;
  return protocols::fit::read_dose_table(in, path, options);
}

}  // namespace assay::test
