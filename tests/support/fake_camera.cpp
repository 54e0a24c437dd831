#include "support/fake_camera.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <random>
#include <stdexcept>

#include "support/camera_auth.hpp"

namespace amarcord::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kRealm = "fake-camera";
constexpr std::size_t kMaxPaths = 10000;

std::string boundary_of(Framing f) {
  return f == Framing::glued_headers ? "jpgboundary" : "myboundary";
}

std::string content_type_of(Framing f) {
  const auto b = boundary_of(f);
  switch (f) {
    case Framing::double_dash_boundary:
    case Framing::glued_headers:
      return "multipart/x-mixed-replace;boundary=--" + b;
    case Framing::quoted_boundary:
      return "multipart/x-mixed-replace ; boundary = \"" + b + "\" ; charset=binary; x-fps=30";
    case Framing::no_boundary_param:
      return "multipart/x-mixed-replace";
    default:
      return "multipart/x-mixed-replace; boundary=" + b;
  }
}

// The line that starts the next part: sent after the last part of a finite
// stream, so the parser sees that part end.
std::string next_part_start(Framing f) {
  const auto b = boundary_of(f);
  switch (f) {
    case Framing::no_leading_boundary:
      return "";  // every part already ends with the boundary line
    case Framing::bare_lf:
      return "--" + b + "\n";
    case Framing::glued_headers:
      return "--" + b + "Content-type: image/jpeg\r\n";
    default:
      return "--" + b + "\r\n";
  }
}

// One part on the wire plus the offsets where chunked transport cuts it:
// inside the boundary, between CR and LF, inside SOI and EOI.
struct WirePart {
  std::string bytes;
  std::size_t data_at = 0;  // where the image starts
  std::vector<std::size_t> cuts;
};

WirePart wire_part(Framing f, std::string_view data, std::uint64_t seq) {
  const auto b = boundary_of(f);
  const auto n = data.size();
  const auto len = std::to_string(n);
  std::string head, tail = "\r\n";
  switch (f) {
    case Framing::standard:
    case Framing::double_dash_boundary:
    case Framing::quoted_boundary:
    case Framing::no_boundary_param:
      head = "--" + b + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + len + "\r\n\r\n";
      break;
    case Framing::no_content_length:
      head = "--" + b + "\r\nContent-Type: image/jpeg\r\n\r\n";
      break;
    case Framing::content_length_short:
      head = "--" + b + "\r\nContent-Type: image/jpeg\r\nContent-Length: " +
             std::to_string(n - std::min<std::size_t>(100, n / 2)) + "\r\n\r\n";
      break;
    case Framing::content_length_long:
      head = "--" + b +
             "\r\nContent-Type: image/jpeg\r\nContent-Length: " + std::to_string(n + 100) +
             "\r\n\r\n";
      break;
    case Framing::no_leading_boundary:
      head = "Content-Type: image/jpeg\r\nContent-Length: " + len + "\r\n\r\n";
      tail = "\r\n--" + b + "\r\n";
      break;
    case Framing::bare_lf:
      head = "--" + b + "\nContent-Type: image/jpeg\nContent-Length: " + len + "\n\n";
      tail = "\n";
      break;
    case Framing::glued_headers:
      head = "--" + b + "Content-type: image/jpeg\r\nContent-length: " + len + "\r\n\r\n";
      break;
    case Framing::extra_headers:
      if (seq % 2 == 0) {
        head = "--" + b + "\r\nX-Timestamp: " + std::to_string(1700000000 + seq) +
               "\r\ncontent-TYPE: image/jpeg\r\nX-Tags: " + std::string(300, 't') +
               "\r\nCONTENT-length: " + len + "\r\nx-status: 0\r\n\r\n";
      } else {
        head = "--" + b + "\r\nX-Frame: " + std::to_string(seq) + "\r\nContent-Length: " + len +
               "\r\n\r\n";  // no Content-Type at all
      }
      break;
  }
  WirePart p;
  p.bytes = head;
  p.bytes += data;
  p.bytes += tail;
  const auto data_at = p.data_at = head.size();
  if (head.starts_with("--")) p.cuts.push_back(2 + b.size() / 2);
  if (const auto crlf = head.find("\r\n"); crlf != std::string::npos) p.cuts.push_back(crlf + 1);
  if (n >= 2) {
    p.cuts.push_back(data_at + 1);      // FF | D8
    p.cuts.push_back(data_at + n / 2);  // entropy data
    p.cuts.push_back(data_at + n - 1);  // FF | D9 (of an intact frame)
  }
  p.cuts.push_back(data_at + n + 1);                       // CR | LF
  if (tail.size() > 4) p.cuts.push_back(data_at + n + 5);  // inside the trailing boundary
  std::sort(p.cuts.begin(), p.cuts.end());
  p.cuts.erase(std::unique(p.cuts.begin(), p.cuts.end()), p.cuts.end());
  std::erase_if(p.cuts, [&](std::size_t c) { return c == 0 || c >= p.bytes.size(); });
  return p;
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string random_hex(std::size_t n) {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i)
    s += kHex[rd() % 16];
  return s;
}

