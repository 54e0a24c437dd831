// Small text helpers for settings, query parameters and typed-in values
// (ASCII, C locale). Protocol parsers (HTTP headers, multipart, MJPEG, xlsx
// XML) keep their own, stricter notions of white space.
#pragma once

#include <string>
#include <string_view>

namespace amarcord::util {

// `s` without leading and trailing white space (std::isspace).
std::string_view trim_view(std::string_view s);
// The same, as a string of its own (safe to keep beyond `s`).
inline std::string trim(std::string_view s) {
  return std::string(trim_view(s));
}
// ASCII letters in lower case; other bytes as they are.
std::string to_lower(std::string_view s);

}  // namespace amarcord::util
