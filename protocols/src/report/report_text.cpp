// The sections in words and tables: the result, QC, the flags explained, the provenance.
#include <cmath>

#include "assay/protocols/figures/svg.hpp"
#include "flag_words.hpp"
#include "html.hpp"
#include "report_data.hpp"

namespace assay::protocols::report {
namespace {

using nlohmann::json;

std::string text_of(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return number_text(value, 4);
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_null()) return "–";
  return value.dump();
}

const json& member(const json& object, const char* key) {
  static const json null;
  return object.is_object() && object.contains(key) ? object.at(key) : null;
}

// "4.42 nM (95% CI profile 3.8 to 5.1 nM)" from the IC50 object every assay reports.
std::string ic50_words(const json& ic50) {
  if (!member(ic50, "value").is_number()) return "no IC50";
  const std::string unit = ic50.value("unit", std::string("nM"));
  std::string text = number_text(ic50.at("value")) + " " + unit;
  const auto& low = member(ic50, "ci_low");
  const auto& high = member(ic50, "ci_high");
  const int level = static_cast<int>(std::lround(100 * ic50.value("confidence", 0.95)));
  if (low.is_number() || high.is_number()) {
    text += " (" + std::to_string(level) + "% CI " + (low.is_number() ? number_text(low) : "unbounded") + " to " +
            (high.is_number() ? number_text(high) : "unbounded") + " " + unit;
    if (member(ic50, "ci_method").is_string()) text += ", " + ic50.at("ci_method").get<std::string>();
    text += ")";
  }
  return text;
}

// Rows of the IC50 table for the compounds of `per_compound` (an object keyed by compound).
std::string ic50_table(ReportData& data, const json& per_compound, const char* ic50_key) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [compound, s] : per_compound.items()) {
    const auto& ic50 = member(s, ic50_key);
    rows.push_back({compound, ic50_words(ic50), number_text(member(s, "hill_slope")), number_text(member(s, "r2")),
                    number_text(member(ic50, "n")), data.note_flags(member(ic50, "flags"))});
  }
  if (rows.empty()) return "";
  return table({"compound", "IC50", "Hill slope", "R²", "n", "flags"}, rows, "ic50");
}

std::string facts_table(const std::vector<std::pair<std::string, std::string>>& facts) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, value] : facts) rows.push_back({name, value});
  return table({"", ""}, rows, "facts");
}

std::string calcium_result(ReportData& data) {
  const auto& s = data.summary;
  std::string body = facts_table({{"wells", text_of(member(s, "wells"))},
                                  {"channel", text_of(member(s, "channel"))},
                                  {"cycles", text_of(member(s, "cycles"))},
                                  {"response metric", text_of(member(s, "metric"))},
                                  {"normalisation", text_of(member(s, "normalisation"))},
                                  {"wells flagged / excluded",
                                   text_of(member(s, "flagged_wells")) + " / " + text_of(member(s, "excluded_wells"))}});
  body += "<h3>IC50 per compound</h3>\n" + ic50_table(data, member(s, "series"), "ic50");
  return body;
}

std::string chemotaxis_result(ReportData& data) {
  const auto& s = data.summary;
  std::string body = facts_table({{"readout", text_of(member(s, "readout"))},
                                  {"unit", text_of(member(s, "unit"))},
                                  {"chemotactic index", text_of(member(s, "chemotactic_index"))},
                                  {"Z'", text_of(member(s, "z_prime"))}});
  // The chemotaxis summary keeps the slope beside the IC50 object; show the same columns.
  json per_compound = json::object();
  for (const auto& [compound, entry] : member(s, "ic50").items()) {
    per_compound[compound] = entry;
    if (const auto* row = data.row("series", compound); row && row->contains("fit")) {
      per_compound[compound]["r2"] = member(row->at("fit"), "r2");
    }
  }
  body += "<h3>IC50 per compound</h3>\n" + ic50_table(data, per_compound, "ic50");
  return body;
}

std::string mean_sd(const json& mean, const json& sd) {
  if (!mean.is_number()) return "–";
  return number_text(mean) + (sd.is_number() ? " ± " + number_text(sd) : "");
}

