#include <catch2/catch.hpp>

#include <fstream>

#include "assay/protocols/chemotaxis/field_counts.hpp"
#include "assay/protocols/chemotaxis/params.hpp"
#include "assay/protocols/chemotaxis/protocol.hpp"
#include "plates.hpp"

using namespace assay::protocols;
using namespace assay::protocols::chemotaxis;
using nlohmann::json;

namespace {

std::string refusal(const json& params, const json& layout = chemotaxis_test::transwell_layout()) {
  try {
    ChemotaxisProtocol().validate(chemotaxis_test::transwell_spec(params, layout));
  } catch (const ProtocolError& e) {
    CHECK(e.code() == "invalid_params");
    return e.what();
  }
  return "";
}

json without_role(const std::string& role) {
  json layout = json::array();
  for (const auto& entry : chemotaxis_test::transwell_layout()) {
    if (entry.value("role", "") != role) layout.push_back(entry);
  }
  return layout;
}

}  // namespace

TEST_CASE("the example layouts validate for both readouts") {
  CHECK(refusal(json::object()).empty());
  CHECK(refusal({{"readout", "imaging"}}, chemotaxis_test::transwell_layout(false)).empty());
}

TEST_CASE("an unknown readout is refused with the valid ones named") {
  auto message = refusal({{"readout", "fluorescence"}});
  CHECK(message.find("params.readout") != std::string::npos);
  CHECK(message.find("\"absorbance\", \"imaging\"") != std::string::npos);
}

TEST_CASE("a misspelt parameter is refused, not ignored") {
  auto message = refusal({{"wavelenght_nm", 570}});
  CHECK(message.find("params.wavelenght_nm: unknown key; did you mean `wavelength_nm`?") != std::string::npos);
}

TEST_CASE("a missing chemokine-only control is refused before the instrument moves") {
  auto message = refusal(json::object(), without_role("positive_control"));
  CHECK(message.find("no chemokine-only control") != std::string::npos);
  CHECK(message.find("positive_control") != std::string::npos);
}

TEST_CASE("a missing no-chemokine control is refused: the chemotactic index needs it") {
  auto message = refusal(json::object(), without_role("negative_control"));
  CHECK(message.find("chemotactic index") != std::string::npos);
  CHECK(message.find("negative_control") != std::string::npos);
}

TEST_CASE("an insert with no replicate is named") {
  auto layout = chemotaxis_test::transwell_layout();
  layout.push_back({{"wells", "B1"}, {"compound", "plerixafor"}, {"conc_nM", 100}});
  layout[3]["wells"] = "B2";  // one blank left
  auto message = refusal(json::object(), layout);
  CHECK(message.find("insert B1 (plerixafor 100 nM) has no replicate") != std::string::npos);
  CHECK(message.find("params.min_replicates") != std::string::npos);
  // The same layout passes when single inserts are explicitly allowed.
  CHECK(refusal({{"min_replicates", 1}}, layout).empty());
}

TEST_CASE("controls whose chemokine state contradicts their role are refused") {
  auto layout = chemotaxis_test::transwell_layout();
  layout[1]["stimulated"] = true;
  CHECK(refusal(json::object(), layout).find("negative_control insert A4 has chemokine") != std::string::npos);
  layout = chemotaxis_test::transwell_layout();
  layout[0]["compound"] = "balixafortide";
  CHECK(refusal(json::object(), layout).find("positive_control insert A1 holds compound") != std::string::npos);
}

TEST_CASE("absorbance with blank subtraction needs blank wells") {
  auto message = refusal(json::object(), chemotaxis_test::transwell_layout(false));
  CHECK(message.find("no well has role \"blank\"") != std::string::npos);
  CHECK(refusal({{"blank_subtraction", false}}, chemotaxis_test::transwell_layout(false)).empty());
}

TEST_CASE("imaging fields outside the insert membrane are refused") {
  auto message = refusal({{"readout", "imaging"}, {"fields", {{0, 0}, {3.0, 2.0}}}});
  CHECK(message.find("params.fields[1]") != std::string::npos);
  CHECK(message.find("outside the 6.5 mm insert") != std::string::npos);
}

TEST_CASE("field positions are parsed from pairs, objects or a radius") {
  auto p = parse_chemotaxis_params({{"readout", "imaging"}, {"fields", {{0, 0}, {{"x_mm", 1.0}, {"y_mm", -1.0}}}}});
  REQUIRE(p.imaging.fields.size() == 2);
  CHECK(p.imaging.fields[1].x_mm == 1.0);
  CHECK(p.imaging.fields[1].y_mm == -1.0);
  auto r = parse_chemotaxis_params({{"readout", "imaging"}, {"field_radius_mm", 2.0}, {"combine", "mean"}});
  REQUIRE(r.imaging.fields.size() == 5);
  CHECK(r.imaging.fields[3].x_mm == -2.0);
  CHECK(r.imaging.combine == FieldCombine::mean);
  CHECK_THROWS_WITH(parse_chemotaxis_params({{"fields", {{0}}}}), Catch::Contains("params.fields[0]"));
  CHECK_THROWS_WITH(parse_chemotaxis_params({{"counter", {{"min_contrast", -3}}}}),
                    Catch::Contains("params.counter"));
}

