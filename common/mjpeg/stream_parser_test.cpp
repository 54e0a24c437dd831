#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mjpeg/frame_check.hpp"
#include "mjpeg/stream_parser.hpp"
#include "mjpeg/test_jpegs.hpp"

namespace {

using amarcord::mjpeg::boundary_from_content_type;
using amarcord::mjpeg::check_frame;
using amarcord::mjpeg::Part;
using amarcord::mjpeg::StreamParser;
using amarcord::mjpeg::StreamParserCounters;
using amarcord::mjpeg::StreamParserOptions;
using amarcord::mjpeg::Verify;
using amarcord::mjpeg::testing::make_jpeg;
using amarcord::mjpeg::testing::with_comment;

struct Result {
  std::vector<std::string> parts;
  std::vector<std::string> types;
  StreamParserCounters counters;
  std::string boundary;  // as known before finish()
  std::size_t max_capacity = 0;
};

bool same(const Result& a, const Result& b) {
  return a.parts == b.parts && a.types == b.types && a.counters.parts == b.counters.parts &&
         a.counters.oversize_parts == b.counters.oversize_parts &&
         a.counters.resyncs == b.counters.resyncs &&
         a.counters.length_mismatches == b.counters.length_mismatches && a.boundary == b.boundary;
}

// Feeds `stream` in pieces of the given sizes (cycled; empty = all at once),
// then finishes.
Result parse(const StreamParserOptions& options, std::string_view stream,
             const std::vector<std::size_t>& chunks = {}, bool finish = true) {
  Result r;
  StreamParser p(options, [&r](const Part& part) {
    r.parts.emplace_back(part.body);
    r.types.emplace_back(part.content_type);
  });
  if (chunks.empty()) {
    p.feed(stream);
    r.max_capacity = p.buffer_capacity();
  } else {
    std::size_t i = 0, k = 0;
    while (i < stream.size()) {
      const std::size_t n =
          std::min(std::max<std::size_t>(1, chunks[k++ % chunks.size()]), stream.size() - i);
      p.feed(stream.substr(i, n));
      r.max_capacity = std::max(r.max_capacity, p.buffer_capacity());
      i += n;
    }
  }
  r.boundary = p.boundary();
  if (finish) p.finish();
  r.counters = p.counters();
  return r;
}

Result parse_bytewise(const StreamParserOptions& options, std::string_view stream) {
  return parse(options, stream, {1});
}

// Feeds the stream in two pieces, split at `cut`.
Result parse_split(const StreamParserOptions& options, std::string_view stream, std::size_t cut) {
  Result r;
  StreamParser p(options, [&r](const Part& part) {
    r.parts.emplace_back(part.body);
    r.types.emplace_back(part.content_type);
  });
  p.feed(stream.substr(0, cut));
  p.feed(stream.substr(cut));
  r.boundary = p.boundary();
  p.finish();
  r.counters = p.counters();
  return r;
}

StreamParserOptions with_boundary(std::string b, std::size_t cap = 16u << 20) {
  StreamParserOptions o;
  o.boundary = std::move(b);
  o.max_part_bytes = cap;
  return o;
}

const std::vector<std::string>& frames() {
  static const std::vector<std::string> f = [] {
    std::vector<std::string> v;
    for (unsigned seed = 1; seed <= 5; ++seed)
      v.push_back(make_jpeg(64, 48, seed));
    return v;
  }();
  return f;
}

std::vector<std::string> first_frames(std::size_t n) {
  return {frames().begin(), frames().begin() + static_cast<std::ptrdiff_t>(n)};
}

struct Style {
  std::string wire = "--myboundary";  // the delimiter line as sent
  std::string eol = "\r\n";
  bool content_length = true;
  bool leading_boundary = true;
  std::string extra_headers;  // complete lines, each ending in eol
};

// multipart/x-mixed-replace as a camera sends it; each part is followed by
// the next delimiter line, so every part is complete.
std::string make_stream(const std::vector<std::string>& bodies, const Style& s = {}) {
  std::string out = s.leading_boundary ? s.wire + s.eol : "";
  for (const auto& body : bodies) {
    out += "Content-Type: image/jpeg" + s.eol;
    if (s.content_length) out += "Content-Length: " + std::to_string(body.size()) + s.eol;
    out += s.extra_headers;
    out += s.eol;
    out += body;
    out += s.eol + s.wire + s.eol;
  }
  return out;
}

struct Scenario {
  const char* name;
  StreamParserOptions options;
  std::string stream;
  std::vector<std::string> expected;
};

// One scenario per kind of stream the parser must handle; reused by the
// chunking properties below.
std::vector<Scenario> scenarios(std::size_t n_frames) {
  const auto f = first_frames(n_frames);
  std::vector<Scenario> v;
  v.push_back({"standard", with_boundary("myboundary"), make_stream(f), f});
  Style no_cl;
  no_cl.content_length = false;
  v.push_back({"no Content-Length", with_boundary("myboundary"), make_stream(f, no_cl), f});
  Style lf;
  lf.eol = "\n";
  lf.content_length = false;
  v.push_back({"bare LF", with_boundary("myboundary"), make_stream(f, lf), f});
  Style tasmota;
  tasmota.leading_boundary = false;
  v.push_back({"no leading boundary", with_boundary("myboundary"), make_stream(f, tasmota), f});
  v.push_back({"sniffed", with_boundary(""), make_stream(f, no_cl), f});
  v.push_back({"sniffed, no leading boundary", with_boundary(""), make_stream(f, tasmota), f});
  Style rfc_dashes;
  rfc_dashes.wire = "----myboundary";  // header said boundary=--myboundary
  v.push_back({"four dashes", with_boundary("myboundary"), make_stream(f, rfc_dashes), f});
  Style extra;
  extra.extra_headers = "X-Timestamp: 1.5\r\nx-status: ok\r\n";
  v.push_back({"extra headers", with_boundary("myboundary"), make_stream(f, extra), f});
  {
    std::string viseron;
    for (const auto& body : f) {
      viseron += "--jpgboundaryContent-type: image/jpeg\r\nContent-length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body + "\r\n";
    }
    viseron += "--jpgboundary\r\n";
    v.push_back({"Viseron", with_boundary("jpgboundary"), viseron, f});
  }
  {
    // Content-Length one too short in every part.
    std::string wrong;
    for (const auto& body : f) {
      wrong += "--myboundary\r\nContent-Type: image/jpeg\r\nContent-Length: " +
               std::to_string(body.size() - 1) + "\r\n\r\n" + body + "\r\n";
    }
    wrong += "--myboundary\r\n";
    v.push_back({"wrong Content-Length", with_boundary("myboundary"), wrong, f});
  }
  return v;
}

}  // namespace

