#include "assay/protocols/bounded_json.hpp"

namespace assay::protocols {
namespace {

using nlohmann::json;
using DomParser = nlohmann::detail::json_sax_dom_parser<json>;

// The library's own DOM builder, stopped when a container opens past the limit. sax_parse is a
// template on the handler type, so these members hide (not override) the base ones.
class DepthLimitedParser : public DomParser {
 public:
  DepthLimitedParser(json& out, std::size_t max_depth) : DomParser(out, false), max_depth_(max_depth) {}

  bool start_object(std::size_t elements) { return enter() && DomParser::start_object(elements); }
  bool end_object() {
    --depth_;
    return DomParser::end_object();
  }
  bool start_array(std::size_t elements) { return enter() && DomParser::start_array(elements); }
  bool end_array() {
    --depth_;
    return DomParser::end_array();
  }
  bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& e) {
    error_ = e.what();
    return DomParser::parse_error(position, token, e);
  }

  bool too_deep() const { return too_deep_; }
  const std::string& error() const { return error_; }

 private:
  bool enter() {
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }

  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
  std::string error_;
};

}  // namespace

BoundedJson parse_bounded_json(std::string_view text, std::size_t max_depth) {
  BoundedJson out;
  DepthLimitedParser parser(out.value, max_depth);
  const bool parsed = json::sax_parse(text, &parser);
  if (parsed) return out;
  out.value = json(json::value_t::discarded);
  if (parser.too_deep()) {
    out.too_deep = true;
    out.error = "arrays and objects nest deeper than " + std::to_string(max_depth) +
                " levels (the limit); flatten the input";
  } else {
    out.error = parser.error().empty() ? "not valid JSON" : parser.error();
  }
  return out;
}

}  // namespace assay::protocols