std::string short_response(const std::string& status, const std::string& extra_headers,
                           const std::string& body, bool close) {
  return "HTTP/1.1 " + status + "\r\nServer: fake-camera\r\n" + extra_headers +
         "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         (close ? "Connection: close\r\n" : "") + "\r\n" + body;
}

}  // namespace

bool is_valid_kind(PartKind k) {
  return k == PartKind::good || k == PartKind::crlf_dash || k == PartKind::padded ||
         k == PartKind::duplicate_eoi;
}

bool passes_markers(PartKind k) {
  return is_valid_kind(k) || k == PartKind::truncated || k == PartKind::oversize;
}

CameraScript scenario(std::string_view name) {
  CameraScript s;
  static const std::map<std::string, Framing, std::less<>> kFramings = {
      {"standard", Framing::standard},
      {"no_content_length", Framing::no_content_length},
      {"content_length_short", Framing::content_length_short},
      {"content_length_long", Framing::content_length_long},
      {"double_dash_boundary", Framing::double_dash_boundary},
      {"quoted_boundary", Framing::quoted_boundary},
      {"no_boundary_param", Framing::no_boundary_param},
      {"no_leading_boundary", Framing::no_leading_boundary},
      {"bare_lf", Framing::bare_lf},
      {"glued_headers", Framing::glued_headers},
      {"extra_headers", Framing::extra_headers},
  };
  if (auto it = kFramings.find(name); it != kFramings.end()) {
    s.framing = it->second;
    if (s.framing == Framing::glued_headers) s.transport = Transport::chunked;  // as Viseron
    return s;
  }
  if (name == "chunked") {
    s.transport = Transport::chunked;
  } else if (name == "chunked_no_content_length") {
    s.transport = Transport::chunked;
    s.framing = Framing::no_content_length;
  } else if (name == "crlf_dash") {
    s.framing = Framing::no_content_length;
    s.parts = {PartKind::crlf_dash, PartKind::good};
  } else if (name == "bad_frames") {
    s.parts = {PartKind::good,          PartKind::missing_eoi, PartKind::good,
               PartKind::duplicate_eoi, PartKind::padded,      PartKind::no_soi,
               PartKind::good,          PartKind::zero_length, PartKind::oversize,
               PartKind::crlf_dash,     PartKind::truncated,   PartKind::good};
  } else if (name == "accept_then_silence") {
    s.opening = Opening::silence_after_accept;
  } else if (name == "headers_then_silence") {
    s.opening = Opening::silence_after_headers;
  } else if (name == "mid_frame_stall") {
    s.parts_per_connection = 2;
    s.ending = Ending::stall_mid_frame;
  } else if (name == "close_after_n") {
    s.transport = Transport::http10;
    s.parts_per_connection = 3;
    s.ending = Ending::close;
  } else if (name == "one_frame_then_close") {
    s.parts_per_connection = 1;
    s.ending = Ending::close;
  } else if (name == "reset_mid_frame") {
    s.parts_per_connection = 2;
    s.ending = Ending::reset_mid_frame;
  } else if (name == "auth_basic") {
    s.auth = Auth::basic;
  } else if (name == "auth_digest") {
    s.auth = Auth::digest;
  } else if (name == "redirect") {
    s.redirect = true;
  } else if (name == "not_found") {
    s.opening = Opening::not_found;
  } else if (name == "server_error") {
    s.opening = Opening::server_error;
  } else if (name == "no_status_line") {
    s.transport = Transport::no_status_line;
  } else {
    throw std::invalid_argument("unknown camera scenario: " + std::string(name));
  }
  return s;
}