TEST_CASE("boundary_from_content_type normalises what cameras send", "[mjpeg]") {
  using Catch::Matchers::Equals;
  const auto b = [](std::string_view ct) { return boundary_from_content_type(ct); };
  CHECK(b("multipart/x-mixed-replace; boundary=myboundary") == "myboundary");
  CHECK(b("multipart/x-mixed-replace;boundary=--myboundary") == "myboundary");    // Sony, Panasonic
  CHECK(b("multipart/x-mixed-replace; boundary =--myboundary") == "myboundary");  // space before =
  CHECK(b("multipart/x-mixed-replace; boundary = x") == "x");
  CHECK(b("multipart/x-mixed-replace; boundary=\"--quoted\"") == "quoted");  // Lumenera
  CHECK(b("multipart/x-mixed-replace; boundary=\"a b\"; charset=utf-8") == "a b");
  CHECK(b("multipart/x-mixed-replace; boundary=frame; charset=binary") == "frame");
  CHECK(b("multipart/x-mixed-replace; charset=binary; Boundary=frame") == "frame");
  CHECK(b("multipart/x-mixed-replace;boundary=----x") == "--x");  // only one "--" goes
  CHECK(b("multipart/x-mixed-replace; xboundary=no; boundary=yes") == "yes");
  CHECK_FALSE(b("multipart/x-mixed-replace"));
  CHECK_FALSE(b("multipart/x-mixed-replace; boundary="));
  CHECK_FALSE(b("multipart/x-mixed-replace; boundary=\"\""));
  CHECK_FALSE(b("multipart/x-mixed-replace; boundary=--"));
  CHECK_FALSE(b("multipart/x-mixed-replace; boundary=a\x01z"));
  CHECK_FALSE(b(""));
}

