// Conditions of a transwell plate: the inserts that are replicates of one another.
//
// A condition is one role + compound + concentration + chemokine (stimulated) state; its inserts
// are replicates. Controls: positive_control = chemokine + vehicle (100 % migration),
// negative_control = no chemokine (random migration, the chemotactic index's denominator),
// blank = medium + dye without cells (absorbance only). Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "assay/protocols/layout.hpp"

namespace assay::protocols::chemotaxis {

struct Condition {
  std::string key;  // "positive_control", "balixafortide 10 nM", "X 3 nM (no chemokine)"
  std::string role;
  std::string compound;
  double conc_nM = 0.0;
  bool stimulated = true;
  std::vector<std::string> wells;  // in layout order
};

// Every well of the layout in exactly one condition, conditions in order of first appearance.
std::vector<Condition> group_conditions(const PlateLayout& layout);

// "10 nM", "0.457 nM", "1000 nM": concentrations stay in nM, 3 significant digits, no exponent.
std::string format_conc_nM(double conc_nM);

}  // namespace assay::protocols::chemotaxis
