#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "multipart/multipart_parser.hpp"

namespace {

using amarcord::multipart::boundary_from_content_type;
using amarcord::multipart::Limits;
using amarcord::multipart::MultipartError;
using amarcord::multipart::Parser;
using amarcord::multipart::PartHeaders;
using Catch::Matchers::Contains;

constexpr std::size_t kWhole = std::string::npos;

struct Part {
  PartHeaders headers;
  std::string data;
  bool ended = false;
};

// Records what the parser reports; `events` is the order of callbacks.
struct Collector {
  std::vector<Part> parts;
  std::string events;
  bool data_outside_part = false;

  Parser::Callbacks callbacks() {
    return {[this](const PartHeaders& h) {
              parts.push_back(Part{h, {}, false});
              events += 'B';
            },
            [this](std::string_view d) {
              if (parts.empty() || parts.back().ended || d.empty()) data_outside_part = true;
              if (!parts.empty()) parts.back().data.append(d);
            },
            [this] {
              if (parts.empty() || parts.back().ended) data_outside_part = true;
              if (!parts.empty()) parts.back().ended = true;
              events += 'E';
            }};
  }
};

// Feeds `body` in pieces of `chunk` bytes, then finishes.
std::vector<Part> parse(const std::string& boundary, std::string_view body,
                        std::size_t chunk = kWhole, Limits limits = {}) {
  Collector c;
  Parser p(boundary, c.callbacks(), limits);
  if (chunk == kWhole) chunk = std::max<std::size_t>(body.size(), 1);
  for (std::size_t i = 0; i < body.size(); i += chunk)
    p.feed(body.substr(i, chunk));
  p.finish();
  REQUIRE(p.done());
  REQUIRE_FALSE(c.data_outside_part);
  for (const auto& part : c.parts)
    REQUIRE(part.ended);
  return c.parts;
}

// The MultipartError message parsing `body` gives, or "" when there is none.
std::string error_of(const std::string& boundary, std::string_view body, std::size_t chunk = kWhole,
                     Limits limits = {}) {
  Collector c;
  Parser p(boundary, c.callbacks(), limits);
  if (chunk == kWhole) chunk = std::max<std::size_t>(body.size(), 1);
  try {
    for (std::size_t i = 0; i < body.size(); i += chunk)
      p.feed(body.substr(i, chunk));
    p.finish();
  } catch (const MultipartError& e) {
    return e.what();
  }
  return "";
}

// A body with one field "f" holding `payload`.
std::string one_part(const std::string& boundary, std::string_view payload) {
  std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n";
  body += payload;
  body += "\r\n--" + boundary + "--\r\n";
  return body;
}

// Checks that `payload` comes back unchanged whatever the chunking.
void check_round_trip(const std::string& boundary, const std::string& payload) {
  const std::string body = one_part(boundary, payload);
  for (const std::size_t chunk : {kWhole, std::size_t{1}, std::size_t{2}, std::size_t{3},
                                  std::size_t{7}, boundary.size() + 3, boundary.size() + 4}) {
    const auto parts = parse(boundary, body, chunk);
    REQUIRE(parts.size() == 1);
    REQUIRE(parts[0].data == payload);
  }
  for (std::size_t cut = 0; cut <= body.size(); ++cut) {
    Collector c;
    Parser p(boundary, c.callbacks());
    p.feed(std::string_view(body).substr(0, cut));
    p.feed(std::string_view(body).substr(cut));
    p.finish();
    REQUIRE(c.parts.size() == 1);
    REQUIRE(c.parts[0].data == payload);
  }
}

const std::string kCurlBoundary = "------------------------d74496d66958873e";
const std::string kCurlBody =
    "--" + kCurlBoundary +
    "\r\n"
    "Content-Disposition: form-data; name=\"person\"\r\n"
    "\r\n"
    "anonymous\r\n"
    "--" +
    kCurlBoundary +
    "\r\n"
    "Content-Disposition: form-data; name=\"secret\"; filename=\"file.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "contents of the file\n"
    "second line\r\n"
    "--" +
    kCurlBoundary + "--\r\n";

const std::string kChromeBoundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
const std::string kChromeBody =
    "--" + kChromeBoundary +
    "\r\n"
    "Content-Disposition: form-data; name=\"title\"\r\n"
    "\r\n"
    "Hello, world\r\n"
    "--" +
    kChromeBoundary +
    "\r\n"
    "Content-Disposition: form-data; name=\"upload\"; filename=\"a b.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "line1\r\nline2\r\n\r\n"
    "--" +
    kChromeBoundary +
    "\r\n"
    "Content-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    "\r\n"
    "--" +
    kChromeBoundary + "--\r\n";

}  // namespace

