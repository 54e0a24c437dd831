#include "mjpeg/stream_parser.hpp"

#include <algorithm>
#include <cstring>  // memchr, memcpy, memmove
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

// Design
// ------
// Bytes that are still needed (an unfinished part, a header line, a possible
// delimiter prefix) are kept in one flat buffer; everything else is dropped as
// soon as it is resolved. Positions are absolute stream offsets (bytes since
// the last reset), so they stay valid when the buffer is compacted. feed()
// works on a "window": the buffered bytes plus the new chunk appended, or the
// chunk itself when nothing is buffered (no copy); only the unresolved tail of
// a window is kept afterwards.
//
//   sniff --"--x" line--> stream_start
//   stream_start --delimiter--> after_delimiter
//                --header line or FF D8--> headers / body  (no leading boundary: Tasmota)
//                --other--> preamble
//   preamble --"\n--x"--> after_delimiter
//   after_delimiter --"--"--> preamble (close delimiter; what follows is skipped)
//                   --CRLF, LF or anything else (Viseron)--> headers
//   headers --blank line, or a line starting FF D8--> body
//           --a line that is no header--> preamble (resync)
//   body --delimiter (or Content-Length verified)--> after_delimiter, part handed out
//
// Delimiters: "\n" + "--" + boundary, or "\n" + "----" + boundary (a server
// that put "--x" in its header and followed RFC 2046 sends "----x"; one that
// meant "x" sends "--x"; the normalised boundary is "x" either way). A CR
// before the LF belongs to the delimiter. The search looks for "\n--" with
// SIMD compares (SSE2, or AVX2 when the CPU has it), then compares the
// boundary at each hit; a generic "\r\n--" inside JPEG data is never a
// delimiter.
//
// Decisions are made from the bytes alone, never from where a chunk ended:
// every step either decides on complete information or waits for more bytes,
// so any chunking of a stream yields the same parts and counters.
//
// Content-Length is a hint: the part ends at the claimed length when the
// delimiter follows there (after at most four CR/LF bytes, or none), unless a
// complete delimiter appears earlier, which then wins. Otherwise the part ends
// at the scanned delimiter and length_mismatches is counted.
//
// Memory: a part larger than max_part_bytes is dropped while it streams by;
// only a possible delimiter prefix (boundary length + 5 bytes) is kept, so the
// buffer never holds more than max_part_bytes + kMaxHeaderBytes + a small
// slack (see buffer_limit()).

namespace amarcord::mjpeg {
namespace {

// RFC 2046 allows 70 characters; cameras are not always RFC-sized.
constexpr std::size_t kMaxBoundaryLength = 200;
// All header lines of one part together; more is not a header block.
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
// CR/LF bytes tolerated between the claimed end of a part and its delimiter.
constexpr std::size_t kMaxBreaksBeforeDelimiter = 4;
// Minimum number of new bytes appended to the buffer per round in feed().
constexpr std::size_t kFeedSlice = 64 * 1024;

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

bool is_ws_or_eol(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_break(char c) {
  return c == '\r' || c == '\n';
}

unsigned char byte(char c) {
  return static_cast<unsigned char>(c);
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back()))
    s.remove_suffix(1);
  return s;
}

// RFC 9110 tchar: what a header name is made of.
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// Printable ASCII, not only dashes (nothing would be left to search for).
bool valid_boundary(std::string_view b) {
  if (b.empty() || b.size() > kMaxBoundaryLength) return false;
  if (b.find_first_not_of('-') == std::string_view::npos) return false;
  return std::all_of(b.begin(), b.end(), [](char c) { return byte(c) >= 0x20 && byte(c) < 0x7f; });
}

// Quotes and spaces stripped, one leading "--" removed.
std::optional<std::string> normalise_boundary(std::string_view value) {
  value = trim(value);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front())
    value = trim(value.substr(1, value.size() - 2));
  if (value.substr(0, 2) == "--") value.remove_prefix(2);
  if (!valid_boundary(value)) return std::nullopt;
  return std::string(value);
}