TEST_CASE("standard stream with Content-Length yields every frame", "[mjpeg]") {
  const auto f = first_frames(3);
  const Result r = parse(with_boundary("myboundary"), make_stream(f));
  CHECK(r.parts == f);
  CHECK(r.types == std::vector<std::string>(3, "image/jpeg"));
  CHECK(r.counters.parts == 3);
  CHECK(r.counters.resyncs == 0);
  CHECK(r.counters.length_mismatches == 0);
  CHECK(r.counters.oversize_parts == 0);
  for (const auto& part : r.parts)
    CHECK(check_frame(part, Verify::decode).ok);
}

TEST_CASE("every stream scenario yields exactly the frames sent", "[mjpeg]") {
  for (const auto& s : scenarios(4)) {
    INFO(s.name);
    const Result r = parse(s.options, s.stream);
    CHECK(r.parts == s.expected);
    CHECK(r.counters.parts == s.expected.size());
    CHECK(r.counters.oversize_parts == 0);
  }
}

TEST_CASE("a part is handed out as soon as its delimiter is complete", "[mjpeg]") {
  const auto f = first_frames(2);
  for (const bool with_length : {false, true}) {
    INFO("Content-Length: " << with_length);
    std::string first = "--myboundary\r\nContent-Type: image/jpeg\r\n";
    // A Content-Length far too long must not hold the frame back.
    if (with_length) first += "Content-Length: " + std::to_string(f[0].size() + 5000) + "\r\n";
    first += "\r\n" + f[0] + "\r\n--myboundary";
    std::vector<std::string> got;
    StreamParser p(with_boundary("myboundary"),
                   [&](const Part& part) { got.emplace_back(part.body); });
    p.feed(first.substr(0, first.size() - 1));
    CHECK(got.empty());
    p.feed(first.substr(first.size() - 1));
    REQUIRE(got.size() == 1);
    CHECK(got[0] == f[0]);
    CHECK(p.counters().length_mismatches == (with_length ? 1u : 0u));
  }
}

TEST_CASE("wrong Content-Length: the delimiter decides and the mismatch is counted", "[mjpeg]") {
  const auto f = first_frames(3);
  for (const long delta : {-1L, -100L, 1L, 2L, 1000L, 100000L}) {
    INFO("length off by " << delta);
    std::string s;
    for (const auto& body : f) {
      s += "--myboundary\r\nContent-Type: image/jpeg\r\nContent-Length: " +
           std::to_string(static_cast<long>(body.size()) + delta) + "\r\n\r\n" + body + "\r\n";
    }
    s += "--myboundary\r\n";
    for (const auto& r :
         {parse(with_boundary("myboundary"), s), parse_bytewise(with_boundary("myboundary"), s)}) {
      REQUIRE(r.parts.size() == 3);
      for (std::size_t i = 0; i < 3; ++i) {
        // Off by one or two may claim the CR/LF before the delimiter; the
        // frame check trims that.
        CHECK(check_frame(r.parts[i], Verify::decode).jpeg == f[i]);
      }
      if (delta < 0 || delta > 2) CHECK(r.counters.length_mismatches == 3);
      CHECK(r.counters.resyncs == 0);
    }
  }
}

TEST_CASE("Content-Length is trusted when the delimiter follows without a line break", "[mjpeg]") {
  const auto f = first_frames(2);
  std::string s;
  for (const auto& body : f) {
    s += "--b\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;  // no CRLF
  }
  s += "--b\r\n";
  const Result r = parse(with_boundary("b"), s);
  CHECK(r.parts == f);
  CHECK(r.counters.length_mismatches == 0);
}