TEST_CASE("boundary_from_content_type", "[multipart]") {
  CHECK(boundary_from_content_type("multipart/form-data; boundary=----WebKitFormBoundaryabc") ==
        "----WebKitFormBoundaryabc");
  CHECK(boundary_from_content_type("multipart/form-data; boundary=\"a b:c\"") == "a b:c");
  CHECK(boundary_from_content_type("multipart/form-data; boundary=\"ab\\\"c\"") == "ab\"c");
  CHECK(boundary_from_content_type("Multipart/Form-Data; charset=utf-8; BOUNDARY=xyz") == "xyz");
  CHECK(boundary_from_content_type("multipart/form-data;boundary=xyz ; foo=\"b;ar\"") == "xyz");
  CHECK(boundary_from_content_type("  multipart/form-data ;  boundary = xyz  ") == "xyz");
  CHECK(boundary_from_content_type("multipart/form-data; boundary=" + std::string(70, 'a')) ==
        std::string(70, 'a'));

  CHECK_FALSE(boundary_from_content_type(""));
  CHECK_FALSE(boundary_from_content_type("multipart/form-data"));
  CHECK_FALSE(boundary_from_content_type("multipart/form-data; charset=utf-8"));
  CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary="));
  CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=\"\""));
  CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=" + std::string(71, 'a')));
  CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=\"abc"));
  CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=a; boundary=b"));
  CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=\"a\rb\""));
  CHECK_FALSE(boundary_from_content_type("multipart/form-data; boundary=\"ab \""));
  CHECK_FALSE(boundary_from_content_type("multipart/mixed; boundary=abc"));
  CHECK_FALSE(boundary_from_content_type("multipart/form-datax; boundary=abc"));
  CHECK_FALSE(boundary_from_content_type("text/plain; boundary=abc"));
  CHECK_FALSE(boundary_from_content_type("application/x-www-form-urlencoded"));
}

TEST_CASE("the parser refuses invalid boundaries", "[multipart]") {
  CHECK_THROWS_AS(Parser("", {}), MultipartError);
  CHECK_THROWS_AS(Parser(std::string(71, 'a'), {}), MultipartError);
  CHECK_THROWS_AS(Parser("a\r\nb", {}), MultipartError);
  CHECK_THROWS_AS(Parser(std::string("a\0b", 3), {}), MultipartError);
  CHECK_NOTHROW(Parser(std::string(70, 'a'), {}));
  CHECK_NOTHROW(Parser("-", {}));
}

TEST_CASE("a curl body, in chunks of every size", "[multipart]") {
  for (std::size_t chunk = 1; chunk <= kCurlBody.size(); ++chunk) {
    const auto parts = parse(kCurlBoundary, kCurlBody, chunk);
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].headers.name == "person");
    CHECK_FALSE(parts[0].headers.filename);
    CHECK(parts[0].headers.content_type.empty());
    CHECK(parts[0].data == "anonymous");
    CHECK(parts[1].headers.name == "secret");
    CHECK(parts[1].headers.filename == "file.txt");
    CHECK(parts[1].headers.content_type == "text/plain");
    CHECK(parts[1].data == "contents of the file\nsecond line");
  }
}

TEST_CASE("a Chrome body, split at every pair of points", "[multipart]") {
  const std::string_view body = kChromeBody;
  for (std::size_t a = 0; a <= body.size(); ++a) {
    for (std::size_t b = a; b <= body.size(); b += 3) {
      Collector c;
      Parser p(kChromeBoundary, c.callbacks());
      p.feed(body.substr(0, a));
      p.feed(body.substr(a, b - a));
      p.feed(body.substr(b));
      p.finish();
      REQUIRE(c.events == "BEBEBE");
      REQUIRE(c.parts.size() == 3);
      REQUIRE(c.parts[0].data == "Hello, world");
      REQUIRE(c.parts[1].data == "line1\r\nline2\r\n");
      REQUIRE(c.parts[2].data.empty());
    }
  }
  const auto parts = parse(kChromeBoundary, kChromeBody);
  CHECK(parts[0].headers.name == "title");
  CHECK(parts[1].headers.name == "upload");
  CHECK(parts[1].headers.filename == "a b.txt");
  CHECK(parts[1].headers.content_type == "text/plain");
  CHECK(parts[2].headers.name == "empty");
  CHECK(parts[2].headers.filename == "");
  CHECK(parts[2].headers.content_type == "application/octet-stream");
  REQUIRE(parts[1].headers.all.size() == 2);
  CHECK(parts[1].headers.all[0].first == "content-disposition");
  CHECK(parts[1].headers.all[0].second == "form-data; name=\"upload\"; filename=\"a b.txt\"");
  CHECK(parts[1].headers.all[1].first == "content-type");
}

