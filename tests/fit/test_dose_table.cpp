// Reading dose-response CSV tables: column choice, groups, and errors that name the line.
#include <catch2/catch.hpp>

#include <sstream>

#include "assay/protocols/csv_line.hpp"
#include "assay/protocols/fit/dose_table.hpp"

using namespace assay::protocols::fit;
using assay::protocols::split_csv_line;

namespace {

DoseTable read(const std::string& text, DoseTableOptions options = {}) {
  std::istringstream in(text);
  return read_dose_table(in, "plate.csv", options);
}

const char* kGrouped =
    "\"compound\",\"conc\",\"response\"\n"
    "A,0,100\nA,1,90\nA,10,50\nA,100,10\n"
    "B,0,98\nB,1,97\nB,10,80\nB,100,40\n";

}  // namespace

TEST_CASE("default columns are found by name and groups keep their file order", "[table]") {
  DoseTableOptions options;
  options.group_column = "compound";
  const DoseTable t = read(kGrouped, options);
  CHECK(t.x_column == "conc");
  CHECK(t.y_column == "response");
  REQUIRE(t.curves.size() == 2);
  CHECK(t.curves[0].group == "A");
  CHECK(t.curves[1].group == "B");
  CHECK(t.curves[1].points[3].conc == 100.0);
  CHECK(t.curves[1].points[3].response == 40.0);
  CHECK(t.curves[1].lines[3] == 9);
}

TEST_CASE("a two-column file uses the other column as the response", "[table]") {
  const DoseTable t = read("dose;effect\n0;1\n1;2\n2;3\n3;4\n");
  CHECK(t.x_column == "dose");
  CHECK(t.y_column == "effect");
  CHECK(t.curves.at(0).points.size() == 4);
}

TEST_CASE("text in a number column names the line and the column", "[table]") {
  CHECK_THROWS_WITH(read("conc,response\n1,2\n2,abc\n3,4\n4,5\n"),
                    Catch::Contains("plate.csv: line 3, column 'response': 'abc' is not a number"));
  CHECK_THROWS_WITH(read("conc,response\n1,2\n2,\n3,4\n4,5\n"),
                    Catch::Contains("line 3") && Catch::Contains("fill in the value"));
}

TEST_CASE("a negative concentration is refused with its line", "[table]") {
  CHECK_THROWS_WITH(read("conc,response\n1,2\n-2,3\n3,4\n4,5\n"),
                    Catch::Contains("line 3") && Catch::Contains("negative concentration -2"));
}

TEST_CASE("a missing column lists the columns that exist", "[table]") {
  DoseTableOptions options;
  options.y_column = "signal";
  CHECK_THROWS_WITH(read("conc,response\n1,2\n", options),
                    Catch::Contains("no response (--y) column 'signal'") && Catch::Contains("'conc', 'response'"));
}

TEST_CASE("a group with fewer points than parameters is refused with its name", "[table]") {
  DoseTableOptions options;
  options.group_column = "compound";
  CHECK_THROWS_WITH(read("compound,conc,response\nA,1,2\nA,2,3\nA,3,4\nA,4,4\nB,1,1\nB,2,2\n", options),
                    Catch::Contains("group 'B' (first at line 6) has 2 points"));
}

TEST_CASE("a row with the wrong number of fields is refused", "[table]") {
  CHECK_THROWS_WITH(read("conc,response\n1,2\n2,3,4\n"), Catch::Contains("line 3 has 3 fields"));
}

TEST_CASE("quoted fields may hold the delimiter and doubled quotes", "[table]") {
  const auto fields = split_csv_line("\"a,b\",\"say \"\"hi\"\"\",3\r");
  REQUIRE(fields.size() == 3);
  CHECK(fields[0] == "a,b");
  CHECK(fields[1] == "say \"hi\"");
  CHECK(fields[2] == "3");
}

TEST_CASE("a reused field vector takes each line's fields and no more", "[table]") {
  std::vector<std::string> fields;
  split_csv_line(" a , \"b,c\" ,d\r", ',', fields);
  REQUIRE(fields.size() == 3);
  CHECK(fields[1] == "b,c");
  split_csv_line("x", ',', fields);
  REQUIRE(fields.size() == 1);
  CHECK(fields[0] == "x");
  split_csv_line("1;2", ';', fields);
  CHECK(fields == std::vector<std::string>{"1", "2"});
}

TEST_CASE("a group that comes back after another is one curve", "[table]") {
  DoseTableOptions options;
  options.group_column = "compound";
  const DoseTable t = read("compound,conc,response\nA,0,100\nB,0,98\nA,1,90\nA,10,50\nB,1,97\n"
                           "A,100,10\nB,10,80\nB,100,40\n",
                           options);
  REQUIRE(t.curves.size() == 2);
  CHECK(t.curves[0].group == "A");
  CHECK(t.curves[0].lines == std::vector<int>{2, 4, 5, 7});
  CHECK(t.curves[1].lines == std::vector<int>{3, 6, 8, 9});
}
