#include <iostream>

#include "assay/protocols/key_names.hpp"
#include "commands.hpp"

namespace assay::ctl {

void add_analyze_command(CLI::App& app) {
  auto* analyze = app.add_subcommand("analyze", "re-analyse stored or exported readings offline");
  add_analyze_calcium_flux(*analyze);
  add_analyze_chemotaxis(*analyze);
  // CLI11 alone says "A subcommand is required" (or that a word was not expected): name the
  // assays instead, and the nearest one to a misspelt name.
  analyze->allow_extras();
  analyze->callback([analyze] {
    if (!analyze->get_subcommands().empty()) return;
    std::vector<std::string> assays;
    for (const auto* sub : analyze->get_subcommands({})) assays.push_back(sub->get_name());
    std::string names;
    for (const auto& name : assays) names += (names.empty() ? "" : ", ") + name;
    const auto extras = analyze->remaining();
    if (extras.empty()) {
      std::cerr << "assayctl analyze: name the assay: " << names << "\n";
    } else {
      std::cerr << "assayctl analyze: '" << extras.front() << "' is not an assay";
      if (auto nearest = protocols::nearest_name(extras.front(), assays); !nearest.empty()) {
        std::cerr << "; did you mean `" << nearest << "`?";
      }
      std::cerr << " (assays: " << names << ")\n";
    }
    exit_with(kExitUsage);
  });
}

}  // namespace assay::ctl