std::string cfu_result(ReportData& data) {
  const auto& s = data.summary;
  std::string classes;
  for (const auto& [cls, n] : member(s, "colonies_by_class").items()) {
    classes += (classes.empty() ? "" : ", ") + cls + " " + text_of(n);
  }
  std::string body = facts_table({{"dishes", text_of(member(s, "wells"))},
                                  {"fields per dish", text_of(member(s, "fields_per_well"))},
                                  {"colonies in all dishes", text_of(member(s, "total_colonies"))},
                                  {"by class", classes.empty() ? "–" : classes}});
  std::vector<std::vector<std::string>> rows;
  for (const auto& sample : member(s, "samples")) {
    std::string dishes;
    for (const auto& d : member(sample, "dishes")) dishes += (dishes.empty() ? "" : " ") + text_of(d);
    rows.push_back({text_of(member(sample, "sample")), text_of(member(sample, "group")), dishes,
                    text_of(member(sample, "n")),
                    mean_sd(member(sample, "mean_colonies"), member(sample, "sd_colonies")),
                    mean_sd(member(sample, "mean_cfu_per_1e5_cells"), member(sample, "sd_cfu_per_1e5_cells"))});
  }
  if (!rows.empty()) {
    body += "<h3>Per sample (mean ± SD of replicate dishes)</h3>\n" +
            table({"sample", "group", "dishes", "n", "colonies per dish", "CFU per 1e5 cells"}, rows, "samples");
  }
  return body;
}

std::string generic_result(ReportData& data) {
  std::vector<std::pair<std::string, std::string>> facts;
  for (const auto& [key, value] : data.summary.items()) {
    if (key == "figures" || key == "provenance" || key == "simulation_truth") continue;
    facts.emplace_back(key, value.is_object() || value.is_array() ? value.dump() : text_of(value));
  }
  return facts.empty() ? "" : facts_table(facts);
}

std::string qc_row_text(const json& group) {
  if (!group.is_object()) return "–";
  return "n " + text_of(member(group, "n")) + ", mean " + number_text(member(group, "mean")) + " ± " +
         number_text(member(group, "sd")) + " (CV " + number_text(member(group, "cv_percent")) + " %)";
}

// Z', S/B and the controls of a plate QC object (fit::to_json(PlateQc)).
std::vector<std::vector<std::string>> plate_qc_rows(ReportData& data, const json& qc, const std::string& positive,
                                                    const std::string& negative) {
  std::vector<std::vector<std::string>> rows;
  const auto& z = member(qc, "z_prime");
  std::string verdict = member(qc, "pass").is_boolean() ? (qc.at("pass").get<bool>() ? "pass" : "fail") : "";
  rows.push_back({"Z'", number_text(z) + (verdict.empty() ? "" : " (" + verdict + ", needs ≥ " +
                                                                     number_text(member(qc, "z_prime_threshold")) + ")"),
                  "1 − 3 (SD+ + SD−) / |mean+ − mean−| of the controls: how well the assay window separates "
                  "them (≥ 0.5 is screening quality)."});
  rows.push_back({"S/B", number_text(member(qc, "signal_to_background")),
                  "mean of the " + positive + " over the mean of the " + negative + "."});
  rows.push_back({"CV of the " + positive, number_text(member(member(qc, "positive"), "cv_percent")) + " %",
                  qc_row_text(member(qc, "positive"))});
  rows.push_back({"CV of the " + negative, number_text(member(member(qc, "negative"), "cv_percent")) + " %",
                  qc_row_text(member(qc, "negative"))});
  std::string flags = data.note_flags(member(qc, "flags"));
  if (!flags.empty()) rows.push_back({"QC flags", flags, "explained under Flags"});
  return rows;
}

}  // namespace

std::string result_section(ReportData& data) {
  if (data.summary.empty()) {
    return section("result", "Result", paragraph("The job has no result (state " + data.in.job.value("state", std::string("?")) + ")."));
  }
  std::string body;
  if (data.protocol() == "calcium_flux") body = calcium_result(data);
  else if (data.protocol() == "chemotaxis") body = chemotaxis_result(data);
  else if (data.protocol() == "cfu") body = cfu_result(data);
  else body = generic_result(data);
  return section("result", "Result", body);
}