// The boundary in a line "--<boundary>" found while sniffing (`line` is what
// follows the dashes, without the line break). Viseron glues the first header
// to the boundary ("--jpgboundaryContent-type: image/jpeg"), so a
// "Content-" inside the line ends the boundary.
std::optional<std::string> sniffed_boundary(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  line = trim(line);
  for (std::size_t i = 1; i + 8 <= line.size(); ++i) {
    if (iequals(line.substr(i, 8), "content-")) {
      line = line.substr(0, i);
      break;
    }
  }
  if (!valid_boundary(line)) return std::nullopt;
  return std::string(line);
}

std::optional<std::uint64_t> parse_length(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

enum class Match { yes, no, more };

bool lf_dash_dash_at(const char* p) {
  return p[0] == '\n' && p[1] == '-' && p[2] == '-';
}

std::size_t find_lf_dash_dash_scalar(const char* p, std::size_t n, std::size_t i) {
  for (; i + 3 <= n; ++i) {
    const void* nl = std::memchr(p + i, '\n', n - i);
    if (nl == nullptr) return n;
    i = static_cast<std::size_t>(static_cast<const char*>(nl) - p);
    if (i + 3 <= n && lf_dash_dash_at(p + i)) return i;
  }
  return n;
}

#if defined(__x86_64__) || defined(__i386__)
// 16 (SSE2) or 32 (AVX2) positions per step: a byte is a candidate when it
// is LF and the next two are dashes. In JPEG data that happens about once
// every 16 MiB, so nearly all the work is three loads and compares per block.
std::size_t find_lf_dash_dash_sse2(const char* p, std::size_t n) {
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i dash = _mm_set1_epi8('-');
  std::size_t i = 0;
  for (; i + 18 <= n; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 1));
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 2));
    const __m128i m = _mm_and_si128(
        _mm_cmpeq_epi8(a, lf), _mm_and_si128(_mm_cmpeq_epi8(b, dash), _mm_cmpeq_epi8(c, dash)));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(m));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
  return find_lf_dash_dash_scalar(p, n, i);
}

__attribute__((target("avx2"))) std::size_t find_lf_dash_dash_avx2(const char* p, std::size_t n) {
  const __m256i lf = _mm256_set1_epi8('\n');
  const __m256i dash = _mm256_set1_epi8('-');
  std::size_t i = 0;
  for (; i + 34 <= n; i += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 1));
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 2));
    const __m256i m =
        _mm256_and_si256(_mm256_cmpeq_epi8(a, lf),
                         _mm256_and_si256(_mm256_cmpeq_epi8(b, dash), _mm256_cmpeq_epi8(c, dash)));
    const auto mask = static_cast<unsigned>(_mm256_movemask_epi8(m));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
  return find_lf_dash_dash_sse2(p + i, n - i) + i;
}

using FindFn = std::size_t (*)(const char*, std::size_t);
const FindFn find_lf_dash_dash_impl = [] {
  __builtin_cpu_init();  // this may run before libgcc's own initialiser
  return __builtin_cpu_supports("avx2") ? find_lf_dash_dash_avx2 : find_lf_dash_dash_sse2;
}();
#else
std::size_t find_lf_dash_dash_impl(const char* p, std::size_t n) {
  return find_lf_dash_dash_scalar(p, n, 0);
}
#endif

// The first i with p[i..i+3) == "\n--" (i + 3 <= n), or n. Every delimiter
// starts like that and the three bytes together are rare in JPEG data.
std::size_t find_lf_dash_dash(const char* p, std::size_t n) {
  return find_lf_dash_dash_impl(p, n);
}

}  // namespace

