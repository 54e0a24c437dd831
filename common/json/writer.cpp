#include "json/writer.hpp"

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
  separate();
  // Keys are the API's own ASCII field names: nothing to escape.
  out_.push_back('"');
  out_.append(k);
  out_ += "\":";
  first_ = true;  // the value follows without a comma
  return *this;
}

Writer& Writer::value(std::int64_t v) {
  separate();
  out_ += std::to_string(v);
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

Writer& Writer::value(const boost::json::value& v) {
  separate();
  serialize_to(out_, v);
  return *this;
}

}  // namespace amarcord::json
