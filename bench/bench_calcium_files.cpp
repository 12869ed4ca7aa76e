// Writes the benchmarks' 1536-well, 180-cycle calcium-flux plate (calcium_plate_1536.hpp) as the
// files `assayctl analyze calcium_flux` reads, to time the whole command:
//
//   build/bin/bench_calcium_files DIR     writes DIR/reads.csv (278,016 readings: 181 cycles) and DIR/job.json
//   time build/bin/assayctl analyze calcium_flux --reads DIR/reads.csv --layout DIR/job.json
#include <filesystem>
#include <fstream>
#include <iostream>

#include "assay/protocols/calcium/readings_csv.hpp"
#include "calcium_plate_1536.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: bench_calcium_files DIR\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  const auto plate = assay::bench::make_calcium_plate_1536();
  std::ofstream reads(dir / "reads.csv");
  assay::protocols::calcium::write_readings_csv(reads, plate.readings);
  std::ofstream(dir / "job.json") << plate.job.dump(2) << "\n";
  if (!reads) {
    std::cerr << "cannot write " << (dir / "reads.csv").string() << "\n";
    return 1;
  }
  std::cout << plate.readings.size() << " readings of 1536 wells: " << (dir / "reads.csv").string()
            << ", layout and params: " << (dir / "job.json").string() << "\n";
  return 0;
}