std::optional<std::string> boundary_from_content_type(std::string_view content_type) {
  const std::string_view s = content_type;
  std::size_t semi = s.find(';');
  while (semi != std::string_view::npos) {
    std::size_t i = semi + 1;
    const std::size_t name_begin = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';')
      ++i;
    const std::string_view name = trim(s.substr(name_begin, i - name_begin));
    if (i >= s.size() || s[i] == ';') {  // a parameter without a value
      semi = i < s.size() ? i : std::string_view::npos;
      continue;
    }
    ++i;  // '='
    while (i < s.size() && is_blank(s[i]))
      ++i;
    std::string value;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value.push_back(s[i++]);
      }
      semi = s.find(';', i);
    } else {
      semi = s.find(';', i);
      value = s.substr(i, semi == std::string_view::npos ? std::string_view::npos : semi - i);
    }
    if (iequals(name, "boundary")) return normalise_boundary(value);
  }
  return std::nullopt;
}

struct StreamParser::State {
  enum class Phase { sniff, stream_start, preamble, after_delimiter, headers, body };

  // The bytes of the current window: w[0] is at stream offset `base`.
  struct Window {
    const char* w;
    std::uint64_t base;
    std::uint64_t end;  // stream offset one past the last byte
    const char* ptr(std::uint64_t off) const { return w + (off - base); }
    char at(std::uint64_t off) const { return w[off - base]; }
    std::uint64_t offset_of(const void* p) const {
      return base + static_cast<std::uint64_t>(static_cast<const char*>(p) - w);
    }
  };

  // Kept bytes live in buf[head, tail); buf[head] is at stream offset `base`.
  std::unique_ptr<char[]> buf;
  std::size_t capacity = 0;
  std::size_t head = 0;
  std::size_t tail = 0;
  std::uint64_t base = 0;

  Phase phase = Phase::stream_start;
  std::uint64_t pos = 0;   // stream_start/after_delimiter: next byte; headers: line start
  std::uint64_t scan = 0;  // where searching resumes (every phase has one unresolved point)
  bool garbage = false;    // preamble: non-whitespace bytes were skipped
  std::uint64_t garbage_checked = 0;

  // Part under construction.
  bool implicit = false;  // no delimiter before it (stream start)
  std::uint64_t header_start = 0;
  std::string content_type;
  std::optional<std::uint64_t> content_length;
  std::uint64_t body_start = 0;
  bool body_start_checked = false;  // the body does not begin with the delimiter itself
  bool length_hint = false;         // Content-Length not yet confirmed or refuted
  bool dropping = false;            // oversize: bytes are discarded until the delimiter

  // Sniffing.
  bool sniff_keep = true;  // keep bytes from offset 0: the first part may precede the boundary
  bool sniff_at_line_start = true;

  // "--" + boundary and "----" + boundary.
  std::string dash2, dash4;

  std::size_t pending() const { return tail - head; }

  void set_boundary(const std::string& b) {
    dash2 = "--" + b;
    dash4 = "----" + b;
  }

  void restart(bool sniffing) {
    buf.reset();
    capacity = head = tail = 0;
    base = 0;
    pos = scan = 0;
    garbage = false;
    garbage_checked = 0;
    implicit = false;
    content_type.clear();
    content_length.reset();
    dropping = false;
    length_hint = false;
    sniff_keep = true;
    sniff_at_line_start = true;
    phase = sniffing ? Phase::sniff : Phase::stream_start;
  }

  // --- buffer -------------------------------------------------------------

  void append(const char* p, std::size_t n, std::size_t limit) {
    if (n == 0) return;
    if (tail + n > capacity && head > 0) {
      std::memmove(buf.get(), buf.get() + head, pending());
      tail -= head;
      head = 0;
    }
    if (tail + n > capacity) {
      const std::size_t need = tail + n;
      const std::size_t grown =
          std::max(need, std::min(limit, std::max<std::size_t>(4096, capacity * 2)));
      std::unique_ptr<char[]> bigger(new char[grown]);
      if (pending() > 0) std::memcpy(bigger.get(), buf.get() + head, pending());
      tail -= head;
      head = 0;
      buf = std::move(bigger);
      capacity = grown;
    }
    std::memcpy(buf.get() + tail, p, n);
    tail += n;
  }

  // Drops everything before stream offset `keep`.
  void consume_to(std::uint64_t keep) {
    head += static_cast<std::size_t>(keep - base);
    base = keep;
    if (head == tail) head = tail = 0;
  }

  // --- matching -----------------------------------------------------------

