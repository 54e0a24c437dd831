// A loopback MJPEG camera for the grabber's end-to-end tests and benchmark.
// It listens on 127.0.0.1 (port 0 = any free port), serves each connection
// on its own thread, and plays a script: how parts are framed (every quirk
// of grabber-cases.md §2.5), the HTTP wrapping (HTTP/1.1 or 1.0
// close-delimited, chunked, no status line), authentication, redirects and
// errors, which frames are good or damaged, and how a connection ends
// (endless, close, silence, stall or reset in mid-frame).
//
// It records what it sent so a test can check that the grabber's live file
// is exactly a frame the camera sent as good, and counts connections and
// responses so a test can check reconnects and backoff.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/jpeg_frames.hpp"

namespace amarcord::test {

// How one part is laid out in the multipart body.
enum class Framing {
  standard,              // boundary in the header, "--b" line, Content-Length per part
  no_content_length,     // no Content-Length in the parts
  content_length_short,  // Content-Length 100 bytes less than the data
  content_length_long,   // Content-Length 100 bytes more than the data
  double_dash_boundary,  // header boundary=--b, parts delimited by "--b"
  quoted_boundary,       // header `; boundary = "b" ; charset=binary`
  no_boundary_param,     // header has no boundary parameter
  no_leading_boundary,   // Tasmota: headers, data, then "--b" after each image
  bare_lf,               // "\n" line endings everywhere in the body
  glued_headers,         // Viseron: "--bContent-type: ..." (no line end after the boundary)
  extra_headers,         // X- headers, mixed-case names, a long line, parts without Content-Type
};

enum class Transport {
  http11,          // HTTP/1.1 200, Connection: close, body ends when the camera closes
  http10,          // HTTP/1.0 200, close-delimited
  chunked,         // Transfer-Encoding: chunked, chunk edges inside boundaries and markers
  no_status_line,  // raw multipart body, no status line or headers (HTTP/0.9 style)
};

enum class Auth { none, basic, digest };

// What the camera does before it streams.
enum class Opening {
  stream,
  silence_after_accept,   // accepts, reads the request, never answers
  silence_after_headers,  // answers 200 with the headers, then sends nothing
  not_found,              // 404
  server_error,           // 500
};

// What happens after `parts_per_connection` parts.
enum class Ending {
  close,            // the next boundary line, then the camera closes (FIN)
  silence,          // the next boundary line, then nothing until the client leaves
  stall_mid_frame,  // half of a good part, then nothing
  reset_mid_frame,  // half of a good part, then a TCP reset (SO_LINGER 0)
};

enum class PartKind {
  good,           // the next good frame
  crlf_dash,      // a valid frame containing "\r\n--" and near misses of the delimiter
  padded,         // good frame + 00 00 00 00 after EOI (valid)
  duplicate_eoi,  // good frame + FF D9 (valid)
  missing_eoi,    // good frame without EOI (rejected)
  no_soi,         // good frame without SOI (rejected)
  truncated,      // entropy data cut, EOI appended: markers fine, decode fails
  zero_length,    // an empty part (rejected)
  oversize,       // a marker-valid blob of FakeCameraOptions::oversize_bytes
};

// True for kinds whose image is intact (a grabber must accept them).
bool is_valid_kind(PartKind k);
// True for kinds that pass an SOI/EOI marker check (valid kinds + truncated
// + oversize, which only the size cap rejects).
bool passes_markers(PartKind k);

struct CameraScript {
  Framing framing = Framing::standard;
  Transport transport = Transport::http11;
  Auth auth = Auth::none;
  Opening opening = Opening::stream;
  bool redirect = false;                           // the camera URL answers 302 to /stream
  std::vector<PartKind> parts = {PartKind::good};  // played in turn
  long parts_per_connection = -1;                  // -1: endless
  Ending ending = Ending::close;
};

// Named presets, one per case of grabber-cases.md §2.5 (see scenario_names()).
// All stream endlessly unless the name says otherwise; tests adjust the
// copy they get. Throws std::invalid_argument for an unknown name.
CameraScript scenario(std::string_view name);
std::vector<std::string> scenario_names();

struct FakeCameraOptions {
  // Connection i (counted from 0) plays scripts[min(i, size - 1)].
  std::vector<CameraScript> scripts = {CameraScript{}};
  double fps = 0;          // 0: as fast as the client reads
  std::uint16_t port = 0;  // 0: any free port
  std::string user = "camuser";
  std::string password = "cam pass:1";
  std::size_t oversize_bytes = 2u << 20;
};

class FakeCamera {
 public:
  // Starts listening at once. Throws when the port cannot be bound.
  FakeCamera(FakeCameraOptions options, FrameSet frames);
  ~FakeCamera();
  FakeCamera(const FakeCamera&) = delete;
  FakeCamera& operator=(const FakeCamera&) = delete;