std::vector<std::string> scenario_names() {
  return {"standard",
          "no_content_length",
          "content_length_short",
          "content_length_long",
          "double_dash_boundary",
          "quoted_boundary",
          "no_boundary_param",
          "no_leading_boundary",
          "bare_lf",
          "glued_headers",
          "extra_headers",
          "chunked",
          "chunked_no_content_length",
          "crlf_dash",
          "bad_frames",
          "accept_then_silence",
          "headers_then_silence",
          "mid_frame_stall",
          "close_after_n",
          "one_frame_then_close",
          "reset_mid_frame",
          "auth_basic",
          "auth_digest",
          "redirect",
          "not_found",
          "server_error",
          "no_status_line"};
}

// Every byte string the grabber may legitimately write, and whether the
// camera has sent it yet.
struct FakeCamera::Outputs {
  struct Entry {
    Entry(std::string b, bool v) : bytes(std::move(b)), valid(v) {}
    std::string bytes;
    bool valid;  // false: only passes a marker check
    std::atomic<bool> sent{false};
  };
  struct Forms {
    std::size_t base, padded, dup, truncated;
    std::string missing_eoi, no_soi;
  };
  std::deque<Entry> entries;
  std::vector<Forms> forms;  // one per good frame, then crlf_dash
  std::atomic<std::size_t> last_valid{static_cast<std::size_t>(-1)};

  std::size_t add(std::string bytes, bool valid) {
    entries.emplace_back(std::move(bytes), valid);
    return entries.size() - 1;
  }
  void add_forms(const std::string& jpeg) {
    Forms f;
    f.base = add(jpeg, true);
    f.padded = add(padded_after_eoi(jpeg), true);
    f.dup = add(duplicate_eoi(jpeg), true);
    f.truncated = add(truncated_with_eoi(jpeg), false);
    f.missing_eoi = without_eoi(jpeg);
    f.no_soi = without_soi(jpeg);
    forms.push_back(std::move(f));
  }
  bool contains(std::string_view bytes, bool marker_only_ok) const {
    for (const auto& e : entries) {
      if (e.bytes.size() == bytes.size() && e.sent.load() && (e.valid || marker_only_ok) &&
          e.bytes == bytes)
        return true;
    }
    return false;
  }
};

FakeCamera::FakeCamera(FakeCameraOptions options, FrameSet frames)
    : options_(std::move(options)),
      frames_(std::move(frames)),
      oversize_(marker_only_blob(options_.oversize_bytes, 99)),
      nonce_(random_hex(32)),
      opaque_(random_hex(16)),
      outputs_(std::make_unique<Outputs>()) {
  if (options_.scripts.empty()) throw std::invalid_argument("no camera script");
  if (frames_.good.empty()) throw std::invalid_argument("no frames");
  for (auto& s : options_.scripts) {
    if (s.parts.empty()) s.parts = {PartKind::good};
  }
  for (const auto& f : frames_.good)
    outputs_->add_forms(f);
  outputs_->add_forms(frames_.crlf_dash);

  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(options_.port);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    const std::string why = std::strerror(errno);
    ::close(listen_fd_);
    throw std::runtime_error("fake camera cannot listen on port " + std::to_string(options_.port) +
                             ": " + why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FakeCamera::~FakeCamera() {
  stop();
}

void FakeCamera::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_.exchange(true)) return;
    cv_.notify_all();
  }
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_)
      ::shutdown(fd, SHUT_RDWR);
  }
  reap_finished_threads(true);
}