  // Does "--boundary" (or "----boundary") start at `i`? `after` is the
  // offset just past it.
  Match delimiter_at(const Window& w, std::uint64_t i, std::uint64_t& after) const {
    const std::uint64_t avail = w.end - i;
    const auto try_form = [&](const std::string& d) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(avail, d.size()));
      if (std::memcmp(w.ptr(i), d.data(), n) != 0) return Match::no;
      return n == d.size() ? Match::yes : Match::more;
    };
    const Match m2 = try_form(dash2);
    if (m2 == Match::yes) {
      after = i + dash2.size();
      return Match::yes;
    }
    const Match m4 = try_form(dash4);
    if (m4 == Match::yes) {
      after = i + dash4.size();
      return Match::yes;
    }
    return (m2 == Match::more || m4 == Match::more) ? Match::more : Match::no;
  }

  // The first complete delimiter whose LF is at or after `from`. On success
  // `lf` is the LF's offset and `after` the offset past the boundary. On
  // failure `resume` is where the next search must start (every complete
  // delimiter before it was ruled out).
  bool find_delimiter(const Window& w, std::uint64_t from, std::uint64_t& lf, std::uint64_t& after,
                      std::uint64_t& resume) const {
    std::uint64_t i = from;
    for (;;) {
      const auto n = static_cast<std::size_t>(w.end - i);
      const std::size_t k = find_lf_dash_dash(w.ptr(i), n);
      if (k == n) {  // "\n" or "\n-" at the very end is still undecided
        resume = std::max(i, w.end > 2 ? w.end - 2 : 0);
        return false;
      }
      const std::uint64_t c = i + k;
      switch (delimiter_at(w, c + 1, after)) {
        case Match::yes:
          lf = c;
          return true;
        case Match::more:
          resume = c;
          return false;
        case Match::no:
          i = c + 1;
          break;
      }
    }
  }

  // Is there a delimiter at the end a Content-Length claims (after at most
  // kMaxBreaksBeforeDelimiter CR/LF bytes)?
  Match delimiter_at_claimed_end(const Window& w, std::uint64_t i, std::uint64_t& after) const {
    std::size_t breaks = 0;
    while (i < w.end && breaks < kMaxBreaksBeforeDelimiter && is_break(w.at(i))) {
      ++i;
      ++breaks;
    }
    if (i == w.end) return Match::more;
    return delimiter_at(w, i, after);
  }

  // --- phases ---------------------------------------------------------------

  void enter_stream_start(std::uint64_t at) {
    phase = Phase::stream_start;
    pos = scan = at;
  }

  void enter_preamble(std::uint64_t at, bool skipped_garbage) {
    phase = Phase::preamble;
    scan = garbage_checked = at;
    garbage = skipped_garbage;
  }

  void enter_after_delimiter(std::uint64_t at) {
    phase = Phase::after_delimiter;
    pos = scan = at;
  }

  void enter_headers(std::uint64_t at, bool without_delimiter) {
    phase = Phase::headers;
    pos = scan = header_start = at;
    implicit = without_delimiter;
    content_type.clear();
    content_length.reset();
  }

  void enter_body(std::uint64_t at, std::size_t max_part_bytes) {
    phase = Phase::body;
    body_start = scan = at;
    body_start_checked = false;
    dropping = false;
    length_hint = content_length.has_value() && *content_length <= max_part_bytes;
  }

  // Each returns true when it made progress, false when it needs more bytes.

  bool sniff(StreamParser& p, const Window& w) {
    const std::uint64_t keep_limit = p.options_.max_part_bytes + kMaxHeaderBytes;
    for (;;) {
      if (!sniff_at_line_start) {
        const void* nl = std::memchr(w.ptr(scan), '\n', static_cast<std::size_t>(w.end - scan));
        if (nl == nullptr) {
          scan = w.end;
          break;
        }
        scan = w.offset_of(nl) + 1;
        sniff_at_line_start = true;
      }
      if (w.end - scan < 2) break;
      if (w.at(scan) != '-' || w.at(scan + 1) != '-') {
        sniff_at_line_start = false;
        continue;
      }
      const std::uint64_t line = scan + 2;
      const std::uint64_t limit = std::min(w.end, line + kMaxBoundaryLength + 2);
      const void* nl = std::memchr(w.ptr(line), '\n', static_cast<std::size_t>(limit - line));
      if (nl == nullptr) {
        if (limit == w.end && w.end - line < kMaxBoundaryLength + 2) break;  // line incomplete
        sniff_at_line_start = false;
        scan = line;
        continue;
      }
      const auto b = sniffed_boundary(
          std::string_view(w.ptr(line), static_cast<std::size_t>(w.offset_of(nl) - line)));
      if (!b) {
        sniff_at_line_start = false;
        scan = line;
        continue;
      }
      p.boundary_ = *b;
      set_boundary(*b);
      // The bytes before the boundary line may be a first part (a camera
      // that sends the boundary only after each image), unless they are too
      // many to be one.
      if (scan > keep_limit) sniff_keep = false;
      if (!sniff_keep) ++p.counters_.resyncs;
      enter_stream_start(sniff_keep ? 0 : scan);
      return true;
    }
    if (w.end > keep_limit) sniff_keep = false;
    return false;
  }

  bool stream_start(StreamParser& p, const Window& w) {
    while (pos < w.end && is_ws_or_eol(w.at(pos)))
      ++pos;
    if (pos == w.end) return false;
    std::uint64_t after = 0;
    switch (delimiter_at(w, pos, after)) {
      case Match::yes:
        enter_after_delimiter(after);
        return true;
      case Match::more:
        return false;
      case Match::no:
        break;
    }
    if (byte(w.at(pos)) == 0xFF) {
      if (w.end - pos < 2) return false;
      if (byte(w.at(pos + 1)) == 0xD8) {  // a JPEG right away, no boundary, no headers
        implicit = true;
        content_type.clear();
        content_length.reset();
        enter_body(pos, p.options_.max_part_bytes);
        return true;
      }
    }
    // Part headers without a boundary before them (Tasmota)?
    scan = std::max(scan, pos);
    while (scan < w.end && scan - pos < kMaxHeaderBytes && is_token_char(w.at(scan)))
      ++scan;
    if (scan == w.end && scan - pos < kMaxHeaderBytes) return false;
    if (scan > pos && scan < w.end && w.at(scan) == ':') {
      enter_headers(pos, true);
      return true;
    }
    enter_preamble(pos, true);
    return true;
  }

  bool preamble(StreamParser& p, const Window& w) {
    std::uint64_t lf = 0, after = 0, resume = 0;
    const bool found = find_delimiter(w, scan, lf, after, resume);
    const std::uint64_t skipped_to = found ? lf : resume;
    while (!garbage && garbage_checked < skipped_to) {
      if (!is_ws_or_eol(w.at(garbage_checked))) garbage = true;
      ++garbage_checked;
    }
    garbage_checked = std::max(garbage_checked, skipped_to);
    if (!found) {
      scan = resume;
      return false;
    }
    if (garbage) ++p.counters_.resyncs;
    enter_after_delimiter(after);
    return true;
  }

  bool after_delimiter(const Window& w) {
    while (pos < w.end && is_blank(w.at(pos)))
      ++pos;
    if (pos == w.end) return false;
    const char c = w.at(pos);
    if (c == '-' || c == '\r') {
      if (w.end - pos < 2) return false;
      const char next = w.at(pos + 1);
      if (c == '-' && next == '-') {
        enter_preamble(pos + 2, false);  // close delimiter; skip the epilogue
      } else if (c == '\r') {
        enter_headers(next == '\n' ? pos + 2 : pos + 1, false);
      } else {
        enter_headers(pos, false);
      }
      return true;
    }
    // LF, or (Viseron) the first header glued to the boundary.
    enter_headers(c == '\n' ? pos + 1 : pos, false);
    return true;
  }

  bool parse_header_line(std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_token_char)) return false;
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-type")) {
      content_type.assign(value);
    } else if (iequals(name, "content-length")) {
      content_length = parse_length(value);
    }
    return true;
  }

  bool headers(StreamParser& p, const Window& w) {
    for (;;) {
      if (scan == pos) {  // at the start of a line
        if (pos == w.end) return false;
        if (byte(w.at(pos)) == 0xFF) {  // JPEG data without the blank line
          if (w.end - pos < 2) return false;
          if (byte(w.at(pos + 1)) == 0xD8) {
            enter_body(pos, p.options_.max_part_bytes);
            return true;
          }
        }
        std::uint64_t after = 0;
        switch (delimiter_at(w, pos, after)) {
          case Match::yes:  // a part without a body; nothing to hand out
            enter_after_delimiter(after);
            return true;
          case Match::more:
            return false;
          case Match::no:
            break;
        }
      }
      const void* nl = std::memchr(w.ptr(scan), '\n', static_cast<std::size_t>(w.end - scan));
      if (nl == nullptr) {
        scan = w.end;
        if (w.end - header_start > kMaxHeaderBytes) {
          enter_preamble(pos, true);
          return true;
        }
        return false;
      }
      const std::uint64_t e = w.offset_of(nl);
      if (e - header_start > kMaxHeaderBytes) {
        enter_preamble(pos, true);
        return true;
      }
      std::string_view line(w.ptr(pos), static_cast<std::size_t>(e - pos));
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) {
        enter_body(e + 1, p.options_.max_part_bytes);
        return true;
      }
      if (!parse_header_line(line)) {
        enter_preamble(pos, true);
        return true;
      }
      pos = scan = e + 1;
    }
  }

  bool starts_with_soi(const Window& w, std::uint64_t from, std::uint64_t to) const {
    return to - from >= 2 && byte(w.at(from)) == 0xFF && byte(w.at(from + 1)) == 0xD8;
  }

  // The part's body is [body_start, body_end); the delimiter ends at `after`.
  void end_part(StreamParser& p, const Window& w, std::uint64_t body_end, std::uint64_t after) {
    enter_after_delimiter(after);
    const std::uint64_t size = body_end - body_start;
    // Before the first delimiter only a JPEG counts; anything else is preamble.
    if (implicit && !starts_with_soi(w, body_start, body_end)) return;
    if (size > p.options_.max_part_bytes) {
      ++p.counters_.oversize_parts;
      return;
    }
    ++p.counters_.parts;
    if (p.on_part_) {
      p.on_part_(Part{std::string_view(w.ptr(body_start), static_cast<std::size_t>(size)),
                      std::string_view(content_type)});
    }
  }

  bool body(StreamParser& p, const Window& w) {
    std::uint64_t after = 0;
    if (!dropping && !body_start_checked) {  // an empty body right after the blank line
      switch (delimiter_at(w, body_start, after)) {
        case Match::yes:
          end_part(p, w, body_start, after);
          return true;
        case Match::more:
          return false;
        case Match::no:
          body_start_checked = true;
          break;
      }
    }
    std::uint64_t lf = 0, resume = 0;
    const bool found = find_delimiter(w, scan, lf, after, resume);
    if (found && dropping) {
      enter_after_delimiter(after);
      return true;
    }
    if (length_hint) {
      const std::uint64_t claimed_end = body_start + *content_length;
      if (found && lf < claimed_end) {  // the delimiter came first: the length was too long
        length_hint = false;
        ++p.counters_.length_mismatches;
      } else if (claimed_end <= w.end) {
        std::uint64_t claimed_after = 0;
        switch (delimiter_at_claimed_end(w, claimed_end, claimed_after)) {
          case Match::yes:
            end_part(p, w, claimed_end, claimed_after);
            return true;
          case Match::no:
            length_hint = false;
            ++p.counters_.length_mismatches;
            break;
          case Match::more:
            break;
        }
      }
    }
    if (found) {
      std::uint64_t body_end = lf;
      if (lf > body_start && w.at(lf - 1) == '\r') --body_end;
      end_part(p, w, body_end, after);
      return true;
    }
    scan = resume;
    // The body is at least scan - 1 - body_start bytes long (a CR before the
    // LF at `scan` would belong to the delimiter).
    if (!dropping && scan - body_start > p.options_.max_part_bytes + 1) {
      dropping = true;
      length_hint = false;
      if (!implicit || starts_with_soi(w, body_start, w.end)) ++p.counters_.oversize_parts;
    }
    return false;
  }

  void run(StreamParser& p, const Window& w) {
    for (;;) {
      bool progressed = false;
      switch (phase) {
        case Phase::sniff:
          progressed = sniff(p, w);
          break;
        case Phase::stream_start:
          progressed = stream_start(p, w);
          break;
        case Phase::preamble:
          progressed = preamble(p, w);
          break;
        case Phase::after_delimiter:
          progressed = after_delimiter(w);
          break;
        case Phase::headers:
          progressed = headers(p, w);
          break;
        case Phase::body:
          progressed = body(p, w);
          break;
      }
      if (!progressed) return;
    }
  }

  // The first stream offset that is still needed.
  std::uint64_t keep_from() const {
    switch (phase) {
      case Phase::sniff:
        return sniff_keep ? 0 : scan;
      case Phase::stream_start:
      case Phase::after_delimiter:
      case Phase::headers:
        return pos;
      case Phase::preamble:
        return scan;
      case Phase::body:
        return dropping ? scan : body_start;
    }
    return pos;
  }

  // The most the buffer ever holds: what a phase may keep (see keep_from and
  // the limits in each phase) plus one slice of new bytes.
  static std::size_t buffer_limit(const StreamParserOptions& o) {
    return o.max_part_bytes + kMaxHeaderBytes + kMaxBoundaryLength + 64 + kFeedSlice;
  }
};