TEST_CASE("boundary=--x: parts delimited by --x and by ----x", "[mjpeg]") {
  const auto f = first_frames(3);
  const auto b = boundary_from_content_type("multipart/x-mixed-replace;boundary=--x");
  REQUIRE(b == "x");
  Style sony;
  sony.wire = "--x";
  Style rfc;
  rfc.wire = "----x";
  CHECK(parse(with_boundary(*b), make_stream(f, sony)).parts == f);
  CHECK(parse(with_boundary(*b), make_stream(f, rfc)).parts == f);
}

TEST_CASE("quoted boundary with spaces and parameters after it", "[mjpeg]") {
  const auto f = first_frames(2);
  const auto b =
      boundary_from_content_type("multipart/x-mixed-replace ; boundary = \"--ip cam\" ; q=1");
  REQUIRE(b == "ip cam");
  Style s;
  s.wire = "--ip cam";
  CHECK(parse(with_boundary(*b), make_stream(f, s)).parts == f);
}

TEST_CASE("no boundary configured: sniffed from the first -- line", "[mjpeg]") {
  const auto f = first_frames(3);
  SECTION("plain") {
    Style s;
    s.wire = "--ThisRandomString";
    const Result r = parse(with_boundary(""), make_stream(f, s));
    CHECK(r.boundary == "ThisRandomString");
    CHECK(r.parts == f);
  }
  SECTION("after preamble text") {
    const std::string stream = "Welcome to the camera\r\nhave fun\r\n\r\n" + make_stream(f);
    const Result r = parse(with_boundary(""), stream);
    CHECK(r.boundary == "myboundary");
    CHECK(r.parts == f);
  }
  SECTION("Viseron glues the header to the boundary") {
    std::string stream;
    for (const auto& body : f)
      stream += "--jpgboundaryContent-type: image/jpeg\r\n\r\n" + body + "\r\n";
    stream += "--jpgboundary\r\n";
    const Result r = parse(with_boundary(""), stream);
    CHECK(r.boundary == "jpgboundary");
    CHECK(r.parts == f);
  }
  SECTION("nothing to sniff: no parts, no growth") {
    std::string junk(3u << 20, 'a');
    for (std::size_t i = 100; i < junk.size(); i += 100)
      junk[i] = '\n';
    StreamParserOptions o = with_boundary("", 1u << 20);
    const Result r = parse(o, junk, {4096});
    CHECK(r.parts.empty());
    CHECK(r.boundary.empty());
    CHECK(r.max_capacity < (1u << 20) + (128u << 10));
  }
  SECTION("reset forgets a sniffed boundary") {
    StreamParser p(with_boundary(""), nullptr);
    p.feed(make_stream(f));
    CHECK(p.boundary() == "myboundary");
    p.reset();
    CHECK(p.boundary().empty());
    CHECK(p.counters().parts == 3);  // counters survive
  }
}

TEST_CASE("configured boundary survives reset", "[mjpeg]") {
  StreamParser p(with_boundary("cam"), nullptr);
  p.reset();
  CHECK(p.boundary() == "cam");
}

TEST_CASE("no boundary before the first part (Tasmota, ESP32)", "[mjpeg]") {
  const auto f = first_frames(3);
  SECTION("headers first") {
    Style s;
    s.leading_boundary = false;
    const Result r = parse(with_boundary("myboundary"), make_stream(f, s));
    CHECK(r.parts == f);
    CHECK(r.counters.resyncs == 0);
  }
  SECTION("JPEG bytes first, no headers at all") {
    std::string stream;
    for (const auto& body : f)
      stream += body + "\r\n--myboundary\r\n\r\n";
    // Every later part has an empty header block; the first has none.
    const Result r = parse(with_boundary("myboundary"), stream);
    CHECK(r.parts == f);
  }
  SECTION("text before the first delimiter is preamble, not a part") {
    const std::string stream = "Content-Type: text/plain\r\n\r\nhello\r\n" + make_stream(f);
    const Result r = parse(with_boundary("myboundary"), stream);
    CHECK(r.parts == f);
  }
}