std::string FakeCamera::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) +
         (options_.scripts.front().redirect ? "/redirect" : "/stream");
}

bool FakeCamera::sent_valid(std::string_view bytes) const {
  return outputs_->contains(bytes, false);
}

bool FakeCamera::sent_marker_valid(std::string_view bytes) const {
  return outputs_->contains(bytes, true);
}

std::string FakeCamera::last_valid_sent() const {
  const auto i = outputs_->last_valid.load();
  return i < outputs_->entries.size() ? outputs_->entries[i].bytes : std::string();
}

std::vector<Clock::time_point> FakeCamera::connection_times() const {
  std::lock_guard lock(stats_mu_);
  return connection_times_;
}

std::vector<std::string> FakeCamera::paths() const {
  std::lock_guard lock(stats_mu_);
  return paths_;
}

void FakeCamera::accept_loop() {
  while (!stopping_.load()) {
    reap_finished_threads(false);
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0 || (p.revents & POLLIN) == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const std::size_t index = connections_.fetch_add(1);
    {
      std::lock_guard lock(stats_mu_);
      connection_times_.push_back(Clock::now());
    }
    {
      std::lock_guard lock(mu_);
      open_fds_.insert(fd);
    }
    ++open_;
    auto done = std::make_shared<std::atomic<bool>>(false);
    workers_.push_back(Worker{std::thread([this, fd, index, done] {
                                try {
                                  serve(fd, index);
                                } catch (...) {
                                  // a test camera never takes the test down
                                }
                                {
                                  std::lock_guard lock(mu_);
                                  open_fds_.erase(fd);
                                }
                                ::close(fd);
                                --open_;
                                done->store(true);
                              }),
                              done});
  }
}

void FakeCamera::reap_finished_threads(bool all) {
  std::erase_if(workers_, [all](Worker& w) {
    if (!all && !w.done->load()) return false;
    w.thread.join();
    return true;
  });
}

struct FakeCamera::Request {
  std::string method, target;
  std::map<std::string, std::string> headers;  // lower-case names
};