TEST_CASE("empty part bodies", "[multipart]") {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
      "\r\n--b\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n"
      "\r\n--b--";
  for (const std::size_t chunk : {kWhole, std::size_t{1}}) {
    const auto parts = parse("b", body, chunk);
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].data.empty());
    CHECK(parts[1].data.empty());
  }
  // Tolerated: the delimiter straight after the blank line, its CRLF left out.
  const auto parts = parse("b",
                           "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
                           "--b\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nx\r\n--b--");
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].data.empty());
  CHECK(parts[1].data == "x");
  // A closing delimiter right after the opening one: a form without fields.
  CHECK(parse("b", "--b--\r\n").empty());
}

TEST_CASE("body data that merely looks like a delimiter", "[multipart]") {
  const std::string b = "boundary";
  SECTION("--boundary not preceded by a line break") {
    check_round_trip(b, "x--boundary");
    check_round_trip(b, "x--boundary\r\n");
    check_round_trip(b, "x--boundary--\r\nmore");
    check_round_trip(b, "\r--boundary\r\n");
    check_round_trip(b, "--x--boundary--");
  }
  SECTION("a delimiter prefix followed by other bytes") {
    check_round_trip(b, "a\r\n--boundar");
    check_round_trip(b, "a\r\n--boundarZ\r\n");
    check_round_trip(b, "a\r\n--b\r\n--bo\r\n--bou\n--boun\r\n-\r\n\r\n\r\r\n--");
    check_round_trip(b, "\r\n-");
    check_round_trip(b, "\r\n--");
    check_round_trip(b, "\r\r\r\n\n\n");
    check_round_trip(b, "\r");
    check_round_trip(b, "\n");
    check_round_trip(b, "--boundar");
  }
  SECTION("the whole boundary followed by a byte that cannot continue a delimiter line") {
    // Decision: "\r\n--boundary" followed by anything but '-', SP, HT, CR or LF is data.
    check_round_trip(b, "\r\n--boundaryX");
    check_round_trip(b, "\r\n--boundaryX\r\n--boundary_\n--boundary0");
    check_round_trip(b, "--boundaryX at the start");
    check_round_trip(b, "ends with\r\n--boundaryZ");
    const std::string nul_after = std::string("\r\n--boundary") + '\0' + "tail";
    check_round_trip(b, nul_after);
  }
  SECTION("binary data with NUL and high bytes") {
    std::string payload;
    for (int i = 0; i < 512; ++i)
      payload.push_back(static_cast<char>(i % 256));
    check_round_trip(b, payload);
  }
  SECTION("a one-character boundary made of a dash") {
    check_round_trip("-", "\r\n--x --- ----");
    CHECK(parse("-", "---\r\nContent-Disposition: form-data; name=n\r\n\r\nv\r\n-----")[0].data ==
          "v");
  }
}

TEST_CASE("delimiter lines: padding, bare LF and garbage", "[multipart]") {
  const std::string head = "Content-Disposition: form-data; name=\"f\"\r\n\r\n";
  SECTION("transport padding and bare LF are accepted") {
    const std::string body = "--b \t \r\n" + head + "one\r\n--b\t\n" + head + "two\n--b  \n" +
                             head + "three\r\n--b--  \r\n";
    for (const std::size_t chunk : {kWhole, std::size_t{1}}) {
      const auto parts = parse("b", body, chunk);
      REQUIRE(parts.size() == 3);
      CHECK(parts[0].data == "one");
      CHECK(parts[1].data == "two");
      CHECK(parts[2].data == "three");
    }
  }
  SECTION("anything else after the boundary is an error") {
    for (const std::string bad : {"--b x\r\n", "--b-x\r\n", "--b -\r\n", "--b \r x\n", "--b\rx"}) {
      for (const std::size_t chunk : {kWhole, std::size_t{1}}) {
        CHECK_THAT(error_of("b", bad + head + "v\r\n--b--", chunk),
                   Contains("garbage after the boundary"));
      }
    }
    CHECK_THAT(error_of("b", "--b\r\n" + head + "v\r\n--b x\r\n--b--"),
               Contains("garbage after the boundary"));
    CHECK_THAT(error_of("b", "--b\r\n" + head + "v\r\n--b -\r\n--b--"),
               Contains("garbage after the boundary"));
    CHECK_THAT(error_of("b", "--b\r\n" + head + "v\r\n--b-x"),
               Contains("garbage after the boundary"));
  }
}

TEST_CASE("preamble and epilogue are ignored", "[multipart]") {
  const std::string head = "Content-Disposition: form-data; name=\"f\"\r\n\r\n";
  const std::string body = "This is the preamble. x--b\r\n--bX\r\n--b_\n\r\n--b\r\n" + head +
                           "value\r\n--b--\r\nepilogue --b\r\n" + head + "\r\n--b--\r\n";
  for (const std::size_t chunk : {kWhole, std::size_t{1}, std::size_t{5}}) {
    Collector c;
    Parser p("b", c.callbacks());
    for (std::size_t i = 0; i < body.size(); i += std::min(chunk, body.size())) {
      p.feed(std::string_view(body).substr(i, chunk));
    }
    REQUIRE(p.done());
    p.finish();
    p.feed("more epilogue");
    REQUIRE(c.parts.size() == 1);
    CHECK(c.parts[0].data == "value");
  }
  // A preamble whose lines end in bare LF.
  CHECK(parse("b", "preamble\n--b\n" + head + "v\n--b--")[0].data == "v");
}

