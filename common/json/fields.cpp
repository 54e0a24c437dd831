#include "json/fields.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "json/number_parser.hpp"
#include "util/text.hpp"

namespace amarcord::json {
namespace {

constexpr std::string_view kIntType = "Input should be a valid integer";
constexpr std::string_view kIntParsing =
    "Input should be a valid integer, unable to parse string as an integer";
constexpr std::string_view kIntFromFloat =
    "Input should be a valid integer, got a number with a fractional part";
constexpr std::string_view kIntSize =
    "Unable to parse input string as an integer, exceeded maximum size";

using util::trim_view;

using util::to_lower;

std::size_t count_code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::optional<std::int64_t> int_from_double(double d, const boost::json::value& v, const Loc& loc,
                                            FieldErrors& errors) {
  if (!std::isfinite(d) || d != std::trunc(d)) {
    errors.add("int_from_float", loc, kIntFromFloat, v);
    return std::nullopt;
  }
  if (d < -9.2233720368547758e18 || d >= 9.2233720368547758e18) {
    errors.add("int_parsing_size", loc, kIntSize, v);
    return std::nullopt;
  }
  return static_cast<std::int64_t>(d);
}

}  // namespace

void FieldErrors::add(std::string_view type, Loc loc, std::string_view msg,
                      boost::json::value input, boost::json::object ctx) {
  boost::json::object item;
  item["type"] = type;
  item["loc"] = std::move(loc);
  item["msg"] = msg;
  item["input"] = std::move(input);
  if (!ctx.empty()) item["ctx"] = std::move(ctx);
  items_.push_back(std::move(item));
}

void FieldErrors::raise_if_any() const {
  if (!items_.empty()) throw ValidationError(items_);
}

Loc append_loc(const Loc& base, boost::json::value part) {
  Loc loc = base;
  loc.push_back(std::move(part));
  return loc;
}

std::optional<std::int64_t> coerce_int(const boost::json::value& v, const Loc& loc,
                                       FieldErrors& errors) {
  switch (v.kind()) {
    case boost::json::kind::int64:
      return v.get_int64();
    case boost::json::kind::uint64:
      errors.add("int_parsing_size", loc, kIntSize, v);
      return std::nullopt;
    case boost::json::kind::double_:
      return int_from_double(v.get_double(), v, loc, errors);
    case boost::json::kind::bool_:
      return v.get_bool() ? 1 : 0;
    case boost::json::kind::string: {
      std::string_view s = trim_view(v.get_string());
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      std::int64_t out = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (s.empty() || ptr != s.data() + s.size()) {
        errors.add("int_parsing", loc, kIntParsing, v);
        return std::nullopt;
      }
      if (ec == std::errc::result_out_of_range) {
        errors.add("int_parsing_size", loc, kIntSize, v);
        return std::nullopt;
      }
      return out;
    }
    default:
      errors.add("int_type", loc, kIntType, v);
      return std::nullopt;
  }
}

std::optional<double> coerce_float(const boost::json::value& v, const Loc& loc,
                                   FieldErrors& errors) {
  switch (v.kind()) {
    case boost::json::kind::int64:
      return static_cast<double>(v.get_int64());
    case boost::json::kind::uint64:
      return static_cast<double>(v.get_uint64());
    case boost::json::kind::double_:
      if (!std::isfinite(v.get_double())) {  // e.g. 1e400 overflowed while parsing
        errors.add("finite_number", loc, "Input should be a finite number", v);
        return std::nullopt;
      }
      return v.get_double();
    case boost::json::kind::bool_:
      return v.get_bool() ? 1.0 : 0.0;
    case boost::json::kind::string: {
      std::string_view s = trim_view(v.get_string());
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      double out = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (ec == std::errc::result_out_of_range && ptr == s.data() + s.size()) {
        errors.add("finite_number", loc, "Input should be a finite number", v);
        return std::nullopt;
      }
      if (s.empty() || ptr != s.data() + s.size() || ec != std::errc{}) {
        errors.add("float_parsing", loc,
                   "Input should be a valid number, unable to parse string as a number", v);
        return std::nullopt;
      }
      if (!std::isfinite(out)) {
        errors.add("finite_number", loc, "Input should be a finite number", v);
        return std::nullopt;
      }
      return out;
    }
    default:
      errors.add("float_type", loc, "Input should be a valid number", v);
      return std::nullopt;
  }
}

std::optional<bool> coerce_bool(const boost::json::value& v, const Loc& loc, FieldErrors& errors) {
  constexpr std::string_view kParsing =
      "Input should be a valid boolean, unable to interpret input";
  switch (v.kind()) {
    case boost::json::kind::bool_:
      return v.get_bool();
    case boost::json::kind::int64:
      if (v.get_int64() == 0 || v.get_int64() == 1) return v.get_int64() == 1;
      break;
    case boost::json::kind::uint64:
      break;
    case boost::json::kind::double_:
      if (v.get_double() == 0.0 || v.get_double() == 1.0) return v.get_double() == 1.0;
      break;
    case boost::json::kind::string: {
      const std::string s = to_lower(trim_view(v.get_string()));
      if (s == "1" || s == "on" || s == "t" || s == "true" || s == "y" || s == "yes") return true;
      if (s == "0" || s == "off" || s == "f" || s == "false" || s == "n" || s == "no") return false;
      break;
    }
    default:
      errors.add("bool_type", loc, "Input should be a valid boolean", v);
      return std::nullopt;
  }
  errors.add("bool_parsing", loc, kParsing, v);
  return std::nullopt;
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(n) >= s.size()) return false;  // sequence cut short
    for (int k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += static_cast<std::size_t>(n) + 1;
  }
  return true;
}

