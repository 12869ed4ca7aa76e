// assayctl report ID [--out FILE]: the job's report page (one self-contained HTML file).
#include <algorithm>
#include <fstream>
#include <iostream>

#include "client.hpp"
#include "commands.hpp"

namespace assay::ctl {

void add_report_command(CLI::App& app, ClientOptions& options) {
  static std::string job_id, out;
  auto* report = app.add_subcommand("report", "write a job's report: one self-contained HTML page")
                     ->group("talk to assayd");
  report->add_option("ID", job_id, "job id")->required();
  report->add_option("--out", out, "the file to write (default ID.html; - for standard output)");
  report->callback([&options] {
    // A report of a big plate takes the daemon a moment to draw: wait longer than for a query.
    ClientOptions patient = options;
    patient.timeout_ms = std::max(options.timeout_ms, 120000);
    auto result = ApiClient(patient).call("report.get", {{"job_id", job_id}});
    const auto html = result["html"].get<std::string>();
    if (out == "-") {
      std::cout << html;
      return;
    }
    const std::string path = out.empty() ? job_id + ".html" : out;
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << html;
    file.close();
    if (!file) {
      std::cerr << path << ": cannot write the report (check the folder exists and is writable)\n";
      exit_with(kExitUsage);
    }
    std::cout << "wrote " << path << " (" << (html.size() + 1023) / 1024 << " KiB, job " << job_id << " "
              << result["state"].get<std::string>() << ")\n";
  });
}

}  // namespace assay::ctl