TEST_CASE("part headers", "[multipart]") {
  const auto headers_of = [](const std::string& header_lines) {
    const auto parts = parse("b", "--b\r\n" + header_lines + "\r\nv\r\n--b--\r\n");
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].data == "v");
    return parts[0].headers;
  };
  SECTION("names are case-insensitive and lower-cased, values trimmed") {
    const auto h = headers_of(
        "CONTENT-disposition:   form-data; name=\"f\"  \r\n"
        "content-TYPE:\timage/png \r\n"
        "X-Custom:value:with:colons\r\n"
        "X-Empty:\r\n");
    CHECK(h.name == "f");
    CHECK(h.content_type == "image/png");
    REQUIRE(h.all.size() == 4);
    CHECK(h.all[0] ==
          std::pair<std::string, std::string>("content-disposition", "form-data; name=\"f\""));
    CHECK(h.all[1] == std::pair<std::string, std::string>("content-type", "image/png"));
    CHECK(h.all[2] == std::pair<std::string, std::string>("x-custom", "value:with:colons"));
    CHECK(h.all[3] == std::pair<std::string, std::string>("x-empty", ""));
  }
  SECTION("bare LF header lines are accepted") {
    const auto parts =
        parse("b", "--b\nContent-Disposition: form-data; name=f\nContent-Type: a/b\n\nv\n--b--");
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].headers.name == "f");
    CHECK(parts[0].headers.content_type == "a/b");
    CHECK(parts[0].data == "v");
  }
  SECTION("Content-Disposition parameters") {
    auto h = headers_of("Content-Disposition: FORM-DATA; NAME=field; FileName=plain.txt\r\n");
    CHECK(h.name == "field");
    CHECK(h.filename == "plain.txt");
    h = headers_of(
        "Content-Disposition: form-data ; name = \"a \\\"quoted\\\" name\" ;"
        " filename=\"C:\\dir\\x\\\\y.txt\";\r\n");
    CHECK(h.name == "a \"quoted\" name");
    CHECK(h.filename == "C:\\dir\\x\\y.txt");
    h = headers_of(
        "Content-Disposition: form-data; name=\"semi;colon\"; filename=\"\xc3\xa4.txt\"\r\n");
    CHECK(h.name == "semi;colon");
    CHECK(h.filename == "\xc3\xa4.txt");
    h = headers_of("Content-Disposition: form-data; name=\"\"; extra=1\r\n");
    CHECK(h.name.empty());
    CHECK_FALSE(h.filename);
  }
  SECTION("filename* takes precedence over filename") {
    auto h = headers_of(
        "Content-Disposition: form-data; name=\"f\"; filename=\"fallback.txt\"; "
        "filename*=UTF-8''%E2%82%AC%20rates.txt\r\n");
    CHECK(h.filename == "\xe2\x82\xac rates.txt");
    h = headers_of(
        "Content-Disposition: form-data; name=\"f\"; filename*=utf-8'en'a%2Fb.txt; "
        "filename=\"fallback.txt\"\r\n");
    CHECK(h.filename == "a/b.txt");
    h = headers_of("Content-Disposition: form-data; name=f; filename*=iso-8859-1''%E4.txt\r\n");
    CHECK(h.filename == "\xc3\xa4.txt");
  }
  SECTION("malformed filename*") {
    for (const std::string bad :
         {"UTF-8%41", "UTF-8''%4", "UTF-8''%zz", "UTF-8''%00", "UTF-8''%C3", "UTF-8''a%0Ab"}) {
      CHECK_THAT(error_of("b", "--b\r\nContent-Disposition: form-data; name=f; filename*=" + bad +
                                   "\r\n\r\nv\r\n--b--"),
                 Contains("filename*"));
    }
    CHECK_THAT(error_of("b",
                        "--b\r\nContent-Disposition: form-data; name=f; filename*=koi8-r''a"
                        "\r\n\r\nv\r\n--b--"),
               Contains("charset"));
  }
}