TEST_CASE("bare LF line endings and missing blank lines", "[mjpeg]") {
  const auto f = first_frames(3);
  SECTION("LF everywhere, with Content-Length") {
    Style s;
    s.eol = "\n";
    CHECK(parse(with_boundary("myboundary"), make_stream(f, s)).parts == f);
  }
  SECTION("JPEG right after the headers, no blank line") {
    std::string stream;
    for (const auto& body : f)
      stream += "--myboundary\r\nContent-Type: image/jpeg\r\n" + body + "\r\n";
    stream += "--myboundary\r\n";
    CHECK(parse(with_boundary("myboundary"), stream).parts == f);
  }
  SECTION("JPEG right after the boundary line") {
    std::string stream;
    for (const auto& body : f)
      stream += "--myboundary\n" + body + "\n";
    stream += "--myboundary\n";
    CHECK(parse(with_boundary("myboundary"), stream).parts == f);
  }
}

TEST_CASE("extra headers, any case, a part without Content-Type", "[mjpeg]") {
  const auto f = first_frames(3);
  const std::string stream =
      "--b\r\nCONTENT-TYPE: image/jpeg\r\ncontent-LENGTH: " + std::to_string(f[0].size()) +
      "\r\nX-Tags: a,b\r\nX-Status: 0\r\n\r\n" + f[0] + "\r\n--b\r\nX-Only: 1\r\n\r\n" + f[1] +
      "\r\n--b\r\nContent-Type:image/jpeg;q=1\r\nContent-Length:  " + std::to_string(f[2].size()) +
      "  \r\n\r\n" + f[2] + "\r\n--b--\r\n";
  const Result r = parse(with_boundary("b"), stream);
  CHECK(r.parts == f);
  CHECK(r.types == std::vector<std::string>{"image/jpeg", "", "image/jpeg;q=1"});
  CHECK(r.counters.length_mismatches == 0);
}

TEST_CASE("JPEG data containing CRLF-- is not split", "[mjpeg]") {
  const std::string tricky =
      with_comment(frames()[0], "\r\n--\r\n--\n--my\r\n--myboundar\n\r\n--mybound\r\n--");
  REQUIRE(check_frame(tricky, Verify::decode).ok);
  const std::vector<std::string> f{tricky, frames()[1], tricky};
  for (const bool cl : {true, false}) {
    Style s;
    s.content_length = cl;
    const Result r = parse(with_boundary("myboundary"), make_stream(f, s));
    CHECK(r.parts == f);
    CHECK(r.counters.length_mismatches == 0);
    CHECK(parse_bytewise(with_boundary("myboundary"), make_stream(f, s)).parts == f);
  }
}

TEST_CASE("zero-length parts are handed out and rejected by the frame check", "[mjpeg]") {
  const auto& f = frames();
  const std::string stream =
      "--b\r\nContent-Type: image/jpeg\r\nContent-Length: 0\r\n\r\n\r\n--b\r\n"
      "Content-Type: image/jpeg\r\n\r\n--b\r\n"  // no CRLF before it
      "Content-Type: image/jpeg\r\n\r\n\r\n--b\r\n"
      "Content-Type: image/jpeg\r\n\r\n" +
      f[0] + "\r\n--b\r\n";
  const Result r = parse(with_boundary("b"), stream);
  REQUIRE(r.parts.size() == 4);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(r.parts[i].empty());
    CHECK_FALSE(check_frame(r.parts[i], Verify::markers).ok);
  }
  CHECK(r.parts[3] == f[0]);
  CHECK(r.counters.length_mismatches == 0);
}

