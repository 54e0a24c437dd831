#include <catch2/catch.hpp>

#include <zlib.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "storage/mime.hpp"

namespace {

using amarcord::storage::is_active_content;
using amarcord::storage::sniff_mime_type;

std::string bytes(std::initializer_list<unsigned char> b) {
  return std::string(b.begin(), b.end());
}

// SOI, then an APP0/JFIF segment (length 16), as cameras write it.
std::string jpeg_head() {
  return bytes({0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J',  'F',  'I',  'F',  0x00, 0x01, 0x01,
                0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00});
}

// Signature plus the IHDR chunk of a 1x1 RGB image.
std::string png_head() {
  return bytes({0x89, 'P',  'N',  'G',  '\r', '\n', 0x1a, '\n', 0x00, 0x00, 0x00,
                0x0d, 'I',  'H',  'D',  'R',  0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
                0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde});
}

const std::string kText = "Sample 7: lysozyme, 20 mg/ml\nflow rate 2 ul/min\n";
const std::string kHtml =
    "<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body>"
    "</html>\n";
const std::string kSvg =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">"
    "<script>alert(1)</script></svg>\n";
const std::string kXhtml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
    "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>x</title></head>"
    "<body><script>alert(1)</script></body></html>\n";
const std::string kPdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";

std::string gzip_of(const std::string& data) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string zlib_of(const std::string& data) {
  uLongf len = compressBound(static_cast<uLong>(data.size()));
  std::string out(len, '\0');
  REQUIRE(compress2(reinterpret_cast<Bytef*>(out.data()), &len,
                    reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                    6) == Z_OK);
  out.resize(len);
  return out;
}

// Mappings of the compiled magic database: one per loaded libmagic cookie.
int magic_db_mappings() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int n = 0;
  while (std::getline(maps, line)) {
    if (line.find("magic.mgc") != std::string::npos) ++n;
  }
  return n;
}

struct Sample {
  std::string name;
  std::string data;
  std::string type;
};

std::vector<Sample> samples() {
  return {
      {"jpeg", jpeg_head(), "image/jpeg"},
      {"png", png_head(), "image/png"},
      {"text", kText, "text/plain"},
      {"html", kHtml, "text/html"},
      {"svg", kSvg, "image/svg+xml"},
      {"xhtml", kXhtml, "text/xml"},
      {"pdf", kPdf, "application/pdf"},
      {"gzip", gzip_of(std::string(2000, 'a')), "application/gzip"},
      {"zlib", zlib_of(std::string(2000, 'a')), "application/zlib"},
      {"empty", "", "application/x-empty"},
  };
}

}  // namespace

TEST_CASE("sniff_mime_type recognises common formats", "[storage]") {
  for (const auto& s : samples()) {
    INFO(s.name);
    CHECK(sniff_mime_type(s.data) == s.type);
  }
  CHECK(sniff_mime_type(bytes({0x00, 0x01, 0x02, 0x03, 0xfe, 0xff, 0x10, 0x80})) ==
        "application/octet-stream");
  CHECK(sniff_mime_type("h\xc3\xa9llo w\xc3\xb6rld\n") == "text/plain");
  CHECK(sniff_mime_type("{\"a\": 1, \"b\": [1, 2, 3]}\n") == "application/json");
}

TEST_CASE("sniff_mime_type quirks of libmagic", "[storage]") {
  // Documented so nobody is surprised: libmagic needs more than the magic
  // numbers for some formats.
  CHECK(sniff_mime_type(bytes({0xff, 0xd8, 0xff})) == "text/plain");
  CHECK(sniff_mime_type(bytes({0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})) ==
        "application/octet-stream");
  // JavaScript without a shebang reads as plain text.
  CHECK(sniff_mime_type("function f() { return 1; }\nvar x = f();\n") == "text/plain");
  CHECK(sniff_mime_type("#!/usr/bin/env node\nconsole.log(1)\n") == "application/javascript");
}

TEST_CASE("is_active_content flags types a browser would execute", "[storage]") {
  for (const auto& s : samples()) {
    const bool expected = s.name == "html" || s.name == "svg" || s.name == "xhtml";
    INFO(s.name << " " << sniff_mime_type(s.data));
    CHECK(is_active_content(sniff_mime_type(s.data)) == expected);
  }
  for (const char* t : {"text/html",
                        "application/xhtml+xml",
                        "image/svg+xml",
                        "text/xml",
                        "application/xml",
                        "text/javascript",
                        "application/javascript",
                        "application/x-javascript",
                        "text/ecmascript",
                        "application/ecmascript",
                        "application/rss+xml",
                        "application/xml-dtd",
                        "text/xsl",
                        "TEXT/HTML",
                        "text/html; charset=utf-8",
                        " image/SVG+XML ",
                        "application/x-shockwave-flash",
                        "",
                        "garbage",
                        "text/"}) {
    INFO(t);
    CHECK(is_active_content(t));
  }
  for (const char* t :
       {"text/plain", "image/jpeg", "image/png", "application/pdf", "application/octet-stream",
        "application/x-empty", "application/json", "application/gzip", "application/zlib",
        "text/csv", "text/x-shellscript", "text/plain; charset=us-ascii", "application/xmlfoo"}) {
    INFO(t);
    CHECK_FALSE(is_active_content(t));
  }
}

TEST_CASE("sniff_mime_type is safe to call from many threads", "[storage]") {
  const auto all = samples();
  const int mappings_before = magic_db_mappings();
  std::atomic<int> wrong{0};
  std::atomic<int> done{0};
  std::atomic<int> loaded{0};
  std::atomic<bool> release{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const auto& s = all[static_cast<std::size_t>(t + i) % all.size()];
        if (sniff_mime_type(s.data) != s.type) ++wrong;
        ++done;
      }
      ++loaded;
      while (!release)
        std::this_thread::yield();
    });
  }
  while (loaded < 8)
    std::this_thread::yield();
  // Every live thread holds its own loaded database.
  const int mappings_during = magic_db_mappings();
  release = true;
  for (auto& th : threads)
    th.join();
  CHECK(done == 8 * 200);
  CHECK(wrong == 0);
  CHECK(mappings_during >= mappings_before + 8);
  // Each thread's cookie was closed when the thread ended.
  CHECK(magic_db_mappings() == mappings_before);
}