TEST_CASE("malformed input", "[multipart]") {
  const std::string cd = "Content-Disposition: form-data; name=\"f\"\r\n";
  const auto err = [](const std::string& body, Limits limits = {}) {
    const std::string whole = error_of("b", body, kWhole, limits);
    // Byte-by-byte feeding must fail the same way.
    CHECK(error_of("b", body, 1, limits) == whole);
    return whole;
  };
  SECTION("no opening boundary") {
    CHECK_THAT(err(""), Contains("no opening boundary"));
    CHECK_THAT(err("just some text\r\n"), Contains("no opening boundary"));
    CHECK_THAT(err("x--b\r\n" + cd + "\r\nv\r\n"), Contains("no opening boundary"));
    CHECK_THAT(err("--bb\r\n" + cd + "\r\nv\r\n--bb--"), Contains("no opening boundary"));
  }
  SECTION("truncated bodies") {
    const std::string full = "--b\r\n" + cd + "\r\nvalue\r\n--b--";
    for (std::size_t cut = 1; cut < full.size(); ++cut) {
      CHECK_THAT(err(full.substr(0, cut)), Contains("boundary"));
    }
    CHECK_THAT(err("--b\r\n" + cd + "\r\nvalue"), Contains("ends before the closing boundary"));
    CHECK_THAT(err("--b\r\n" + cd + "\r\nvalue\r\n--b\r\n"),
               Contains("ends before the closing boundary"));
    CHECK_THAT(err("--b\r\n" + cd), Contains("ends before the closing boundary"));
  }
  SECTION("bad headers") {
    CHECK_THAT(err("--b\r\n\r\nv\r\n--b--"), Contains("no Content-Disposition"));
    CHECK_THAT(err("--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--"),
               Contains("no Content-Disposition"));
    CHECK_THAT(err("--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--"), Contains("no name"));
    CHECK_THAT(err("--b\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nv\r\n--b--"),
               Contains("no name"));
    CHECK_THAT(err("--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--b--"),
               Contains("not form-data"));
    CHECK_THAT(err("--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--b--"),
               Contains("malformed Content-Disposition"));
    CHECK_THAT(err("--b\r\nContent-Disposition: form-data; name\r\n\r\nv\r\n--b--"),
               Contains("malformed Content-Disposition"));
    CHECK_THAT(err("--b\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nv\r\n--b--"),
               Contains("duplicate name"));
    CHECK_THAT(err("--b\r\n" + cd + cd + "\r\nv\r\n--b--"), Contains("duplicate Content-Disp"));
    CHECK_THAT(err("--b\r\n" + cd + "Content-Type: a\r\nContent-type: b\r\n\r\nv\r\n--b--"),
               Contains("duplicate Content-Type"));
    CHECK_THAT(err("--b\r\n" + cd + "no colon here\r\n\r\nv\r\n--b--"),
               Contains("malformed part header"));
    CHECK_THAT(err("--b\r\n" + cd + "Bad Name: x\r\n\r\nv\r\n--b--"),
               Contains("malformed part header"));
    CHECK_THAT(err("--b\r\n" + cd + ": x\r\n\r\nv\r\n--b--"), Contains("malformed part header"));
    CHECK_THAT(err("--b\r\n" + cd + "X-A: 1\r\n  folded\r\n\r\nv\r\n--b--"), Contains("folded"));
    CHECK_THAT(err("--b\r\n" + cd + "X-A: 1\rX-B: 2\r\n\r\nv\r\n--b--"), Contains("stray CR"));
    CHECK_THAT(err("--b\r\n" + cd + std::string("X-A: 1") + '\0' + "2\r\n\r\nv\r\n--b--"),
               Contains("NUL"));
    CHECK_THAT(err("--b\r\n" + cd + "X-A: \x01\r\n\r\nv\r\n--b--"), Contains("control char"));
  }
  SECTION("limits") {
    Limits limits;
    limits.max_header_bytes = 100;
    const std::string ok =
        "--b\r\n" + cd + "X: " + std::string(100 - cd.size() - 7, 'x') + "\r\n\r\nv\r\n--b--";
    CHECK(err(ok, limits).empty());
    const std::string big =
        "--b\r\n" + cd + "X: " + std::string(100 - cd.size() - 6, 'x') + "\r\n\r\nv\r\n--b--";
    CHECK_THAT(err(big, limits), Contains("part headers too large"));
    // An endless header line fails as soon as the limit is passed.
    Collector c;
    Parser p("b", c.callbacks(), limits);
    p.feed("--b\r\nX: ");
    CHECK_THROWS_WITH(p.feed(std::string(200, 'x')), Contains("part headers too large"));

    limits = Limits{};
    limits.max_parts = 2;
    const std::string part = cd + "\r\nv\r\n--b";
    CHECK(err("--b\r\n" + part + "\r\n" + part + "--", limits).empty());
    CHECK_THAT(err("--b\r\n" + part + "\r\n" + part + "\r\n" + part + "--", limits),
               Contains("too many parts"));
  }
}

