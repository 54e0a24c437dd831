// JSON parsing with correctly rounded numbers.
//
// Boost.JSON 1.81 rounds some decimal literals to a neighbouring double
// (about one in five random doubles comes back 1 ulp off), which would make
// stored attributo values drift from what clients sent. This parser reuses
// Boost.JSON's tokenizer and converts number text with std::from_chars.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace amarcord::json {

struct ParseResult {
  bool ok = false;
  boost::json::value value;
  std::string error;             // empty when ok
  std::size_t error_offset = 0;  // byte offset of the problem
};

// Parses one complete JSON text (whitespace around it allowed). Nesting
// deeper than max_depth is an error, so hostile input cannot exhaust memory
// or stack.
ParseResult parse_json_exact(std::string_view text, std::size_t max_depth = 64);

}  // namespace amarcord::json