TEST_CASE("garbage is skipped and counted as a resync", "[mjpeg]") {
  const auto f = first_frames(3);
  SECTION("before the first boundary") {
    const std::string stream = std::string("\x01\x02 junk \xff\xfe\r\n", 12) + make_stream(f);
    const Result r = parse(with_boundary("myboundary"), stream);
    CHECK(r.parts == f);
    CHECK(r.counters.resyncs == 1);
  }
  SECTION("in place of part headers") {
    std::string stream = make_stream({f[0]});
    const char junk[] = "\x13\x37 binary junk without colon\r\nmore\r\n\x00\x00\r\n";
    stream.append(junk, sizeof(junk) - 1);
    stream += make_stream({f[1], f[2]});
    const Result r = parse(with_boundary("myboundary"), stream);
    CHECK(r.parts == f);
    CHECK(r.counters.resyncs == 1);
  }
  SECTION("endless header block") {
    std::string stream = make_stream({f[0]});
    stream += "X-Long: " + std::string(40000, 'x') + "\r\n";
    stream += make_stream({f[1], f[2]});
    const Result r = parse(with_boundary("myboundary"), stream);
    CHECK(r.parts == f);
    CHECK(r.counters.resyncs == 1);
  }
  SECTION("a close delimiter, an epilogue, and the stream goes on") {
    std::string stream = make_stream({f[0]});
    stream.resize(stream.size() - 2);  // drop the CRLF after the last delimiter
    stream += "--\r\n\r\n" + make_stream({f[1], f[2]});
    const Result r = parse(with_boundary("myboundary"), stream);
    CHECK(r.parts == f);
    CHECK(r.counters.resyncs == 0);
  }
}

TEST_CASE("a wrong boundary finds nothing and stays bounded", "[mjpeg]") {
  const Result r = parse(with_boundary("other", 1u << 20), make_stream(first_frames(5)), {700});
  CHECK(r.parts.empty());
  CHECK(r.max_capacity < 64u << 10);
}

TEST_CASE("finish: a last part with a complete Content-Length is handed out", "[mjpeg]") {
  const auto& f = frames();
  const std::string head =
      "--b\r\nContent-Type: image/jpeg\r\nContent-Length: " + std::to_string(f[0].size()) +
      "\r\n\r\n";
  CHECK(parse(with_boundary("b"), head + f[0]).parts == std::vector<std::string>{f[0]});
  CHECK(parse(with_boundary("b"), head + f[0] + "\r\n").parts == std::vector<std::string>{f[0]});
  CHECK(parse(with_boundary("b"), head + f[0].substr(0, 100)).parts.empty());
  CHECK(parse(with_boundary("b"), "--b\r\n\r\n" + f[0]).parts.empty());  // no length: torn?
  // Without finish() nothing is handed out.
  CHECK(parse(with_boundary("b"), head + f[0], {}, false).parts.empty());

  // finish() starts over: the next connection's stream parses from scratch.
  std::vector<std::string> got;
  StreamParser p(with_boundary("b"), [&](const Part& part) { got.emplace_back(part.body); });
  p.feed(head + f[0].substr(0, 100));
  p.finish();
  p.feed("--b\r\n\r\n" + f[1] + "\r\n--b\r\n");
  CHECK(got == std::vector<std::string>{f[1]});
}

TEST_CASE("an exception from the handler leaves the parser usable", "[mjpeg]") {
  const auto f = first_frames(4);
  const std::string stream = make_stream(f);
  std::vector<std::string> got;
  int calls = 0;
  StreamParser p(with_boundary("myboundary"), [&](const Part& part) {
    if (++calls == 1) throw std::runtime_error("disk full");
    got.emplace_back(part.body);
  });
  const std::size_t cut = stream.find(f[1]);
  CHECK_THROWS_AS(p.feed(stream.substr(0, cut)), std::runtime_error);
  // After the reset the parser is at a stream start again, where a JPEG
  // without a boundary before it counts (Tasmota), so f[1] is found too.
  p.feed(stream.substr(cut));
  CHECK(got == std::vector<std::string>{f[1], f[2], f[3]});
}