TEST_CASE("a failed parser stays failed", "[multipart]") {
  Collector c;
  Parser p("b", c.callbacks());
  CHECK_THROWS_WITH(p.feed("--b\r\n\r\n"), Contains("no Content-Disposition"));
  CHECK_THROWS_WITH(p.feed("anything"), Contains("no Content-Disposition"));
  CHECK_THROWS_WITH(p.finish(), Contains("no Content-Disposition"));
  CHECK_FALSE(p.done());

  Parser q("b", c.callbacks());
  CHECK_THROWS_WITH(q.finish(), Contains("no opening boundary"));
  CHECK_THROWS_WITH(q.feed("--b--"), Contains("no opening boundary"));
}

TEST_CASE("exceptions from callbacks pass through unchanged", "[multipart]") {
  struct Stop : std::exception {
    const char* what() const noexcept override { return "stop"; }
  };
  const std::string body = one_part("b", "some data");
  for (int which = 0; which < 3; ++which) {
    Parser::Callbacks cb;
    cb.on_part_begin = [&](const PartHeaders&) {
      if (which == 0) throw Stop{};
    };
    cb.on_part_data = [&](std::string_view) {
      if (which == 1) throw Stop{};
    };
    cb.on_part_end = [&] {
      if (which == 2) throw Stop{};
    };
    Parser p("b", cb);
    CHECK_THROWS_AS(p.feed(body), Stop);
    CHECK_THROWS_AS(p.feed("x"), MultipartError);
    CHECK_THROWS_AS(p.finish(), MultipartError);
  }
  // Callbacks may be left empty.
  Parser p("b", {});
  p.feed(body);
  p.finish();
  CHECK(p.done());
}

