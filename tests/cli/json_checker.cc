// The checker parses with nlohmann-json, an implementation independent of
// the product's (kvstore/internal/json.h), through its SAX interface so
// that a repeated name is refused and the document's order is kept.
#include "tests/cli/json_checker.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace kvstore {
namespace cli {
namespace {

using Json = nlohmann::json;

class TreeBuilder : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return Add(JsonValue()); }
  bool boolean(bool b) override {
    JsonValue v;
    v.kind = JsonValue::Kind::kBool;
    v.boolean = b;
    return Add(std::move(v));
  }
  bool number_integer(number_integer_t n) override {
    return Number(static_cast<double>(n), std::to_string(n));
  }
  bool number_unsigned(number_unsigned_t n) override {
    return Number(static_cast<double>(n), std::to_string(n));
  }
  bool number_float(number_float_t n, const string_t& text) override {
    return Number(n, text);
  }
  bool string(string_t& s) override {
    JsonValue v;
    v.kind = JsonValue::Kind::kString;
    v.text = s;
    return Add(std::move(v));
  }
  bool binary(binary_t&) override { return Fail("binary value"); }
  bool start_object(std::size_t) override {
    JsonValue v;
    v.kind = JsonValue::Kind::kObject;
    return Open(std::move(v));
  }
  bool key(string_t& name) override {
    JsonValue* object = open_.back();
    if (object->Find(name) != nullptr) {
      return Fail(absl::StrCat("repeated name '", name, "'"));
    }
    object->object.emplace_back(name, JsonValue());
    return true;
  }
  bool end_object() override {
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    JsonValue v;
    v.kind = JsonValue::Kind::kArray;
    return Open(std::move(v));
  }
  bool end_array() override {
    open_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    return Fail(absl::StrCat("at byte ", position, ": ", e.what()));
  }

  JsonValue& root() { return root_; }
  const std::string& error() const { return error_; }

 private:
  bool Fail(absl::string_view why) {
    if (error_.empty()) error_ = std::string(why);
    return false;
  }
  bool Number(double n, std::string text) {
    JsonValue v;
    v.kind = JsonValue::Kind::kNumber;
    v.number = n;
    v.text = std::move(text);
    return Add(std::move(v));
  }
  // Places `v` where the document has it; returns where it went.
  JsonValue* Place(JsonValue v) {
    if (open_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    JsonValue* parent = open_.back();
    if (parent->kind == JsonValue::Kind::kArray) {
      parent->array.push_back(std::move(v));
      return &parent->array.back();
    }
    parent->object.back().second = std::move(v);
    return &parent->object.back().second;
  }
  bool Add(JsonValue v) {
    Place(std::move(v));
    return true;
  }
  bool Open(JsonValue v) {
    open_.push_back(Place(std::move(v)));
    return true;
  }

  JsonValue root_;
  // The open objects and arrays, innermost last. A container's children
  // are added only while it is innermost, so the pointers stay valid.
  std::vector<JsonValue*> open_;
  std::string error_;
};

}  // namespace

const JsonValue* JsonValue::Find(absl::string_view name) const {
  for (const auto& [n, v] : object) {
    if (n == name) return &v;
  }
  return nullptr;
}

absl::StatusOr<JsonValue> ParseJson(absl::string_view text) {
  TreeBuilder builder;
  const bool ok = Json::sax_parse(text.begin(), text.end(), &builder,
                                  nlohmann::detail::input_format_t::json,
                                  /*strict=*/true);
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not JSON: ",
        builder.error().empty() ? "rejected by the parser" : builder.error()));
  }
  return std::move(builder.root());
}

}  // namespace cli
}  // namespace kvstore