std::string qc_section(ReportData& data) {
  std::string body;
  const json* qc = data.row("qc", "plate");
  if (data.protocol() == "calcium_flux" && qc) {
    body = table({"measure", "value", "meaning"}, plate_qc_rows(data, *qc, "positive controls (agonist)",
                                                                 "negative controls (no agonist)"));
  } else if (data.protocol() == "chemotaxis" && qc) {
    auto rows = plate_qc_rows(data, member(*qc, "plate_qc"), "chemokine inserts", "no-chemokine inserts");
    rows.push_back({"chemotactic index", number_text(member(*qc, "chemotactic_index")),
                    "migration with chemokine over migration without (needs ≥ " +
                        number_text(member(*qc, "chemotactic_index_min")) + ")."});
    if (member(*qc, "blank").is_object()) {
      const auto& b = qc->at("blank");
      rows.push_back({"blank", number_text(member(b, "mean_od")) + " ± " + number_text(member(b, "sd_od")) + " OD",
                      std::string(member(b, "subtracted").is_boolean() && b.at("subtracted").get<bool>()
                                      ? "subtracted from every insert"
                                      : "not subtracted")});
    }
    std::string flags = data.note_flags(member(*qc, "flags"));
    if (!flags.empty()) rows.push_back({"assay flags", flags, "explained under Flags"});
    body = table({"measure", "value", "meaning"}, rows);
  } else if (data.protocol() == "cfu") {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : data.rows_of("well")) {
      const auto& v = *r.value;
      rows.push_back({r.key, text_of(member(v, "count")), data.note_flags(member(v, "flags"))});
    }
    if (!rows.empty()) body = table({"dish", "colonies", "flags"}, rows);
  } else {
    // Per-channel spread of the raw readout (no controls to judge by).
    std::map<std::string, std::vector<double>> by_channel;
    for (const auto& r : data.readings) by_channel[r.channel].push_back(r.value);
    std::vector<std::vector<std::string>> rows;
    for (const auto& [channel, values] : by_channel) {
      double sum = 0, sq = 0;
      for (double v : values) sum += v;
      const double mean = sum / values.size();
      for (double v : values) sq += (v - mean) * (v - mean);
      const double sd = values.size() > 1 ? std::sqrt(sq / (values.size() - 1)) : NAN;
      rows.push_back({channel, std::to_string(values.size()), number_text(mean), number_text(sd),
                      number_text(mean != 0 ? 100 * sd / std::abs(mean) : NAN)});
    }
    if (!rows.empty()) body = table({"channel", "readings", "mean", "SD", "CV %"}, rows);
  }
  return body.empty() ? "" : section("qc", "Quality control", body);
}

std::string flags_section(ReportData& data) {
  // Flags of every row and the summary, also those no section showed.
  for (const auto& [kind, rows] : data.rows_by_kind) {
    for (const auto& r : rows) data.note_flags(member(*r.value, "flags"));
  }
  data.note_flags(member(data.summary, "flags"));
  if (data.flags.empty()) return section("flags", "Flags", paragraph("No flags were raised."));
  std::vector<std::vector<std::string>> rows;
  for (const auto& flag : data.flags) rows.push_back({flag, explain_flag(flag)});
  return section("flags", "Flags", table({"flag", "what it means"}, rows, "flags"));
}

std::string provenance_section(ReportData& data) {
  const auto& job = data.in.job;
  const auto& recorded = member(data.summary, "provenance");
  std::vector<std::pair<std::string, std::string>> facts{
      {"job", job.value("job_id", std::string("?"))},
      {"protocol", data.protocol()},
      {"state", job.value("state", std::string("?")) + ", attempts " + text_of(member(job, "attempts"))},
      {"submitted", text_of(member(job, "submitted_at"))},
      {"started", text_of(member(job, "started_at"))},
      {"finished", text_of(member(job, "finished_at"))},
      {"instrument", job.value("instrument", std::string("?"))}};
  if (member(recorded, "instrument").is_object()) {
    const auto& i = recorded.at("instrument");
    facts.emplace_back("driver (at the run)", text_of(member(i, "driver")));
    facts.emplace_back("instrument details (at the run)", member(i, "details").dump());
  } else if (data.in.instrument.is_object()) {
    facts.emplace_back("driver (now)", text_of(member(data.in.instrument, "driver")));
    facts.emplace_back("instrument details (now)", member(data.in.instrument, "details").dump());
  }
  if (member(recorded, "simulation_seed").is_number()) {
    facts.emplace_back("simulation seed", text_of(recorded.at("simulation_seed")) +
                                              " (set simulation.seed to this to draw the same noise again)");
  }
  facts.emplace_back("software (at the run)", member(recorded, "software_version").is_string()
                                                  ? "assayd " + recorded.at("software_version").get<std::string>()
                                                  : "not recorded");
  facts.emplace_back("software (this report)", "assayd " + data.in.software_version);
  std::string body = facts_table(facts);
  const auto& spec = member(job, "spec");
  if (spec.is_object()) {
    body += "<h3>Settings (the job file as submitted)</h3>\n<pre>" + escape_html(spec.dump(2)) + "</pre>\n";
  }
  if (!data.spec_error.empty()) body += paragraph("The stored job file no longer reads: " + data.spec_error, "error");
  if (member(data.summary, "params").is_object()) {
    body += "<h3>Parameters in effect</h3>\n<pre>" + escape_html(data.summary.at("params").dump(2)) + "</pre>\n";
  }
  const auto& truth = member(job, "truth");
  if (!truth.is_null()) {
    body += "<h3>Simulation truth</h3>\n<pre>" + escape_html(truth.dump(2)) + "</pre>\n";
  }
  return section("provenance", "Provenance", body);
}

}  // namespace assay::protocols::report