namespace {

bool may_follow_boundary(char c) {
  return c == '-' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Inserts 'X' wherever the text would contain a delimiter: "\n--boundary" (or
// "--boundary" at its very start) followed by a byte that may continue a
// delimiter line, or by `next`, the byte after the text.
std::string make_unambiguous(std::string s, const std::string& boundary, char next) {
  const std::string needle = "\n--" + boundary;
  for (bool changed = true; changed;) {
    changed = false;
    const std::string aug = "\n" + s + next;
    for (std::size_t pos = aug.find(needle); pos != std::string::npos;
         pos = aug.find(needle, pos + 1)) {
      const std::size_t after = pos + needle.size();
      if (after < aug.size() && !may_follow_boundary(aug[after])) continue;
      s.insert(after - 1, 1, 'X');
      changed = true;
      break;
    }
  }
  return s;
}

struct Generator {
  std::mt19937_64 rng;

  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }

  std::string random_bytes(std::size_t n) {
    std::string s(n, '\0');
    for (char& c : s)
      c = static_cast<char>(below(256));
    return s;
  }

  std::string boundary() {
    static const std::string bchars =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=?";
    switch (below(6)) {
      case 0: {
        std::string b = "------------------------";
        for (int i = 0; i < 16; ++i)
          b += "0123456789abcdef"[below(16)];
        return b;
      }
      case 1: {
        std::string b = "----WebKitFormBoundary";
        for (int i = 0; i < 16; ++i)
          b += bchars[below(62)];
        return b;
      }
      case 2: {
        static const char* const tiny[] = {"a", "-", "--", "x-", "-x", "ab", "a b"};
        return tiny[below(7)];
      }
      default: {
        std::string b;
        const std::size_t n = 1 + below(70);
        for (std::size_t i = 0; i < n; ++i) {
          b += (i + 1 < n && chance(5)) ? ' ' : bchars[below(bchars.size())];
        }
        return b;
      }
    }
  }

  // Random binary data salted with pieces of delimiters.
  std::string payload(const std::string& b) {
    std::string s;
    const std::string delim = "\r\n--" + b;
    const std::size_t segments = chance(10) ? 0 : 1 + below(12);
    for (std::size_t i = 0; i < segments; ++i) {
      switch (below(11)) {
        case 0:
          s += random_bytes(below(64));
          break;
        case 1:
          s += random_bytes(chance(10) ? below(20000) : below(600));
          break;
        case 2: {
          const std::size_t from = below(b.size());
          s += b.substr(from, 1 + below(b.size() - from));
          break;
        }
        case 3:
          s += "\r";
          break;
        case 4:
          s += "\n";
          break;
        case 5:
          s += "--";
          break;
        case 6:
          s += "\r\n";
          break;
        case 7:
          s += delim.substr(0, 1 + below(delim.size()));
          break;
        case 8:
          s += delim.substr(1, 1 + below(delim.size() - 1));
          break;
        case 9:
          s += "--" + b;
          break;
        default:
          s += delim + static_cast<char>(below(256));
          break;
      }
    }
    return s;
  }

  std::string text(std::size_t max) {
    static const char* const words[] = {"a", "file", "x y", "\xc3\xa4\xc3\xb6", "1", "_", "."};
    std::string s;
    const std::size_t n = 1 + below(max);
    for (std::size_t i = 0; i < n; ++i)
      s += words[below(7)];
    return s;
  }

  std::string random_case(std::string s) {
    for (char& c : s) {
      if (chance(50)) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return s;
  }
};

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string percent_encode(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.' || c == '_' || c == '-') {
      out += c;
    } else {
      out += '%';
      out += "0123456789ABCDEF"[u >> 4];
      out += "0123456789ABCDEF"[u & 15];
    }
  }
  return out;
}

struct Expected {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string payload;
  std::size_t begin = 0;  // offset of the payload in the body
};

struct Encoded {
  std::string boundary;
  std::string body;
  std::size_t close_end = 0;  // the body is complete from here on
  std::vector<Expected> parts;
};

Encoded make_body(Generator& g) {
  Encoded e;
  e.boundary = g.boundary();
  const std::string& b = e.boundary;
  const auto eol = [&] { return g.chance(10) ? "\n" : "\r\n"; };
  const auto padding = [&]() -> std::string {
    if (!g.chance(10)) return "";
    return std::string(1 + g.below(3), g.chance(50) ? ' ' : '\t');
  };
  if (g.chance(20)) e.body = make_unambiguous(g.payload(b), b, '\r') + "\r\n";
  const std::size_t n = 1 + g.below(5);
  for (std::size_t i = 0; i < n; ++i) {
    Expected part;
    part.name = g.text(3);
    if (g.chance(50)) part.filename = g.text(4) + (g.chance(50) ? "\"q\\.bin" : ".txt");
    if (g.chance(50)) part.content_type = g.chance(50) ? "application/octet-stream" : "text/plain";
    part.payload = make_unambiguous(g.payload(b), b, '\r');

    if (i > 0) {
      const bool lf_only =
          g.chance(10) && (e.parts.back().payload.empty() || e.parts.back().payload.back() != '\r');
      e.body += lf_only ? "\n" : "\r\n";
    }
    e.body += "--" + b + padding() + eol();
    std::string disposition =
        g.random_case("form-data") + "; " + g.random_case("name") + "=" + quote(part.name);
    if (part.filename) {
      if (g.chance(20)) {
        disposition +=
            "; filename=\"fallback\"; filename*=UTF-8''" + percent_encode(*part.filename);
      } else {
        disposition += "; filename=" + quote(*part.filename);
      }
    }
    std::vector<std::string> lines = {g.random_case("Content-Disposition") + ":" +
                                      (g.chance(50) ? " " : "") + disposition};
    if (!part.content_type.empty()) lines.push_back("Content-Type: " + part.content_type);
    if (g.chance(10)) lines.push_back("X-Extra: " + std::to_string(g.below(1000)));
    std::shuffle(lines.begin(), lines.end(), g.rng);
    for (const auto& l : lines)
      e.body += l + eol();
    e.body += eol();
    part.begin = e.body.size();
    e.body += part.payload;
    e.parts.push_back(std::move(part));
  }
  e.body += "\r\n--" + b + "--";
  e.close_end = e.body.size();
  if (g.chance(50)) e.body += "\r\n";
  if (g.chance(20)) e.body += g.payload(b);
  return e;
}

// Cuts [0, size) into chunks, in one of several styles.
std::vector<std::size_t> chunk_ends(Generator& g, std::size_t size) {
  std::vector<std::size_t> ends;
  const std::size_t style = g.below(5);
  if (style == 0) {
    ends.push_back(size);
  } else if (style == 1 && size < 40000) {
    for (std::size_t i = 1; i <= size; ++i)
      ends.push_back(i);
  } else if (style == 2 || style == 1) {
    for (std::size_t i = 0; i < size;)
      ends.push_back(i = std::min(size, i + 1 + g.below(16)));
  } else if (style == 3) {
    for (std::size_t i = 0; i < size;)
      ends.push_back(i = std::min(size, i + 1 + g.below(4096)));
  } else {
    const std::size_t cuts = g.below(6);
    for (std::size_t i = 0; i < cuts; ++i)
      ends.push_back(g.below(size + 1));
    ends.push_back(size);
    std::sort(ends.begin(), ends.end());
  }
  return ends;
}

}  // namespace