bool FakeCamera::read_request(int fd, std::string& buffered, Request& out) {
  while (true) {
    auto end = buffered.find("\r\n\r\n");
    std::size_t sep = 4;
    if (end == std::string::npos) {
      end = buffered.find("\n\n");
      sep = 2;
    }
    if (end != std::string::npos) {
      const std::string head = buffered.substr(0, end);
      buffered.erase(0, end + sep);
      out = Request{};
      std::size_t pos = 0;
      bool first = true;
      while (pos <= head.size()) {
        auto eol = head.find('\n', pos);
        if (eol == std::string::npos) eol = head.size();
        std::string line = head.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        pos = eol + 1;
        if (first) {
          first = false;
          const auto sp1 = line.find(' ');
          const auto sp2 = line.find(' ', sp1 + 1);
          if (sp1 == std::string::npos) return false;
          out.method = line.substr(0, sp1);
          out.target =
              line.substr(sp1 + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp1 - 1);
          continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
          value.erase(0, 1);
        out.headers[lower(line.substr(0, colon))] = value;
      }
      return true;
    }
    if (buffered.size() > 65536) return false;
    pollfd p{fd, POLLIN, 0};
    if (stopping_.load()) return false;
    const int r = ::poll(&p, 1, 50);
    if (r <= 0) continue;
    char buf[4096];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffered.append(buf, static_cast<std::size_t>(n));
  }
}

void FakeCamera::serve(int fd, std::size_t index) {
  const CameraScript& s = options_.scripts[std::min(index, options_.scripts.size() - 1)];
  std::string buffered;
  Request req;
  while (read_request(fd, buffered, req)) {
    ++requests_;
    {
      std::lock_guard lock(stats_mu_);
      if (paths_.size() < kMaxPaths) paths_.push_back(req.target);
    }
    if (s.opening == Opening::silence_after_accept) {
      wait_for_client_close(fd);
      return;
    }
    if (s.transport != Transport::no_status_line) {
      if (s.redirect && req.target != "/stream") {
        ++redirects_;
        if (!send_bytes(fd, short_response("302 Found", "Location: /stream\r\n", "", false)))
          return;
        continue;
      }
      if (s.auth != Auth::none) {
        const auto& a = req.headers["authorization"];
        const bool ok = s.auth == Auth::basic
                            ? basic_matches(a, options_.user, options_.password)
                            : digest_matches(a, req.method, req.target, options_.user,
                                             options_.password, kRealm, nonce_);
        if (!ok) {
          ++unauthorized_;
          const auto challenge = s.auth == Auth::basic ? basic_challenge(kRealm)
                                                       : digest_challenge(kRealm, nonce_, opaque_);
          if (!send_bytes(
                  fd, short_response("401 Unauthorized", "WWW-Authenticate: " + challenge + "\r\n",
                                     "unauthorized", false)))
            return;
          continue;
        }
      }
      if (s.opening == Opening::not_found || s.opening == Opening::server_error) {
        ++errors_;
        const bool nf = s.opening == Opening::not_found;
        send_bytes(fd, short_response(nf ? "404 Not Found" : "500 Internal Server Error", "",
                                      nf ? "no such stream" : "camera failure", true));
        ::shutdown(fd, SHUT_WR);
        wait_for_client_close(fd, std::chrono::seconds(2));
        return;
      }
    }
    stream(fd, s);
    return;
  }
}

void FakeCamera::stream(int fd, const CameraScript& s) {
  std::string head;
  if (s.transport != Transport::no_status_line) {
    head = s.transport == Transport::http10 ? "HTTP/1.0 200 OK\r\n" : "HTTP/1.1 200 OK\r\n";
    head += "Server: fake-camera\r\nCache-Control: no-cache, no-store\r\nPragma: no-cache\r\n";
    if (s.transport == Transport::chunked) head += "Transfer-Encoding: chunked\r\n";
    if (s.transport == Transport::http11) head += "Connection: close\r\n";
    head += "Content-Type: " + content_type_of(s.framing) + "\r\n\r\n";
  }
  if (!send_bytes(fd, head)) return;
  ++streams_;
  if (s.opening == Opening::silence_after_headers) {
    wait_for_client_close(fd);
    return;
  }
  const bool chunked = s.transport == Transport::chunked;
  const auto start = Clock::now();
  std::uint64_t i = 0;
  for (; s.parts_per_connection < 0 || i < static_cast<std::uint64_t>(s.parts_per_connection);
       ++i) {
    if (!pace(start, i)) return;
    if (!send_part(fd, s, s.parts[i % s.parts.size()], chunked, false)) return;
  }
  if (!pace(start, i)) return;
  const auto next = next_part_start(s.framing);
  switch (s.ending) {
    case Ending::close:
      if (chunked ? !send_chunked(fd, next, {next.size() / 2}) || !send_bytes(fd, "0\r\n\r\n")
                  : !send_bytes(fd, next))
        return;
      ::shutdown(fd, SHUT_WR);
      wait_for_client_close(fd, std::chrono::seconds(2));
      return;
    case Ending::silence:
      if (chunked ? !send_chunked(fd, next, {next.size() / 2}) : !send_bytes(fd, next)) return;
      wait_for_client_close(fd);
      return;
    case Ending::stall_mid_frame:
      if (!send_part(fd, s, PartKind::good, chunked, true)) return;
      wait_for_client_close(fd);
      return;
    case Ending::reset_mid_frame: {
      if (!send_part(fd, s, PartKind::good, chunked, true)) return;
      const linger lg{1, 0};  // close() now sends RST instead of FIN
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      return;
    }
  }
}

bool FakeCamera::send_part(int fd, const CameraScript& s, PartKind kind, bool chunked, bool half) {
  auto& out = *outputs_;
  const auto frame_forms = [&]() -> Outputs::Forms& {
    return out.forms[next_frame_.fetch_add(1) % frames_.good.size()];
  };
  std::string_view data;
  std::size_t image = static_cast<std::size_t>(-1);  // base entry of an intact image
  std::vector<std::size_t> marks;                    // entries that become writable
  switch (kind) {
    case PartKind::good: {
      auto& f = frame_forms();
      image = f.base;
      marks = {f.base};
      data = out.entries[f.base].bytes;
      break;
    }
    case PartKind::crlf_dash: {
      auto& f = out.forms.back();
      image = f.base;
      marks = {f.base};
      data = out.entries[f.base].bytes;
      break;
    }
    case PartKind::padded: {
      auto& f = frame_forms();
      image = f.base;
      marks = {f.base, f.padded};
      data = out.entries[f.padded].bytes;
      break;
    }
    case PartKind::duplicate_eoi: {
      auto& f = frame_forms();
      image = f.base;
      marks = {f.base, f.dup};
      data = out.entries[f.dup].bytes;
      break;
    }
    case PartKind::truncated: {
      auto& f = frame_forms();
      marks = {f.truncated};
      data = out.entries[f.truncated].bytes;
      break;
    }
    case PartKind::missing_eoi:
      data = frame_forms().missing_eoi;
      break;
    case PartKind::no_soi:
      data = frame_forms().no_soi;
      break;
    case PartKind::zero_length:
      break;
    case PartKind::oversize:
      data = oversize_;
      break;
  }
  const auto seq = parts_sent_.load();
  auto part = wire_part(s.framing, data, seq);
  if (half) {
    // Headers and half of the image: the part never completes.
    part.bytes.resize(part.data_at + data.size() / 2);
    std::erase_if(part.cuts, [&](std::size_t c) { return c >= part.bytes.size(); });
  } else {
    // Marked before sending, so a test that reads the live file right after
    // the grabber wrote it always finds the frame.
    for (auto m : marks)
      out.entries[m].sent.store(true);
    if (image != static_cast<std::size_t>(-1)) {
      out.last_valid.store(image);
      ++valid_sent_;
    }
    ++parts_sent_;
  }
  return chunked ? send_chunked(fd, part.bytes, std::move(part.cuts)) : send_bytes(fd, part.bytes);
}

bool FakeCamera::send_bytes(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool FakeCamera::send_chunked(int fd, std::string_view bytes, std::vector<std::size_t> cuts) {
  std::size_t from = 0;
  cuts.push_back(bytes.size());
  for (auto to : cuts) {
    if (to <= from || to > bytes.size()) continue;
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", to - from);
    // Each chunk in its own send (TCP_NODELAY): the edges reach the client
    // as separate reads as far as the kernel allows.
    std::string chunk = size;
    chunk += bytes.substr(from, to - from);
    chunk += "\r\n";
    if (!send_bytes(fd, chunk)) return false;
    from = to;
  }
  return true;
}

void FakeCamera::wait_for_client_close(int fd, std::chrono::milliseconds max) {
  const auto deadline = Clock::now() + max;
  char scratch[4096];
  while (!stopping_.load() && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    if (::recv(fd, scratch, sizeof scratch, 0) <= 0) return;
  }
}

bool FakeCamera::pace(Clock::time_point start, std::uint64_t index) {
  if (options_.fps <= 0) return !stopping_.load();
  const auto due = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(index / options_.fps));
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, due, [this] { return stopping_.load(); });
  return !stopping_.load();
}

std::uint16_t reserve_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot reserve a port");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace amarcord::test
