// An incremental parser for camera streams in multipart/x-mixed-replace
// (MJPEG over HTTP). It is fed the response body in arbitrary chunks (one byte
// at a time works) and hands out each part's body once the part is complete.
// No I/O: libcurl (chunked decoding, auth, redirects) sits in front of it.
//
// Robustness rules (spec/grabber-cases.md §2): the boundary is normalised
// (quotes, spaces, one leading "--" removed) or sniffed from the first "--"
// line when the header has none; parts end at the full delimiter "\n--<b>"
// (CRLF or bare LF), never at a generic "--"; Content-Length is only a hint,
// trusted when the delimiter follows at the claimed end; garbage before a
// delimiter is skipped; a part above max_part_bytes is dropped without
// buffering it.
//
// Chosen behaviours (details in stream_parser.cpp):
// - Zero-length parts are handed out like any other; check_frame() rejects
//   them ("empty part"), so they show up as rejected frames.
// - A delimiter line is "--<b>" or "----<b>" (the RFC form when a header said
//   boundary=--b); after it, CRLF, LF or directly the first header (Viseron);
//   after the headers, a blank line or directly the JPEG (a line with FF D8).
// - At the start of a stream (and after reset()/finish()), bytes before the
//   first delimiter that are part headers or begin with FF D8 form a part
//   without a leading boundary (Tasmota, ESP32); it is handed out when its
//   body begins with FF D8, otherwise it was preamble.
// - Sniffing: the first line that starts with "--" at the stream start or
//   after a LF, made of printable ASCII (at most 200 characters), gives the
//   boundary; a "Content-" glued to it is cut off. Bytes before that line are
//   kept (up to max_part_bytes + 16 KiB) and parsed with the boundary, so a
//   first part before the first boundary is not lost.
// - Content-Length is trusted when "--<b>" follows the claimed end directly or
//   after at most four CR/LF bytes, unless a complete delimiter appears
//   earlier (then the length was too long). Every other case ends the part at
//   the scanned delimiter and counts a length mismatch.
// - The outcome never depends on how the bytes were chunked.
// - on_part must not call back into the parser. If it throws, the parser
//   resets (as reset()) and the exception propagates out of feed()/finish().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace amarcord::mjpeg {

// The boundary of a Content-Type header value such as
// `multipart/x-mixed-replace; boundary="--myboundary"`, normalised to
// `myboundary`. nullopt when the header has no usable boundary parameter.
std::optional<std::string> boundary_from_content_type(std::string_view content_type);

struct StreamParserOptions {
  std::string boundary;  // normalised; empty = sniff from the stream
  std::size_t max_part_bytes = 16u << 20;
};

struct StreamParserCounters {
  std::uint64_t parts = 0;              // complete parts handed out
  std::uint64_t oversize_parts = 0;     // parts dropped for exceeding the cap
  std::uint64_t resyncs = 0;            // times garbage was skipped to find a delimiter
  std::uint64_t length_mismatches = 0;  // Content-Length disagreed with the delimiter
};

struct Part {
  std::string_view body;          // valid only during the callback
  std::string_view content_type;  // as sent, may be empty
};

class StreamParser {
 public:
  using PartHandler = std::function<void(const Part&)>;

  StreamParser(StreamParserOptions options, PartHandler on_part);

  // Consumes `bytes`; calls on_part for every part that completes.
  void feed(std::string_view bytes);
  // The body ended (connection closed): a last part that has its headers and
  // a Content-Length that was fully received is handed out; anything else
  // pending is discarded. Then the parser resets, ready for a new stream.
  void finish();
  // Forget all state (boundary sniffing restarts if it was sniffed), keep counters.
  void reset();

  const StreamParserCounters& counters() const { return counters_; }
  const std::string& boundary() const { return boundary_; }  // sniffed or configured
  // Bytes of memory held for unfinished data; bounded by about
  // max_part_bytes + 80 KiB whatever the stream does (for tests and status).
  std::size_t buffer_capacity() const;

 private:
  // Implementation details live in stream_parser.cpp.
  struct State;
  StreamParserOptions options_;
  PartHandler on_part_;
  StreamParserCounters counters_;
  std::string boundary_;
  std::shared_ptr<State> state_;
};

}  // namespace amarcord::mjpeg
