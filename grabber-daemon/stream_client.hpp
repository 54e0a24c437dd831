// One camera connection at a time over a single, reused libcurl easy handle
// (libcurl brings chunked decoding, redirects, Basic/Digest auth, TLS and
// HTTP/0.9 for cameras without a status line). The body is fed to
// mjpeg::StreamParser; each complete part goes to the part handler. A
// response that is a single JPEG (Content-Type image/jpeg, no multipart) is
// handed out as one part when it ends, so snapshot URLs work too.
//
// The handle is driven by the grabber's curl multi loop: begin() prepares a
// connection, the grabber adds the handle to its multi, and finish() or
// abandon() closes the books once the handle is removed again. Timers (stall
// watchdog, backoff) live in the grabber, not here.
//
// A camera that sends faster than frames are handled never lets the socket
// run dry, and libcurl keeps reading as long as data is there. So the work
// per curl_multi_perform is bounded by a deadline: past it the write
// callback pauses the transfer (libcurl keeps the bytes, the socket is not
// read meanwhile) until the loop, having done its housekeeping, resumes it.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "curl_handles.hpp"
#include "mjpeg/stream_parser.hpp"

namespace amarcord::grabber {

class StreamClient {
 public:
  struct Options {
    std::string url;
    std::string user;  // empty: none, or user:pass@ in the URL
    std::string password;
    std::chrono::duration<double> connect_timeout{10.0};
    std::chrono::duration<double> stall_timeout{10.0};  // libcurl's low-speed limit, a backstop
    std::size_t max_part_bytes = 16u << 20;
  };
  // One complete part of the stream; the bytes are valid only during the call.
  using PartHandler = std::function<void(std::string_view body)>;

  // Why a connection ended.
  struct Ending {
    bool clean = false;  // the camera ended the body normally
    std::string error;   // human-readable cause, with details
    std::string kind;    // the cause without varying details, to spot repeats
  };

  StreamClient(Options options, PartHandler on_part);
  StreamClient(const StreamClient&) = delete;  // libcurl holds pointers into it
  StreamClient& operator=(const StreamClient&) = delete;

  // Resets per-connection state; returns the handle to add to the multi.
  CURL* begin();
  // The transfer ended with `result` (handle already removed from the multi):
  // hands out a last complete part, if any, and says why it ended.
  Ending finish(CURLcode result);
  // We ended the transfer ourselves (stall, new target, stop): drop partial data.
  void abandon();

  // Body bytes arriving after `deadline` pause the transfer.
  void set_deadline(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }
  bool paused() const { return paused_; }
  // Continues a paused transfer; libcurl hands over the held bytes at once.
  void resume();
  // Before the handle is removed: a paused handle must not stay paused (the
  // next transfer would inherit it); the held bytes are thrown away.
  void unpause_discarding();

  CURL* handle() const { return easy_.get(); }
  // A successful (2xx, or HTTP/0.9) response has started.
  bool responding() const { return responding_; }
  // Parts dropped for exceeding max_part_bytes, over all connections.
  std::uint64_t oversize_parts() const { return oversize_total_; }
  // The boundary in use on this connection (configured or sniffed), for logs.
  std::string boundary() const;

 private:
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* self);
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* self);
  bool start_body();  // first body bytes: check the status, pick the parser
  void count_oversize();

  Options options_;
  PartHandler on_part_;
  EasyHandle easy_;
  char error_buffer_[CURL_ERROR_SIZE] = {};

  // Per connection.
  long status_ = 0;
  std::string status_line_;
  std::string content_type_;
  bool body_started_ = false;
  bool responding_ = false;
  bool snapshot_ = false;  // single JPEG body instead of multipart
  std::string snapshot_body_;
  std::string failure_;  // set when a callback aborted the transfer
  std::optional<mjpeg::StreamParser> parser_;
  std::uint64_t parser_oversize_seen_ = 0;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  bool paused_ = false;
  bool discarding_ = false;

  std::uint64_t oversize_total_ = 0;
};

}  // namespace amarcord::grabber