bool check_text(std::string_view s, const Loc& loc, FieldErrors& errors, std::size_t max_chars) {
  if (!is_valid_utf8(s)) {
    boost::json::object ctx;
    ctx["error"] = "text must be valid UTF-8";
    errors.add("value_error", loc, "Value error, text must be valid UTF-8", nullptr,
               std::move(ctx));
    return false;
  }
  return coerce_string(boost::json::string(s), loc, errors, max_chars).has_value();
}

std::optional<std::string> coerce_string(const boost::json::value& v, const Loc& loc,
                                         FieldErrors& errors, std::size_t max_chars) {
  if (!v.is_string()) {
    errors.add("string_type", loc, "Input should be a valid string", v);
    return std::nullopt;
  }
  std::string_view s = v.get_string();
  if (s.find('\0') != std::string_view::npos) {
    boost::json::object ctx;
    ctx["error"] = "NUL characters are not allowed in strings";
    errors.add("value_error", loc, "Value error, NUL characters are not allowed in strings", v,
               std::move(ctx));
    return std::nullopt;
  }
  if (max_chars != 0 && count_code_points(s) > max_chars) {
    boost::json::object ctx;
    ctx["max_length"] = max_chars;
    errors.add("string_too_long", loc,
               "String should have at most " + std::to_string(max_chars) + " characters", v,
               std::move(ctx));
    return std::nullopt;
  }
  return std::string(s);
}

ObjectReader::ObjectReader(const boost::json::value& v, Loc loc, FieldErrors& errors)
    : value_(v), object_(v.if_object()), loc_(std::move(loc)), errors_(errors) {
  if (object_ == nullptr) {
    errors_.add("model_attributes_type", loc_,
                "Input should be a valid dictionary or object to extract fields from", v);
  }
}

const boost::json::value* ObjectReader::find(std::string_view key) const {
  if (object_ == nullptr) return nullptr;
  return object_->if_contains(key);
}

Loc ObjectReader::loc_of(std::string_view key) const {
  return append_loc(loc_, boost::json::string(key));
}

void ObjectReader::missing(std::string_view key) {
  if (object_ == nullptr) return;  // already reported for the whole object
  errors_.add("missing", loc_of(key), "Field required", value_);
}

const boost::json::value* ObjectReader::required_value(std::string_view key) {
  const auto* v = find(key);
  if (v == nullptr) missing(key);
  return v;
}

std::optional<std::int64_t> ObjectReader::required_int(std::string_view key) {
  const auto* v = required_value(key);
  return v ? coerce_int(*v, loc_of(key), errors_) : std::nullopt;
}

std::optional<double> ObjectReader::required_float(std::string_view key) {
  const auto* v = required_value(key);
  return v ? coerce_float(*v, loc_of(key), errors_) : std::nullopt;
}

std::optional<bool> ObjectReader::required_bool(std::string_view key) {
  const auto* v = required_value(key);
  return v ? coerce_bool(*v, loc_of(key), errors_) : std::nullopt;
}

std::optional<std::string> ObjectReader::required_string(std::string_view key,
                                                         std::size_t max_chars) {
  const auto* v = required_value(key);
  return v ? coerce_string(*v, loc_of(key), errors_, max_chars) : std::nullopt;
}