TEST_CASE("oversize parts are dropped without buffering them", "[mjpeg]") {
  const auto f = first_frames(2);
  constexpr std::size_t kCap = 1u << 20;
  // 64 MiB of JPEG-like bytes that contain no delimiter.
  std::string huge(64u << 20, '\0');
  std::uint64_t x = 88172645463325252ull;
  for (std::size_t i = 0; i < huge.size(); i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(&huge[i], &x, 8);
  }
  huge[0] = '\xFF';
  huge[1] = '\xD8';
  for (const bool with_length : {false, true}) {
    INFO("Content-Length: " << with_length);
    Style s;
    s.content_length = with_length;
    const std::string before = make_stream({f[0]}, s);
    std::string middle = "Content-Type: image/jpeg\r\n";
    if (with_length) middle += "Content-Length: " + std::to_string(huge.size()) + "\r\n";
    middle += "\r\n";
    const std::string after = "\r\n--myboundary\r\n" + make_stream({f[1]}, s).substr(14);

    for (const std::size_t chunk : {std::size_t{65536}, huge.size()}) {
      INFO("chunk " << chunk);
      std::vector<std::string> got;
      StreamParser p(with_boundary("myboundary", kCap),
                     [&](const Part& part) { got.emplace_back(part.body); });
      p.feed(before);
      p.feed(middle);
      std::size_t peak = 0;
      for (std::size_t i = 0; i < huge.size(); i += chunk) {
        p.feed(std::string_view(huge).substr(i, chunk));
        peak = std::max(peak, p.buffer_capacity());
      }
      p.feed(after);
      peak = std::max(peak, p.buffer_capacity());
      CHECK(got == f);
      CHECK(p.counters().oversize_parts == 1);
      CHECK(peak <= kCap + (96u << 10));
    }
  }
}

TEST_CASE("a part of exactly max_part_bytes passes, one byte more does not", "[mjpeg]") {
  std::string small = frames()[0];
  std::string big = frames()[1] + std::string(100, '\0');  // trailing padding, still a JPEG
  if (small.size() > big.size()) std::swap(small, big);
  REQUIRE(small.size() < big.size());
  for (const bool cl : {true, false}) {
    INFO("Content-Length: " << cl);
    Style s;
    s.content_length = cl;
    const std::string stream = make_stream({big, small, big}, s);
    for (const auto& r : {parse(with_boundary("myboundary", small.size()), stream),
                          parse_bytewise(with_boundary("myboundary", small.size()), stream)}) {
      CHECK(r.parts == std::vector<std::string>{small});
      CHECK(r.counters.oversize_parts == 2);
    }
    const Result none = parse(with_boundary("myboundary", small.size() - 1), stream);
    CHECK(none.parts.empty());
    CHECK(none.counters.oversize_parts == 3);
  }
}

TEST_CASE("one byte at a time stays linear in every phase", "[mjpeg]") {
  // A 1 MiB part, a 1 MiB preamble and 1 MiB before a sniffed boundary, fed
  // one byte at a time. Rescanning from the start on each byte would take
  // minutes; keeping scan offsets takes well under a second.
  std::string blob(1u << 20, '\0');
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  for (std::size_t i = 0; i < blob.size(); i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(&blob[i], &x, 8);
  }
  for (std::size_t i = 0; i + 2 < blob.size(); ++i) {
    if (blob[i] == '\n' && blob[i + 1] == '-') blob[i] = 'n';  // no "--" lines to sniff
  }
  blob[0] = '\xFF';
  blob[1] = '\xD8';
  const auto f = first_frames(1);
  struct Case {
    const char* name;
    StreamParserOptions options;
    std::string stream;
    std::vector<std::string> expected;
  };
  Style no_cl;
  no_cl.content_length = false;
  const Case cases[] = {
      {"body without Content-Length",
       with_boundary("myboundary"),
       make_stream({blob}, no_cl),
       {blob}},
      {"body with Content-Length", with_boundary("myboundary"), make_stream({blob}), {blob}},
      {"preamble", with_boundary("myboundary"), "x" + blob + "\r\n" + make_stream(f), f},
      {"sniffing", with_boundary(""), "x" + blob + "\r\n" + make_stream(f), f},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto t0 = std::chrono::steady_clock::now();
    const Result r = parse_bytewise(c.options, c.stream);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(r.parts == c.expected);
    CHECK(seconds < 20.0);
  }
}

// --- properties ----------------------------------------------------------

