// Reading request bodies the way the original's pydantic models do ("lax"
// mode, api-core.md §1.2): every problem becomes one entry of a 422 `detail`
// list with pydantic's `type`, `loc`, `msg`, `input` (and `ctx`), and all
// problems of a body are reported together.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace amarcord::json {

using Loc = boost::json::array;

// The 422 error: carries the pydantic-style `detail` list.
class ValidationError : public std::runtime_error {
 public:
  explicit ValidationError(boost::json::array detail)
      : std::runtime_error("request validation failed"), detail_(std::move(detail)) {}
  const boost::json::array& detail() const { return detail_; }

 private:
  boost::json::array detail_;
};

class FieldErrors {
 public:
  void add(std::string_view type, Loc loc, std::string_view msg, boost::json::value input,
           boost::json::object ctx = {});
  bool empty() const { return items_.empty(); }
  void raise_if_any() const;

 private:
  boost::json::array items_;
};

Loc append_loc(const Loc& base, boost::json::value part);

// Lax coercions of one JSON value; on failure the error is recorded and
// nullopt returned.
std::optional<std::int64_t> coerce_int(const boost::json::value& v, const Loc& loc,
                                       FieldErrors& errors);
std::optional<double> coerce_float(const boost::json::value& v, const Loc& loc,
                                   FieldErrors& errors);
std::optional<bool> coerce_bool(const boost::json::value& v, const Loc& loc, FieldErrors& errors);
// Strings: JSON strings only. NUL characters are refused (PostgreSQL cannot
// store them and C APIs would truncate); max_chars counts code points, 0 = no limit.
std::optional<std::string> coerce_string(const boost::json::value& v, const Loc& loc,
                                         FieldErrors& errors, std::size_t max_chars = 0);

// Checks text that did not come through the JSON parser (form fields, file
// names): valid UTF-8, no NUL, at most max_chars code points (0 = no
// limit). Problems are recorded like coerce_string's; returns true when fine.
bool check_text(std::string_view s, const Loc& loc, FieldErrors& errors, std::size_t max_chars = 0);
bool is_valid_utf8(std::string_view s);

// Parsed optional field: `present` is false for absent or null.
template <typename T>
struct Optional {
  bool valid = true;
  std::optional<T> value;
};

// Reads the members of one JSON object (a request body or a nested model).
class ObjectReader {
 public:
  ObjectReader(const boost::json::value& v, Loc loc, FieldErrors& errors);

  bool is_object() const { return object_ != nullptr; }
  const boost::json::value* find(std::string_view key) const;

  std::optional<std::int64_t> required_int(std::string_view key);
  std::optional<double> required_float(std::string_view key);
  std::optional<bool> required_bool(std::string_view key);
  std::optional<std::string> required_string(std::string_view key, std::size_t max_chars = 0);
  // A required value of any JSON type (nullopt + error when missing).
  const boost::json::value* required_value(std::string_view key);

  Optional<std::int64_t> optional_int(std::string_view key);
  Optional<double> optional_float(std::string_view key);
  Optional<bool> optional_bool(std::string_view key);
  Optional<std::string> optional_string(std::string_view key, std::size_t max_chars = 0);
  // A string that must be one of `allowed` (pydantic Literal / Enum):
  // anything else is a "literal_error".
  std::optional<std::string> required_literal(std::string_view key,
                                              const std::vector<std::string>& allowed);
  Optional<std::string> optional_literal(std::string_view key,
                                         const std::vector<std::string>& allowed);
  // A required list of integers (e.g. file_ids).
  std::optional<std::vector<std::int64_t>> required_int_list(std::string_view key);

  Loc loc_of(std::string_view key) const;
  FieldErrors& errors() { return errors_; }

 private:
  void missing(std::string_view key);

  const boost::json::value& value_;
  const boost::json::object* object_;
  Loc loc_;
  FieldErrors& errors_;
};

// Turns a request body into JSON as FastAPI does before model validation:
// an empty body is "missing", a non-JSON content type or invalid JSON is a
// 422. Throws ValidationError.
boost::json::value parse_request_body(std::string_view body, std::string_view content_type);

// Parses a path segment declared as an integer (FastAPI `int` path parameter).
std::int64_t parse_path_int(std::string_view name, std::string_view segment);

}  // namespace amarcord::json
