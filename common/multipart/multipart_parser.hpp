// An incremental multipart/form-data parser (RFC 7578 / RFC 2046), fed the
// request body in chunks of any size, one byte at a time included. Part
// bodies are handed out as they arrive, so an upload never has to fit in
// memory. Pure code, no I/O.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace amarcord::multipart {

// Malformed input or a limit exceeded; what() says which, for a 4xx answer.
class MultipartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PartHeaders {
  std::string name;                     // Content-Disposition name=
  std::optional<std::string> filename;  // filename= (or filename*=UTF-8''...), if present
  std::string content_type;             // empty when the part has none
  // All header lines as sent (names lower-cased), in order.
  std::vector<std::pair<std::string, std::string>> all;
};

struct Limits {
  std::size_t max_header_bytes = 16 * 1024;  // per part, all header lines together
  std::size_t max_parts = 64;
};

class Parser {
 public:
  struct Callbacks {
    std::function<void(const PartHeaders&)> on_part_begin;
    std::function<void(std::string_view)> on_part_data;  // called zero or more times per part
    std::function<void()> on_part_end;
  };

  Parser(std::string boundary, Callbacks callbacks, Limits limits = {});

  // Feeds the next bytes of the body. Throws MultipartError on malformed
  // input; exceptions thrown by callbacks pass through unchanged.
  void feed(std::string_view chunk);
  // The body is complete; throws MultipartError unless the closing
  // delimiter was seen (a truncated upload).
  void finish();
  bool done() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// The boundary parameter of a "multipart/form-data; boundary=..." content
// type (quoted or not); nullopt when the type is not multipart/form-data or
// the boundary is missing, empty or longer than 70 characters.
std::optional<std::string> boundary_from_content_type(std::string_view content_type);

}  // namespace amarcord::multipart