TEST_CASE("one byte at a time equals all at once", "[mjpeg]") {
  for (const auto& s : scenarios(5)) {
    INFO(s.name);
    const Result whole = parse(s.options, s.stream);
    const Result bytes = parse_bytewise(s.options, s.stream);
    CHECK(whole.parts == s.expected);
    CHECK(same(whole, bytes));
  }
}

TEST_CASE("every split point of a 3-frame stream gives the same parts", "[mjpeg]") {
  for (const auto& s : scenarios(3)) {
    INFO(s.name);
    const Result whole = parse(s.options, s.stream);
    REQUIRE(whole.parts == s.expected);
    std::size_t mismatches = 0;
    for (std::size_t cut = 0; cut <= s.stream.size(); ++cut) {
      if (!same(whole, parse_split(s.options, s.stream, cut))) ++mismatches;
    }
    CHECK(mismatches == 0);
  }
}

TEST_CASE("random chunking of an N-frame stream always yields the N frames", "[mjpeg]") {
  std::mt19937 rng(20240501);
  const auto all = scenarios(5);
  for (int iteration = 0; iteration < 300; ++iteration) {
    const auto& s = all[static_cast<std::size_t>(iteration) % all.size()];
    INFO(s.name << " iteration " << iteration);
    std::vector<std::size_t> chunks;
    const int kind = iteration % 3;  // tiny, mixed, large pieces
    for (int i = 0; i < 64; ++i) {
      const std::size_t top = kind == 0 ? 8 : kind == 1 ? 700 : 5000;
      chunks.push_back(1 + rng() % top);
    }
    const Result r = parse(s.options, s.stream, chunks);
    CHECK(r.parts == s.expected);
  }
}

TEST_CASE("fuzz: garbage, bit flips and cuts never crash and stay deterministic", "[mjpeg]") {
  std::mt19937 rng(7);
  const auto all = scenarios(5);
  const std::string junk_pieces[] = {"\r\n--",
                                     "\r\n--myboundary",
                                     "--myboundary--",
                                     "\n",
                                     "Content-Length: 99999\r\n",
                                     "\xFF\xD8",
                                     "\xFF\xD9",
                                     "\r\n\r\n",
                                     "----myboundary\r\n"};
  for (int iteration = 0; iteration < 1000; ++iteration) {
    const auto& base = all[static_cast<std::size_t>(iteration) % all.size()];
    std::string s = base.stream;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % (s.size() + 1);
      switch (rng() % 4) {
        case 0:  // bit flip
          if (at < s.size()) s[at] = static_cast<char>(s[at] ^ (1 << (rng() % 8)));
          break;
        case 1: {  // random bytes
          std::string g(rng() % 64, '\0');
          for (char& c : g)
            c = static_cast<char>(rng());
          s.insert(at, g);
          break;
        }
        case 2:  // stream-looking junk
          s.insert(at, junk_pieces[rng() % std::size(junk_pieces)]);
          break;
        case 3:  // a cut
          s.erase(at, rng() % 200);
          break;
      }
    }
    INFO(base.name << " iteration " << iteration);
    StreamParserOptions o = base.options;
    o.max_part_bytes = (iteration % 2 == 0) ? 1500 : 16u << 20;  // small cap: oversize paths
    const Result whole = parse(o, s);
    const Result bytes = parse_bytewise(o, s);
    std::vector<std::size_t> chunks;
    for (int i = 0; i < 16; ++i)
      chunks.push_back(1 + rng() % 300);
    const Result chunked = parse(o, s, chunks);
    CHECK(same(whole, bytes));
    CHECK(same(whole, chunked));
    CHECK(whole.counters.parts == whole.parts.size());
    for (const auto& part : whole.parts)
      CHECK(part.size() <= o.max_part_bytes);
    // Every part ends at a delimiter (or at the end of the stream), so there
    // are never more parts than delimiter lines plus one.
    std::size_t delimiters = 0;
    for (std::size_t i = s.find("--"); i != std::string::npos; i = s.find("--", i + 1))
      ++delimiters;
    CHECK(whole.parts.size() <= delimiters + 1);
    CHECK(bytes.max_capacity <= o.max_part_bytes + (96u << 10));
  }
}