namespace {
template <typename T, typename Coerce>
Optional<T> read_optional(const boost::json::value* v, const Loc& loc, Coerce coerce) {
  Optional<T> out;
  if (v == nullptr || v->is_null()) return out;
  out.value = coerce(*v, loc);
  out.valid = out.value.has_value();
  return out;
}
}  // namespace

Optional<std::int64_t> ObjectReader::optional_int(std::string_view key) {
  return read_optional<std::int64_t>(find(key), loc_of(key), [&](const auto& v, const Loc& l) {
    return coerce_int(v, l, errors_);
  });
}

Optional<double> ObjectReader::optional_float(std::string_view key) {
  return read_optional<double>(find(key), loc_of(key), [&](const auto& v, const Loc& l) {
    return coerce_float(v, l, errors_);
  });
}

Optional<bool> ObjectReader::optional_bool(std::string_view key) {
  return read_optional<bool>(find(key), loc_of(key), [&](const auto& v, const Loc& l) {
    return coerce_bool(v, l, errors_);
  });
}

Optional<std::string> ObjectReader::optional_string(std::string_view key, std::size_t max_chars) {
  return read_optional<std::string>(find(key), loc_of(key), [&](const auto& v, const Loc& l) {
    return coerce_string(v, l, errors_, max_chars);
  });
}

namespace {
std::optional<std::string> literal(ObjectReader& r, const boost::json::value& v,
                                   std::string_view key, const std::vector<std::string>& allowed) {
  if (v.is_string()) {
    for (const auto& a : allowed) {
      if (v.get_string() == a) return a;
    }
  }
  std::string expected;
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    expected += (i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ") + ("'" + allowed[i] + "'");
  }
  boost::json::object ctx;
  ctx["expected"] = expected;
  r.errors().add("literal_error", r.loc_of(key), "Input should be " + expected, v, std::move(ctx));
  return std::nullopt;
}
}  // namespace

std::optional<std::string> ObjectReader::required_literal(std::string_view key,
                                                          const std::vector<std::string>& allowed) {
  const auto* v = required_value(key);
  return v ? literal(*this, *v, key, allowed) : std::nullopt;
}

Optional<std::string> ObjectReader::optional_literal(std::string_view key,
                                                     const std::vector<std::string>& allowed) {
  Optional<std::string> out;
  const auto* v = find(key);
  if (v == nullptr || v->is_null()) return out;
  out.value = literal(*this, *v, key, allowed);
  out.valid = out.value.has_value();
  return out;
}

std::optional<std::vector<std::int64_t>> ObjectReader::required_int_list(std::string_view key) {
  const auto* v = required_value(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    errors_.add("list_type", loc_of(key), "Input should be a valid list", *v);
    return std::nullopt;
  }
  std::vector<std::int64_t> out;
  bool ok = true;
  const auto& items = v->get_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto n = coerce_int(items[i], append_loc(loc_of(key), static_cast<std::int64_t>(i)), errors_);
    if (n)
      out.push_back(*n);
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

boost::json::value parse_request_body(std::string_view body, std::string_view content_type) {
  FieldErrors errors;
  if (body.empty()) {
    errors.add("missing", Loc{"body"}, "Field required", nullptr);
    errors.raise_if_any();
  }
  // FastAPI decodes JSON only without a content type or with application/json
  // (or application/*+json); anything else stays bytes and fails the model.
  std::string media = to_lower(trim_view(content_type.substr(0, content_type.find(';'))));
  const bool is_json = media.empty() || media == "application/json" ||
                       (media.starts_with("application/") && media.ends_with("+json"));
  if (!is_json) {
    errors.add("model_attributes_type", Loc{"body"},
               "Input should be a valid dictionary or object to extract fields from",
               boost::json::string(body.substr(0, 1024)));
    errors.raise_if_any();
  }
  auto parsed = parse_json_exact(body);
  if (!parsed.ok) {
    boost::json::object ctx;
    ctx["error"] = parsed.error;
    // Python reports a character offset, not a byte offset.
    errors.add("json_invalid",
               Loc{"body", static_cast<std::int64_t>(
                               count_code_points(body.substr(0, parsed.error_offset)))},
               "JSON decode error", boost::json::object{}, std::move(ctx));
    errors.raise_if_any();
  }
  return std::move(parsed.value);
}

std::int64_t parse_path_int(std::string_view name, std::string_view segment) {
  FieldErrors errors;
  auto v = coerce_int(boost::json::string(segment), Loc{"path", boost::json::string(name)}, errors);
  errors.raise_if_any();
  return *v;
}

}  // namespace amarcord::json
