// Writes JSON text directly into a string, in the original's format (as
// json/pyjson), without building a document first. For large answers (the
// run table of a whole beamtime) this avoids allocating and freeing a tree
// of hundreds of thousands of nodes.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace amarcord::json {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  // Inside an object, before its value. Keys are written as they are, so
  // they must be plain field names that need no escaping.
  Writer& key(std::string_view k);

  Writer& value(std::int64_t v);
  Writer& value(double v);  // Python repr
  Writer& value(bool v);
  Writer& value(std::string_view v);
  Writer& value(const char* v) { return value(std::string_view(v)); }
  Writer& null();
  // A document built elsewhere, written in place.
  Writer& value(const boost::json::value& v);
  // JSON text serialized elsewhere (with json::serialize), written as it is.
  Writer& raw(std::string_view json_text);

  template <typename T>
  Writer& member(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  void separate();
  std::string& out_;
  bool first_ = true;  // no comma needed before the next element
};

}  // namespace amarcord::json
