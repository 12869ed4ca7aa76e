// A simulated membrane is the known truth the cell counter is measured against, so one seed must
// draw the same membrane whichever compiler built the simulator: otherwise the Clang build of
// the sanitizers counts other cells than the GCC build the counter's limits were set on. C++
// leaves the order of a call's arguments open (GCC takes them right to left, Clang left to
// right), so each random draw is its own statement; this pins where one seed puts its cells.
#include <catch2/catch.hpp>

#include "assay/drivers/sim/cell_scene.hpp"

namespace sim = assay::drivers::sim;

TEST_CASE("a seed places the same cells on a simulated membrane under every compiler") {
  sim::CellSceneSpec spec;
  spec.width_px = spec.height_px = 768;
  spec.cells = 100;
  spec.clump_fraction = 0.3;  // many clumps: each of their cells is drawn beside an earlier one
  spec.seed = 145;
  const auto scene = sim::render_cell_scene(spec);
  REQUIRE(scene.cell_centres_px.size() == 100);

  // Sums weighted by the order of placement: one cell drawn elsewhere, or two cells drawn in
  // the other order, changes them.
  double x = 0.0, y = 0.0;
  for (std::size_t i = 0; i < scene.cell_centres_px.size(); ++i) {
    x += static_cast<double>(i + 1) * scene.cell_centres_px[i].x;
    y += static_cast<double>(i + 1) * scene.cell_centres_px[i].y;
  }
  CHECK(x == Approx(1978448.0967).epsilon(0).margin(0.01));
  CHECK(y == Approx(2014172.1743).epsilon(0).margin(0.01));
}