  // Closes the listener and every connection: the camera is down.
  void stop();

  std::uint16_t port() const { return port_; }
  // http://127.0.0.1:<port>/stream (or /redirect when the first script redirects).
  std::string url() const;
  const FakeCameraOptions& options() const { return options_; }
  const FrameSet& frames() const { return frames_; }

  // True when `bytes` equals an intact image the camera sent (a good or
  // crlf_dash frame, or the padded / duplicate-EOI form it was sent in).
  bool sent_valid(std::string_view bytes) const;
  // sent_valid, or a truncated frame it sent (which passes a marker check).
  bool sent_marker_valid(std::string_view bytes) const;
  // The image of the last intact part sent (without padding/duplicate EOI).
  std::string last_valid_sent() const;

  // Counters.
  std::uint64_t connections() const { return connections_.load(); }
  std::uint64_t open_connections() const { return open_.load(); }
  std::uint64_t requests() const { return requests_.load(); }
  std::uint64_t streams() const { return streams_.load(); }  // 200 responses with a body
  std::uint64_t parts_sent() const { return parts_sent_.load(); }
  std::uint64_t valid_parts_sent() const { return valid_sent_.load(); }
  std::uint64_t unauthorized() const { return unauthorized_.load(); }  // 401 answers
  std::uint64_t redirects() const { return redirects_.load(); }        // 302 answers
  std::uint64_t error_responses() const { return errors_.load(); }     // 404 / 500 answers
  // Accept times of all connections, in order.
  std::vector<std::chrono::steady_clock::time_point> connection_times() const;
  // Request targets seen, in order (capped at the first 10,000).
  std::vector<std::string> paths() const;

 private:
  struct Request;
  struct Outputs;
  void accept_loop();
  void serve(int fd, std::size_t index);
  void stream(int fd, const CameraScript& script);
  bool send_part(int fd, const CameraScript& script, PartKind kind, bool chunked, bool half);
  bool send_bytes(int fd, std::string_view bytes);
  bool send_chunked(int fd, std::string_view bytes, std::vector<std::size_t> cuts);
  void wait_for_client_close(int fd, std::chrono::milliseconds max = std::chrono::hours(1));
  bool pace(std::chrono::steady_clock::time_point start, std::uint64_t index);
  bool read_request(int fd, std::string& buffered, Request& out);
  void reap_finished_threads(bool all);

  FakeCameraOptions options_;
  FrameSet frames_;
  std::string oversize_;
  std::string nonce_, opaque_;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;

  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;  // wakes pacing sleeps on stop
  std::set<int> open_fds_;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> workers_;
  std::thread acceptor_;

  std::unique_ptr<Outputs> outputs_;
  std::atomic<std::uint64_t> next_frame_{0};
  std::atomic<std::uint64_t> connections_{0}, open_{0}, requests_{0}, streams_{0}, parts_sent_{0},
      valid_sent_{0}, unauthorized_{0}, redirects_{0}, errors_{0};
  mutable std::mutex stats_mu_;
  std::vector<std::chrono::steady_clock::time_point> connection_times_;
  std::vector<std::string> paths_;
};

// Binds 127.0.0.1:0, notes the port and closes the socket again: a port
// that is (almost certainly) free for a camera started later on it.
std::uint16_t reserve_free_port();

}  // namespace amarcord::test