TEST_CASE("property: random bodies split at random points", "[multipart]") {
  std::size_t bodies = 0;
  std::size_t truncations = 0;
  for (const std::uint64_t seed : {1u, 2u, 3u, 4u}) {
    Generator g{std::mt19937_64(seed)};
    for (int iteration = 0; iteration < 500; ++iteration, ++bodies) {
      const Encoded e = make_body(g);
      INFO("seed " << seed << ", iteration " << iteration << ", boundary \"" << e.boundary << "\"");
      const std::size_t hold_max = e.boundary.size() + 4;

      // The whole body, chunked at random.
      {
        Collector c;
        Parser p(e.boundary, c.callbacks());
        std::size_t fed = 0;
        for (const std::size_t end : chunk_ends(g, e.body.size())) {
          p.feed(std::string_view(e.body).substr(fed, end - fed));
          fed = end;
          // Data is released promptly: at most boundary + 4 bytes are held back.
          std::size_t current = 0;
          while (current < e.parts.size() && e.parts[current].begin <= fed)
            ++current;
          if (current > 0 && fed < e.close_end) {
            const Expected& part = e.parts[current - 1];
            REQUIRE(c.parts.size() == current);
            const std::size_t available =
                std::min(fed, part.begin + part.payload.size()) - part.begin;
            REQUIRE(c.parts.back().data.size() + hold_max >= available);
          }
        }
        REQUIRE(p.done());
        p.finish();
        REQUIRE_FALSE(c.data_outside_part);
        REQUIRE(c.parts.size() == e.parts.size());
        for (std::size_t i = 0; i < e.parts.size(); ++i) {
          REQUIRE(c.parts[i].ended);
          REQUIRE(c.parts[i].headers.name == e.parts[i].name);
          REQUIRE(c.parts[i].headers.filename == e.parts[i].filename);
          REQUIRE(c.parts[i].headers.content_type == e.parts[i].content_type);
          REQUIRE(c.parts[i].data == e.parts[i].payload);
        }
      }

      // Truncated bodies always fail, and what was reported is a prefix.
      std::vector<std::size_t> cuts = {0, e.close_end - 1};
      for (int i = 0; i < 4; ++i)
        cuts.push_back(g.below(e.close_end));
      for (const std::size_t cut : cuts) {
        ++truncations;
        const std::string_view prefix = std::string_view(e.body).substr(0, cut);
        Collector c;
        Parser p(e.boundary, c.callbacks());
        const auto run = [&] {
          std::size_t fed = 0;
          for (const std::size_t end : chunk_ends(g, prefix.size())) {
            p.feed(prefix.substr(fed, end - fed));
            fed = end;
          }
          p.finish();
        };
        REQUIRE_THROWS_AS(run(), MultipartError);
        REQUIRE_FALSE(p.done());
        REQUIRE(c.parts.size() <= e.parts.size());
        for (std::size_t i = 0; i < c.parts.size(); ++i) {
          REQUIRE(c.parts[i].headers.name == e.parts[i].name);
          REQUIRE(e.parts[i].payload.substr(0, c.parts[i].data.size()) == c.parts[i].data);
        }
      }
    }
  }
  CHECK(bodies == 2000);
  CHECK(truncations == 2000 * 6);
}

TEST_CASE("throughput of a large part", "[.perf]") {
  const std::string boundary = "------------------------d74496d66958873e";
  constexpr std::size_t kChunk = 256 * 1024;
  constexpr std::size_t kTotal = 256u * 1024 * 1024;
  std::mt19937_64 rng(42);
  std::string binary(kChunk, '\0');
  for (char& c : binary)
    c = static_cast<char>(rng());
  // Text with 40-byte lines: a line feed every 40 bytes slows some searches.
  std::string text(kChunk, '\0');
  for (std::size_t i = 0; i < kChunk; ++i) {
    text[i] = i % 40 == 39 ? '\n' : static_cast<char>('a' + rng() % 26);
  }

  for (const auto& [what, chunk] : {std::pair<const char*, const std::string&>{"binary", binary},
                                    std::pair<const char*, const std::string&>{"text", text}}) {
    std::size_t received = 0;
    Parser::Callbacks cb;
    cb.on_part_data = [&](std::string_view d) { received += d.size(); };
    Parser p(boundary, cb);
    const auto start = std::chrono::steady_clock::now();
    p.feed("--" + boundary +
           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
           "Content-Type: application/octet-stream\r\n\r\n");
    for (std::size_t fed = 0; fed < kTotal; fed += kChunk)
      p.feed(chunk);
    p.feed("\r\n--" + boundary + "--\r\n");
    p.finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    REQUIRE(received == kTotal);
    std::cout << "multipart parser, " << what << ": " << static_cast<double>(kTotal) / 1e6 / seconds
              << " MB/s (256 MiB part in 256 KiB chunks)\n";
  }

  // For comparison: copying the same bytes out of a 256 KiB buffer.
  std::string sink(kChunk, '\0');
  std::uint64_t checksum = 0;
  const auto copy_start = std::chrono::steady_clock::now();
  for (std::size_t fed = 0; fed < kTotal; fed += kChunk) {
    std::memcpy(sink.data(), binary.data(), kChunk);
    checksum += static_cast<unsigned char>(sink[fed % kChunk]);
  }
  const double copy_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - copy_start).count();
  std::cout << "memcpy of the same: " << static_cast<double>(kTotal) / 1e6 / copy_seconds
            << " MB/s (checksum " << checksum << ")\n";
}