TEST_CASE("images from the wrong objective are an error naming the field") {
  auto params = parse_chemotaxis_params({{"readout", "imaging"}, {"pixel_size_um", 2.0}});
  FieldCount ok{"B3", 0, 40, 2.05};
  CHECK_FALSE(check_pixel_size(ok, params.imaging));  // 2.5 % is within the 5 % tolerance
  FieldCount wrong{"B3", 2, 40, 0.65};
  CHECK_THROWS_WITH(check_pixel_size(wrong, params.imaging),
                    Catch::Contains("field B3/f2: pixel size 0.65 um differs from the expected 2 um"));
}

TEST_CASE("with the flag policy a wrong objective is flagged through to the insert") {
  auto spec = chemotaxis_test::transwell_spec({{"readout", "imaging"}}, chemotaxis_test::transwell_layout(false));
  auto params = parse_chemotaxis_params(
      {{"readout", "imaging"}, {"pixel_size_um", 2.0}, {"on_pixel_size_mismatch", "flag"}, {"fields", {{0, 0}, {1, 0}}}});
  std::vector<FieldCount> fields;
  for (const auto& well : spec.layout.wells()) {
    for (int f = 0; f < 2; ++f) fields.push_back({well.well, f, 10 + f, well.well == "C2" && f == 1 ? 4.0 : 2.0});
  }
  for (auto& field : fields) check_pixel_size(field, params.imaging);
  auto inserts = combine_field_counts(spec.layout, fields, params.imaging, 2);
  REQUIRE(inserts.size() == 22);
  for (const auto& insert : inserts) {
    CHECK(insert.value == 21.0);  // sum of 10 and 11
    bool flagged = std::find(insert.flags.begin(), insert.flags.end(), kFlagPixelSizeMismatch) != insert.flags.end();
    CHECK(flagged == (insert.well == "C2"));
  }
}

TEST_CASE("summed counts refuse an insert with fewer fields, averaged counts flag it") {
  auto spec = chemotaxis_test::transwell_spec({{"readout", "imaging"}}, chemotaxis_test::transwell_layout(false));
  std::vector<FieldCount> fields;
  for (const auto& well : spec.layout.wells()) {
    for (int f = 0; f < 3; ++f) {
      if (well.well == "D5" && f == 2) continue;
      fields.push_back({well.well, f, 30});
    }
  }
  auto sum = parse_chemotaxis_params({{"readout", "imaging"}});
  CHECK_THROWS_WITH(combine_field_counts(spec.layout, fields, sum.imaging, 3),
                    Catch::Contains("insert D5 has 2 counted fields, not 3"));
  auto mean = parse_chemotaxis_params({{"readout", "imaging"}, {"combine", "mean"}});
  auto inserts = combine_field_counts(spec.layout, fields, mean.imaging, 3);
  auto d5 = std::find_if(inserts.begin(), inserts.end(), [](auto& i) { return i.well == "D5"; });
  CHECK(d5->value == 30.0);
  CHECK(d5->flags == std::vector<std::string>{kFlagFewerFields});
}

TEST_CASE("a field counted twice is refused") {
  auto spec = chemotaxis_test::transwell_spec({{"readout", "imaging"}}, chemotaxis_test::transwell_layout(false));
  std::vector<FieldCount> fields{{"A1", 0, 5}, {"A1", 0, 6}};
  CHECK_THROWS_WITH(combine_field_counts(spec.layout, fields, ImagingParams{}, 1),
                    Catch::Contains("field A1/f0 is counted twice"));
}

TEST_CASE("the readout decides which kind of instrument a chemotaxis job needs") {
  ChemotaxisProtocol protocol;
  CHECK(protocol.instrument_kind_for(chemotaxis_test::transwell_spec(json::object())) ==
        assay::drivers::InstrumentKind::plate_reader);
  CHECK(protocol.instrument_kind_for(chemotaxis_test::transwell_spec(
            {{"readout", "imaging"}}, chemotaxis_test::transwell_layout(false))) ==
        assay::drivers::InstrumentKind::imager);
}

TEST_CASE("the shipped example jobs validate") {
  for (const char* name : {"chemotaxis_absorbance.json", "chemotaxis_imaging.json"}) {
    CAPTURE(name);
    std::ifstream in(std::string(ASSAY_SOURCE_DIR) + "/examples/jobs/" + name);
    REQUIRE(in);
    auto spec = JobSpec::from_json(json::parse(in));
    CHECK_NOTHROW(ChemotaxisProtocol().validate(spec));
  }
}
