#include "json/writer.hpp"

#include <algorithm>
#include <charconv>

#include "json/pyjson.hpp"

namespace amarcord::json {

void Writer::separate() {
  if (!first_) out_.push_back(',');
  first_ = false;
}

Writer& Writer::begin_object() {
  separate();
  out_.push_back('{');
  first_ = true;
  return *this;
}

Writer& Writer::end_object() {
  out_.push_back('}');
  first_ = false;
  return *this;
}

Writer& Writer::begin_array() {
  separate();
  out_.push_back('[');
  first_ = true;
  return *this;
}

Writer& Writer::end_array() {
  out_.push_back(']');
  first_ = false;
  return *this;
}

Writer& Writer::key(std::string_view k) {
  // Keys are the API's own ASCII field names: nothing to escape. Written
  // with one append: a table has hundreds of thousands of them.
  char buf[64];
  if (k.size() + 4 > sizeof buf) {
    separate();
    out_.push_back('"');
    out_.append(k);
    out_ += "\":";
  } else {
    char* p = buf;
    if (!first_) *p++ = ',';
    *p++ = '"';
    p = std::copy(k.begin(), k.end(), p);
    *p++ = '"';
    *p++ = ':';
    out_.append(buf, static_cast<std::size_t>(p - buf));
  }
  first_ = true;  // the value follows without a comma
  return *this;
}

Writer& Writer::value(std::int64_t v) {
  separate();
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, static_cast<std::size_t>(res.ptr - buf));
  return *this;
}

Writer& Writer::value(double v) {
  separate();
  append_python_float(out_, v);
  return *this;
}

Writer& Writer::value(bool v) {
  separate();
  out_ += v ? "true" : "false";
  return *this;
}

Writer& Writer::value(std::string_view v) {
  separate();
  append_string_literal(out_, v);
  return *this;
}

Writer& Writer::null() {
  separate();
  out_ += "null";
  return *this;
}

Writer& Writer::raw(std::string_view json_text) {
  separate();
  out_.append(json_text);
  return *this;
}

Writer& Writer::value(const boost::json::value& v) {
  separate();
  serialize_to(out_, v);
  return *this;
}

}  // namespace amarcord::json
