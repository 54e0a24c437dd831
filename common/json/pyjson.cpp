#include "json/pyjson.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace amarcord::json {
namespace {

bool needs_escape(unsigned char c, bool ascii_only) {
  return c < 0x20 || c == '"' || c == '\\' || (ascii_only && c >= 0x80);
}

// Decodes one UTF-8 sequence starting at s[i] (input is valid UTF-8: it came
// through the JSON parser or the database) and advances i past it.
std::uint32_t decode_utf8(std::string_view s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  std::uint32_t cp = extra == 3 ? c & 0x07 : extra == 2 ? c & 0x0F : extra == 1 ? c & 0x1F : c;
  ++i;
  while (extra-- > 0 && i < s.size())
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  return cp;
}

void append_u_escape(std::string& out, std::uint32_t unit) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4)
    out.push_back(kHex[(unit >> shift) & 0xF]);
}

void append_string(std::string& out, std::string_view s, bool ascii_only) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of characters copied as they are
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c, ascii_only)) continue;
    out.append(s.data() + run, i - run);
    if (c >= 0x80) {
      std::size_t j = i;
      const std::uint32_t cp = decode_utf8(s, j);
      if (cp >= 0x10000) {
        append_u_escape(out, 0xD800 + ((cp - 0x10000) >> 10));
        append_u_escape(out, 0xDC00 + ((cp - 0x10000) & 0x3FF));
      } else {
        append_u_escape(out, cp);
      }
      i = j - 1;
      run = j;
      continue;
    }
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

}  // namespace

void append_python_float(std::string& out, double d) {
  // Where repr() writes positional notation (1e-4 <= |d| < 1e16, and zero),
  // its digits are exactly the shortest round-trip fixed notation, plus ".0"
  // for whole numbers. Most values a beamtime holds are in that range, and
  // this path costs a fraction of the general one.
  const double magnitude = std::fabs(d);
  if (magnitude == 0.0 || (magnitude >= 1e-4 && magnitude < 1e16)) {
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    if (res.ec == std::errc{}) {
      const std::string_view digits(buf, static_cast<std::size_t>(res.ptr - buf));
      out.append(digits);
      if (digits.find('.') == std::string_view::npos) out.append(".0");
      return;
    }
  }
  append_python_float_general(out, d);
}

void append_python_float_general(std::string& out, double d) {
  if (!std::isfinite(d)) throw std::domain_error("NaN and infinity cannot be written as JSON");
  // Shortest round-trip digits, then laid out the way CPython's repr does.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  bool negative = false;
  if (!sci.empty() && sci.front() == '-') {
    negative = true;
    sci.remove_prefix(1);
  }
  const auto e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exponent);
  while (digits.size() > 1 && digits.back() == '0')
    digits.pop_back();

  if (negative) out.push_back('-');
  const int decpt = exponent + 1;  // position of the decimal point relative to the digits
  const int ndigits = static_cast<int>(digits.size());
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-decpt), '0');
      out += digits;
    } else if (decpt >= ndigits) {
      out += digits;
      out.append(static_cast<std::size_t>(decpt - ndigits), '0');
      out += ".0";
    } else {
      out.append(digits, 0, static_cast<std::size_t>(decpt));
      out.push_back('.');
      out.append(digits, static_cast<std::size_t>(decpt));
    }
    return;
  }
  out.push_back(digits[0]);
  if (ndigits > 1) {
    out.push_back('.');
    out.append(digits, 1);
  }
  out.push_back('e');
  out.push_back(exponent < 0 ? '-' : '+');
  const int mag = exponent < 0 ? -exponent : exponent;
  if (mag < 10) out.push_back('0');
  out += std::to_string(mag);
}

void append_string_literal(std::string& out, std::string_view s) {
  append_string(out, s, false);
}

std::string python_float(double d) {
  std::string s;
  append_python_float(s, d);
  return s;
}

namespace {

struct Style {
  const char* item_sep;
  const char* key_sep;
  bool ascii_only;
};

void write_value(std::string& out, const boost::json::value& v, const Style& style);

void write_array(std::string& out, const boost::json::array& a, const Style& style) {
  out.push_back('[');
  bool first = true;
  for (const auto& item : a) {
    if (!first) out += style.item_sep;
    first = false;
    write_value(out, item, style);
  }
  out.push_back(']');
}

void write_object(std::string& out, const boost::json::object& o, const Style& style) {
  out.push_back('{');
  bool first = true;
  for (const auto& member : o) {
    if (!first) out += style.item_sep;
    first = false;
    append_string(out, member.key(), style.ascii_only);
    out += style.key_sep;
    write_value(out, member.value(), style);
  }
  out.push_back('}');
}

void write_value(std::string& out, const boost::json::value& v, const Style& style) {
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      break;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case boost::json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case boost::json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case boost::json::kind::double_:
      append_python_float(out, v.get_double());
      break;
    case boost::json::kind::string:
      append_string(out, v.get_string(), style.ascii_only);
      break;
    case boost::json::kind::array:
      write_array(out, v.get_array(), style);
      break;
    case boost::json::kind::object:
      write_object(out, v.get_object(), style);
      break;
  }
}

}  // namespace

void serialize_to(std::string& out, const boost::json::value& v) {
  write_value(out, v, Style{",", ":", false});
}

std::string serialize_python_dumps(const boost::json::value& v) {
  std::string out;
  write_value(out, v, Style{", ", ": ", true});
  return out;
}

std::string serialize(const boost::json::object& o) {
  std::string out;
  write_object(out, o, Style{",", ":", false});
  return out;
}

std::string serialize(const boost::json::array& a) {
  std::string out;
  write_array(out, a, Style{",", ":", false});
  return out;
}

std::string serialize(const boost::json::value& v) {
  std::string out;
  serialize_to(out, v);
  return out;
}

}  // namespace amarcord::json
