// JSON text exactly as the original (Python json.dumps via FastAPI) writes it:
// compact separators, non-ASCII characters raw, floats in Python repr form
// (1500.0, 0.30000000000000004, 1e-05, 1e+16).
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace amarcord::json {

std::string serialize(const boost::json::value& v);
// The same for an object or array, without wrapping it in a value (which
// would copy it).
std::string serialize(const boost::json::object& o);
std::string serialize(const boost::json::array& a);
void serialize_to(std::string& out, const boost::json::value& v);

// The form Python's json.dumps() writes by default, which the original
// stores in JSON columns: separators ", " and ": ", non-ASCII escaped as
// \uXXXX (surrogate pairs beyond the BMP).
std::string serialize_python_dumps(const boost::json::value& v);

// Python repr() of a finite double. Throws std::domain_error for NaN/inf,
// which JSON cannot carry.
void append_python_float(std::string& out, double d);
std::string python_float(double d);
// The same for every double, without append_python_float's fast path for
// positional notation (the tests hold the two against each other).
void append_python_float_general(std::string& out, double d);

// A JSON string literal for `s` (quotes and escapes as serialize writes them).
void append_string_literal(std::string& out, std::string_view s);

}  // namespace amarcord::json