StreamParser::StreamParser(StreamParserOptions options, PartHandler on_part)
    : options_(std::move(options)),
      on_part_(std::move(on_part)),
      state_(std::make_shared<State>()) {
  if (options_.max_part_bytes == 0) options_.max_part_bytes = 1;
  if (!valid_boundary(options_.boundary)) options_.boundary.clear();
  reset();
}

void StreamParser::reset() {
  boundary_ = options_.boundary;
  state_->restart(boundary_.empty());
  if (!boundary_.empty()) state_->set_boundary(boundary_);
}

void StreamParser::feed(std::string_view bytes) {
  State& s = *state_;
  const std::size_t limit = State::buffer_limit(options_);
  try {
    while (!bytes.empty()) {
      if (s.pending() == 0) {
        // Nothing buffered: parse the caller's bytes in place and keep only
        // the unresolved tail.
        const State::Window w{bytes.data(), s.base, s.base + bytes.size()};
        s.run(*this, w);
        const std::uint64_t keep = s.keep_from();
        const auto skip = static_cast<std::size_t>(keep - s.base);
        s.base = keep;
        s.append(bytes.data() + skip, bytes.size() - skip, limit);
        return;
      }
      const std::size_t room = limit - std::min(limit - kFeedSlice, s.pending());
      const std::size_t n = std::min(room, bytes.size());
      s.append(bytes.data(), n, limit);
      bytes.remove_prefix(n);
      const State::Window w{s.buf.get() + s.head, s.base, s.base + s.pending()};
      s.run(*this, w);
      s.consume_to(s.keep_from());
    }
  } catch (...) {
    // on_part threw: the window it saw is gone, start over cleanly.
    reset();
    throw;
  }
}

void StreamParser::finish() {
  State& s = *state_;
  if (s.phase == State::Phase::body && !s.dropping && s.length_hint) {
    const State::Window w{s.buf.get() + s.head, s.base, s.base + s.pending()};
    const std::uint64_t claimed_end = s.body_start + *s.content_length;
    if (claimed_end <= w.end) {
      try {
        s.end_part(*this, w, claimed_end, claimed_end);
      } catch (...) {
        reset();
        throw;
      }
    }
  }
  reset();
}

std::size_t StreamParser::buffer_capacity() const {
  return state_->capacity;
}

}  // namespace amarcord::mjpeg
