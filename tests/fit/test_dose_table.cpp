// Reading dose-response CSV tables: column choice, groups, and errors that name the line.
#include <catch2/catch.hpp>

#include <random>
#include <sstream>
#include <string_view>

#include "assay/protocols/csv_line.hpp"
#include "assay/protocols/fit/dose_table.hpp"

using namespace assay::protocols::fit;
using assay::protocols::split_csv_line;

namespace {

DoseTable read(const std::string& text, DoseTableOptions options = {}) {
  std::istringstream in(text);
  return read_dose_table(in, "plate.csv", options);
}

// The line splitter as it was before fields became views: one character at a time into strings,
// then trimmed. The view splitter must give the same fields for any line.
std::vector<std::string> split_one_by_one(const std::string& line, char delimiter) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        fields.back() += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == delimiter) {
      fields.emplace_back();
    } else if (ch != '\r') {
      fields.back() += ch;
    }
  }
  for (auto& f : fields) {
    const auto first = f.find_first_not_of(" \t\r");
    f = first == std::string::npos ? "" : f.substr(first, f.find_last_not_of(" \t\r") - first + 1);
  }
  return fields;
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

TEST_CASE("fields as views are the fields of the character-by-character splitter", "[table]") {
  // Random lines over the characters that matter: quotes, delimiters, CR, spaces, tabs.
  const std::string alphabet = "ab1.\",;\r \t";
  std::mt19937 rng(16);
  std::vector<std::string_view> views;
  std::string scratch;
  for (int n = 0; n < 20000; ++n) {
    std::string line(rng() % 14, ' ');
    for (char& ch : line) ch = alphabet[rng() % alphabet.size()];
    const char delimiter = n % 3 == 0 ? ';' : ',';
    split_csv_line(line, delimiter, views, scratch);
    const std::vector<std::string> expected = split_one_by_one(line, delimiter);
    REQUIRE(std::vector<std::string>(views.begin(), views.end()) == expected);
    REQUIRE(split_csv_line(line, delimiter) == expected);
  }
}

TEST_CASE("a quoted field's view outlives the fields split after it on the same line", "[table]") {
  std::vector<std::string_view> views;
  std::string scratch;
  split_csv_line("\"a \"\"x\"\"\", plain ,\"b,c\",\"\"\"\",\"d\"\r", ',', views, scratch);
  CHECK(views == std::vector<std::string_view>{"a \"x\"", "plain", "b,c", "\"", "d"});
}

TEST_CASE("CRLF line endings and quoted headers read as plain ones", "[table]") {
  DoseTableOptions options;
  options.group_column = "compound";
  std::string crlf = kGrouped;
  for (std::size_t at = crlf.find('\n'); at != std::string::npos; at = crlf.find('\n', at + 2))
    crlf.insert(at, "\r");
  const DoseTable plain = read(kGrouped, options), windows = read(crlf, options);
  REQUIRE(windows.curves.size() == 2);
  CHECK(windows.x_column == "conc");
  for (std::size_t c = 0; c < 2; ++c) {
    CHECK(windows.curves[c].group == plain.curves[c].group);
    CHECK(windows.curves[c].lines == plain.curves[c].lines);
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(windows.curves[c].points[i].conc == plain.curves[c].points[i].conc);
      CHECK(windows.curves[c].points[i].response == plain.curves[c].points[i].response);
    }
  }
}

TEST_CASE("a table in memory reads as the same table from a stream", "[table]") {
  DoseTableOptions options;
  options.group_column = "compound";
  // Blank lines, a last line without its newline, a quoted group with the delimiter in it.
  const std::string text = "compound,conc,response\n\n\"x, y\",1,5\nB,2,6\n  \n\"x, y\",3,7\nB,4,8";
  options.min_points = 2;
  const DoseTable from_text = read_dose_table(std::string_view(text), "plate.csv", options);
  const DoseTable from_stream = read(text, options);
  REQUIRE(from_text.curves.size() == 2);
  CHECK(from_text.curves[0].group == "x, y");
  CHECK(from_text.curves[0].lines == std::vector<int>{3, 6});
  CHECK(from_text.curves[1].lines == std::vector<int>{4, 7});
  for (std::size_t c = 0; c < 2; ++c) {
    CHECK(from_stream.curves[c].group == from_text.curves[c].group);
    CHECK(from_stream.curves[c].lines == from_text.curves[c].lines);
    CHECK(from_stream.curves[c].points[1].response == from_text.curves[c].points[1].response);
  }
}

TEST_CASE("a missing value names its line and column, quoted or not", "[table]") {
  DoseTableOptions options;
  options.group_column = "compound";
  CHECK_THROWS_WITH(read("compound,conc,response\r\nA,1,2\r\nA,2,\"\"\r\n", options),
                    Catch::Contains("plate.csv: line 3, column 'response': '' is not a number") &&
                        Catch::Contains("fill in the value"));
  CHECK_THROWS_WITH(read("compound,conc,response\nA,1,2\nA, ,3\n", options),
                    Catch::Contains("line 3, column 'conc': '' is not a number"));
  CHECK_THROWS_WITH(read("compound,conc,response\nA,1,2\nA,2,NA\n", options),
                    Catch::Contains("line 3, column 'response': 'NA' is not a number (remove the row"));
  CHECK_THROWS_WITH(read("compound,conc,response\nA,1,2\nA,2\n", options),
                    Catch::Contains("line 3 has 2 fields, the header has 3"));
}
