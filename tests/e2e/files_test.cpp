// /api/files end to end, on the engine named by AMARCORD_TEST_ENGINE
// (api-runs-events-files.md §6: F1 multipart upload, F2 raw upload, F5
// delete, F6 download), with the port's decisions: blobs live uncompressed in
// the content-addressed store DATA_DIR/files/ab/cdef..., downloads carry
// ETag/Range support and a safe Content-Disposition, and rows of an adopted
// original database are served from File.contents (raw or zlib).
//
// [files][large] streams 200 MiB through the server and checks that its peak
// RSS stays small.
#include <soci/soci.h>
#include <zlib.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "storage/sha256.hpp"
#include "support/fixtures.hpp"

using namespace amarcord::test;
namespace json = boost::json;
namespace fs = std::filesystem;
using amarcord::storage::sha256_hex;

namespace {

// ---- requests ----------------------------------------------------------------

// Every answer of the server must be a real answer and never a 5xx.
HttpResult checked(HttpResult r) {
  INFO("status " << r.status << ", body: " << r.body.substr(0, 2000));
  REQUIRE(r.status != 0);
  REQUIRE(r.status < 500);
  return r;
}

const std::string kBoundary = "----amarcordTestBoundary7MA4YWxkTrZu0gW";

struct Part {
  std::string name;
  std::optional<std::string> filename;  // the file part: filename="..."
  std::string data;
  std::string content_type;  // empty: no Content-Type line
  std::string disposition;   // overrides the whole Content-Disposition value
};

std::string multipart_body(const std::vector<Part>& parts, bool close = true) {
  std::string b;
  for (const auto& p : parts) {
    b += "--" + kBoundary + "\r\n";
    if (!p.disposition.empty()) {
      b += "Content-Disposition: " + p.disposition + "\r\n";
    } else {
      b += "Content-Disposition: form-data; name=\"" + p.name + "\"";
      if (p.filename) b += "; filename=\"" + *p.filename + "\"";
      b += "\r\n";
    }
    if (!p.content_type.empty()) b += "Content-Type: " + p.content_type + "\r\n";
    b += "\r\n" + p.data + "\r\n";
  }
  if (close) b += "--" + kBoundary + "--\r\n";
  return b;
}

std::string multipart_content_type() {
  return "multipart/form-data; boundary=" + kBoundary;
}

// The three (or four) fields of F1.
std::vector<Part> upload_form(const std::string& file_name, const std::string& data,
                              const std::string& description = "a description",
                              const std::string& deduplicate = "False",
                              std::optional<std::string> compress = std::nullopt) {
  std::vector<Part> parts{{"file", file_name, data, "application/octet-stream", ""},
                          {"description", std::nullopt, description, "", ""},
                          {"deduplicate", std::nullopt, deduplicate, "", ""}};
  if (compress) parts.push_back({"compress", std::nullopt, *compress, "", ""});
  return parts;
}

std::vector<Part> with_disposition(std::vector<Part> parts, const std::string& disposition) {
  parts[0].disposition = disposition;
  return parts;
}

std::string repeat_utf8(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

HttpResult post_multipart(HttpClient& c, const std::vector<Part>& parts, bool close = true) {
  return checked(c.request("POST", "/api/files", multipart_body(parts, close),
                           {{"Content-Type", multipart_content_type()}}));
}

// F1 with a valid form; requires 200 and returns the answer object.
json::object upload(HttpClient& c, const std::string& file_name, const std::string& data,
                    const std::string& description = "a description",
                    const std::string& deduplicate = "False") {
  auto r = post_multipart(c, upload_form(file_name, data, description, deduplicate));
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json().as_object();
}

long long upload_id(HttpClient& c, const std::string& file_name, const std::string& data) {
  return upload(c, file_name, data).at("id").as_int64();
}

// A hand-written request; chunked when `chunk` is given (in pieces of that
// size, like Python's urllib sending a file object), else with Content-Length.
std::string raw_request(const std::string& method, const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers,
                        const std::string& body, std::optional<std::size_t> chunk) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers)
    r += k + ": " + v + "\r\n";
  if (!chunk) {
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return r;
  }
  r += "Transfer-Encoding: chunked\r\n\r\n";
  for (std::size_t pos = 0; pos < body.size(); pos += *chunk) {
    const auto piece = body.substr(pos, *chunk);
    std::ostringstream size;
    size << std::hex << piece.size();
    r += size.str() + "\r\n" + piece + "\r\n";
  }
  return r + "0\r\n\r\n";
}

std::string file_url(long long id) {
  return "/api/files/" + std::to_string(id);
}

// ---- data --------------------------------------------------------------------

// A real 1x1 RGBA PNG.
std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}
const std::string kPng = from_hex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cf"
    "c0f01f00050001ff89993d1d0000000049454e44ae426082");
const std::string kPdf =
    "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
const std::string kPdb =
    "ATOM      1  N   MET A   1      11.104   6.134  -6.504  1.00  0.00           N\n";
const std::string kHtml =
    "<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body>"
    "</html>\n";
const std::string kSvg =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" "
    "height=\"10\"/></svg>\n";
const std::string kXml = "<?xml version=\"1.0\"?>\n<a>b</a>\n";

// Deterministic pseudo-random bytes (xorshift64*), NULs included.
class Prng {
 public:
  explicit Prng(std::uint64_t seed) : s_(seed | 1) {}
  void fill(char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 8) {
      s_ ^= s_ >> 12;
      s_ ^= s_ << 25;
      s_ ^= s_ >> 27;
      const std::uint64_t v = s_ * 0x2545F4914F6CDD1Dull;
      for (std::size_t k = 0; k < 8 && i + k < n; ++k)
        p[i + k] = static_cast<char>(v >> (8 * k));
    }
  }
  std::string bytes(std::size_t n) {
    std::string s(n, '\0');
    fill(s.data(), n);
    return s;
  }

 private:
  std::uint64_t s_;
};

// Binary data libmagic cannot name (application/octet-stream).
std::string binary_bytes(std::size_t n, std::uint64_t seed = 42) {
  std::string s = Prng(seed).bytes(n);
  for (std::size_t i = 0; i < s.size(); i += 7)
    s[i] = '\0';  // plenty of NULs
  return s;
}

// zlib stream as Python's zlib.compress(data) makes (level 6).
std::string zlib_compress(const std::string& data) {
  uLongf len = compressBound(static_cast<uLong>(data.size()));
  std::string out(len, '\0');
  const int rc =
      compress2(reinterpret_cast<Bytef*>(out.data()), &len,
                reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()), 6);
  REQUIRE(rc == Z_OK);
  out.resize(len);
  return out;
}

std::string to_hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// ---- the data directory and the database -------------------------------------

fs::path blob_path(const fs::path& data_dir, const std::string& sha) {
  return data_dir / "files" / sha.substr(0, 2) / sha.substr(2);
}

std::string read_whole_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t count_blobs(const fs::path& data_dir) {
  std::size_t n = 0;
  std::error_code ec;
  if (!fs::exists(data_dir / "files")) return 0;
  for (const auto& e : fs::recursive_directory_iterator(data_dir / "files", ec)) {
    if (e.is_regular_file()) ++n;
  }
  return n;
}

std::size_t count_temp_files(const fs::path& data_dir) {
  std::size_t n = 0;
  std::error_code ec;
  if (!fs::exists(data_dir / "tmp")) return 0;
  for (const auto& e : fs::directory_iterator(data_dir / "tmp", ec)) {
    (void)e;
    ++n;
  }
  return n;
}

// The temp file of a refused upload goes when the connection's upload sink
// does, which may be a moment after the answer (the server lingers on a
// closed connection); give it a few seconds.
std::size_t temp_files_after_settling(const fs::path& data_dir) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(6);
  while (count_temp_files(data_dir) != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return count_temp_files(data_dir);
}

long long count_file_rows(const TestDatabase& db) {
  auto s = db.connect();
  return query_int(*s, "SELECT COUNT(*) FROM \"File\"");
}

std::string file_column(const TestDatabase& db, long long id, const std::string& expr) {
  auto s = db.connect();
  return query_text(*s, "SELECT " + expr + " FROM \"File\" WHERE id = " + std::to_string(id));
}

long long file_int(const TestDatabase& db, long long id, const std::string& expr) {
  auto s = db.connect();
  return query_int(*s, "SELECT " + expr + " FROM \"File\" WHERE id = " + std::to_string(id));
}

// A row as the original AMARCORD server wrote it: the bytes in File.contents,
// raw or as a zlib stream (then size_in_bytes_compressed is its length).
long long insert_original_file(const TestDatabase& db, const std::string& file_name,
                               const std::string& type, const std::string& bytes, bool compress) {
  const std::string stored = compress ? zlib_compress(bytes) : bytes;
  const std::string hex = to_hex(stored);
  const std::string blob = db.engine() == amarcord::db::Backend::postgresql
                               ? "decode('" + hex + "', 'hex')"
                               : "X'" + hex + "'";
  const std::string compressed = compress ? std::to_string(stored.size()) : "NULL";
  auto s = db.connect();
  *s << "INSERT INTO \"File\" (type, file_name, size_in_bytes, original_path, sha256, modified, "
        "contents, description, size_in_bytes_compressed) VALUES ('" +
            type + "', '" + file_name + "', " + std::to_string(bytes.size()) +
            ", '/beamline/data/" + file_name + "', '" + sha256_hex(bytes) +
            "', '2024-05-01 12:00:00.000000', " + blob + ", 'from the original', " + compressed +
            ")";
  return query_int(*s, "SELECT id FROM \"File\" WHERE file_name = '" + file_name + "'");
}

// Checks the state after a refused upload: no row, no temp file, no blob.
void require_nothing_stored(const ServerOnFreshDb& server) {
  CHECK(count_file_rows(server.db) == 0);
  CHECK(temp_files_after_settling(server.data_dir) == 0);
  CHECK(count_blobs(server.data_dir) == 0);
}

// 422 with exactly these locs (in this order); returns the detail list.
json::array require_422_locs(const HttpResult& r, const std::vector<json::array>& locs) {
  INFO(r.body);
  REQUIRE(r.status == 422);
  const auto detail = r.json().at("detail").as_array();
  REQUIRE(detail.size() == locs.size());
  for (std::size_t i = 0; i < locs.size(); ++i)
    CHECK(detail[i].at("loc") == locs[i]);
  return detail;
}

long long vm_hwm_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmHWM:")) return std::stoll(line.substr(6));
  }
  FAIL("no VmHWM in /proc/" << pid << "/status");
  return -1;
}

}  // namespace

// ---- F1 --------------------------------------------------------------------------

TEST_CASE("F1 stores an upload and answers JsonCreateFileOutput", "[files]") {
  auto& server = shared_server();
  auto client = server.client();
  const std::string data = "hello notes\nline two\n";
  auto r = post_multipart(client, upload_form("notes.txt", data, "some notes", "False"));
  REQUIRE(r.status == 200);
  REQUIRE(r.header("content-type") == "application/json");
  const auto id = r.json().at("id").as_int64();
  CHECK(id > 0);
  // Key order as the original; size_in_bytes_compressed always present and
  // null (blobs are stored uncompressed), original_path omitted.
  CHECK(r.body == "{\"id\":" + std::to_string(id) +
                      ",\"file_name\":\"notes.txt\",\"description\":\"some notes\",\"type_\":"
                      "\"text/plain\",\"size_in_bytes\":" +
                      std::to_string(data.size()) + ",\"size_in_bytes_compressed\":null}");

  // The row: sha256 of the bytes, no compressed size, no original path.
  const auto sha = sha256_hex(data);
  CHECK(file_column(server.db, id, "sha256") == sha);
  CHECK(file_column(server.db, id, "type") == "text/plain");
  CHECK(file_column(server.db, id, "file_name") == "notes.txt");
  CHECK(file_column(server.db, id, "description") == "some notes");
  CHECK(file_int(server.db, id, "size_in_bytes") == static_cast<long long>(data.size()));
  CHECK(file_int(server.db, id, "CASE WHEN size_in_bytes_compressed IS NULL THEN 1 ELSE 0 END") ==
        1);
  CHECK(file_int(server.db, id, "CASE WHEN original_path IS NULL THEN 1 ELSE 0 END") == 1);

  // The blob: DATA_DIR/files/ab/cdef..., the bytes as uploaded.
  const auto blob = blob_path(server.data_dir, sha);
  REQUIRE(fs::is_regular_file(blob));
  CHECK(read_whole_file(blob) == data);

  auto got = checked(client.get(file_url(id)));
  REQUIRE(got.status == 200);
  CHECK(got.body == data);
  CHECK(got.header("content-type") == "text/plain; charset=utf-8");
}

TEST_CASE("F1 sniffs the type from the content and ignores the client's", "[files]") {
  auto client = shared_server().client();
  struct Case {
    std::string name, data, type;
  };
  const std::vector<Case> cases = {
      {"text.png", "just some text\n", "text/plain"},
      {"pixel.png", kPng, "image/png"},
      {"paper.bin", kPdf, "application/pdf"},
      {"data.bin", binary_bytes(5000), "application/octet-stream"},
      {"page.html", kHtml, "text/html"},
      {"empty.txt", "", "application/x-empty"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto parts = upload_form(c.name, c.data);
    parts[0].content_type = "image/png";  // a lie the server must not believe
    auto r = post_multipart(client, parts);
    REQUIRE(r.status == 200);
    CHECK(r.json().at("type_") == c.type.c_str());
    CHECK(r.json().at("size_in_bytes").as_int64() == static_cast<long long>(c.data.size()));
    auto got = checked(client.get(file_url(r.json().at("id").as_int64())));
    REQUIRE(got.status == 200);
    CHECK(got.body == c.data);
  }
}

TEST_CASE("F1 names and descriptions are stored verbatim", "[files]") {
  auto& server = shared_server();
  auto client = server.client();
  const std::string name = "Lysozym \xC3\xA4 \xE2\x82\xAC (copy) #2.txt";
  const std::string description = "caf\xC3\xA9 \"quoted\" \\ tab\tdone";
  auto r = upload(client, name, "unicode name\n", description);
  CHECK(r.at("file_name").as_string() == name);
  CHECK(r.at("description").as_string() == description);
  const auto id = r.at("id").as_int64();
  CHECK(file_column(server.db, id, "file_name") == name);
  CHECK(file_column(server.db, id, "description") == description);
  // An empty description is a description.
  auto empty = upload(client, "nodesc.txt", "x\n", "");
  CHECK(empty.at("description") == "");
  // Four-byte UTF-8 and the longest description (255 characters, two bytes
  // each) fit the VARCHAR(255) columns of every engine.
  const std::string emoji = "\xF0\x9F\xA7\xAA crystal \xF0\x9F\x92\x8E.txt";
  const std::string long_description = repeat_utf8("\xC3\xA9", 255);
  auto wide = upload(client, emoji, "emoji\n", long_description);
  CHECK(wide.at("file_name").as_string() == emoji);
  CHECK(wide.at("description").as_string() == long_description);
  CHECK(file_column(server.db, wide.at("id").as_int64(), "description") == long_description);
  // The file part may come last, and the boundary may be quoted.
  {
    auto parts = upload_form("last.txt", "file part last\n", "d", "False");
    std::rotate(parts.begin(), parts.begin() + 1, parts.end());
    auto last = post_multipart(client, parts);
    REQUIRE(last.status == 200);
    CHECK(last.json().at("file_name") == "last.txt");
    CHECK(checked(client.get(file_url(last.json().at("id").as_int64()))).body ==
          "file part last\n");
    auto quoted = checked(
        client.request("POST", "/api/files", multipart_body(upload_form("quoted.txt", "q\n")),
                       {{"Content-Type", "multipart/form-data; boundary=\"" + kBoundary + "\""}}));
    CHECK(quoted.status == 200);
  }
  // The optional compress field accepts its three values; the blob is stored
  // uncompressed whatever it says.
  for (const char* mode : {"auto", "on", "off"}) {
    INFO(mode);
    const std::string data = std::string(3000, 'z') + mode;
    auto c = post_multipart(client, upload_form("c.txt", data, "d", "False", mode));
    REQUIRE(c.status == 200);
    CHECK(c.json().at("size_in_bytes_compressed").is_null());
    CHECK(read_whole_file(blob_path(server.data_dir, sha256_hex(data))) == data);
  }
}

TEST_CASE("F1 names and descriptions that are not UTF-8", "[files]") {
  auto client = shared_server().client();
  // Refused, or stored so that the answer is still valid UTF-8 JSON.
  for (const auto& [name, description] : std::vector<std::pair<std::string, std::string>>{
           {"bad\xff\xfe name.txt", "a description"},
           {"latin1-\xe4.txt", "a description"},
           {"good.txt", "caf\xe9"},
       }) {
    INFO("name " << name << ", description " << description);
    auto r = client.request("POST", "/api/files",
                            multipart_body(upload_form(name, "latin-1\n", description)),
                            {{"Content-Type", multipart_content_type()}});
    INFO("status " << r.status << ", body " << r.body);
    CHECK((r.status == 200 || r.status == 422));
    CHECK(is_valid_utf8(r.body));
  }
}

TEST_CASE("F1 de-duplicates only for the exact text True", "[files]") {
  auto& server = shared_server();
  auto client = server.client();
  const std::string data = "dedup content " + std::to_string(std::time(nullptr)) + "\n";
  const auto sha = sha256_hex(data);
  auto first = upload(client, "same.txt", data, "first", "False");
  const auto id = first.at("id").as_int64();

  // "True": the existing row (its own description), nothing inserted.
  auto again = upload(client, "same.txt", data, "second", "True");
  CHECK(again.at("id").as_int64() == id);
  CHECK(again.at("description") == "first");
  CHECK(json::serialize(again) == json::serialize(first));
  {
    auto s = server.db.connect();
    CHECK(query_int(*s, "SELECT COUNT(*) FROM \"File\" WHERE sha256 = '" + sha + "'") == 1);
  }
  // Anything but "True" inserts a new row.
  for (const char* no : {"true", "1", "False", "TRUE", "yes"}) {
    INFO(no);
    CHECK(upload(client, "same.txt", data, "no", no).at("id").as_int64() > id);
  }
  // "True" needs the same name as well as the same bytes.
  const auto other_name = upload(client, "other.txt", data, "o", "True").at("id").as_int64();
  CHECK(other_name != id);
  const auto other_bytes =
      upload(client, "same.txt", data + "more", "b", "True").at("id").as_int64();
  CHECK(other_bytes != id);
  // Several rows, one blob.
  CHECK(fs::is_regular_file(blob_path(server.data_dir, sha)));
  auto s = server.db.connect();
  CHECK(query_int(*s, "SELECT COUNT(*) FROM \"File\" WHERE sha256 = '" + sha + "'") == 7);
}

TEST_CASE("F1 refused uploads are 4xx and leave nothing behind", "[files]") {
  ServerOnFreshDb server({"--max-upload-size", "64KiB"});
  auto client = server.client();
  const std::string data = "refused\n";

  // Each field missing on its own.
  {
    auto parts = upload_form("a.txt", data);
    parts.erase(parts.begin() + 1);
    auto d = require_422_locs(post_multipart(client, parts), {{"body", "description"}});
    CHECK(d[0].at("type") == "missing");
    CHECK(d[0].at("msg") == "Field required");
  }
  {
    auto parts = upload_form("a.txt", data);
    parts.erase(parts.begin() + 2);
    auto d = require_422_locs(post_multipart(client, parts), {{"body", "deduplicate"}});
    CHECK(d[0].at("type") == "missing");
  }
  {
    auto parts = upload_form("a.txt", data);
    parts.erase(parts.begin());
    auto d = require_422_locs(post_multipart(client, parts), {{"body", "file"}});
    CHECK(d[0].at("type") == "missing");
  }
  // All of them: an empty form.
  require_422_locs(post_multipart(client, {}),
                   {{"body", "file"}, {"body", "description"}, {"body", "deduplicate"}});
  require_nothing_stored(server);

  // A `file` part without a filename is a text field, not a file.
  {
    auto parts = upload_form("a.txt", data);
    parts[0].filename.reset();
    require_422_locs(post_multipart(client, parts), {{"body", "file"}});
  }
  // compress must be auto, on or off.
  {
    require_422_locs(post_multipart(client, upload_form("a.txt", data, "d", "False", "bananas")),
                     {{"body", "compress"}});
  }
  require_nothing_stored(server);

  // File names that are paths, control characters or dot names, or longer
  // than 255 characters.
  for (const std::string& bad : std::vector<std::string>{
           "a/b.txt", "../etc/passwd", "/abs.txt", "a\\\\b.txt", "C:\\Users\\x.txt",
           "tab\tname.txt", ".", "..", "", std::string(256, 'n'), repeat_utf8("\xC3\xA4", 256)}) {
    INFO("file name: " << bad);
    auto d = require_422_locs(post_multipart(client, upload_form(bad, data)), {{"body", "file"}});
    CHECK((d[0].at("type") == "value_error" || d[0].at("type") == "string_too_long"));
  }
  // The RFC 5987 form of names with a slash or a dot name.
  for (const std::string encoded : {"a%2Fb.txt", "%2E%2E", "a%5Cb.txt"}) {
    INFO("filename*: " << encoded);
    const auto parts = with_disposition(upload_form("unused", data),
                                        "form-data; name=\"file\"; filename*=UTF-8''" + encoded);
    auto d = require_422_locs(post_multipart(client, parts), {{"body", "file"}});
    CHECK(d[0].at("type") == "value_error");
  }
  require_nothing_stored(server);
  // Other control characters: refused, as a malformed part header (400) or
  // as a bad name (422).
  for (const std::string disposition : {"form-data; name=\"file\"; filename=\"bell\x01.txt\"",
                                        "form-data; name=\"file\"; filename=\"del\x7f.txt\"",
                                        "form-data; name=\"file\"; filename*=UTF-8''bell%01.txt",
                                        "form-data; name=\"file\"; filename*=UTF-8''new%0Aline.txt",
                                        "form-data; name=\"file\"; filename*=UTF-8''del%7F.txt"}) {
    INFO("Content-Disposition: " << disposition);
    auto r = post_multipart(client, with_disposition(upload_form("unused", data), disposition));
    INFO(r.body);
    CHECK((r.status == 400 || r.status == 422));
  }
  // The longest names are fine (255 characters, also of two bytes each).
  {
    auto& ok_server = shared_server();
    auto ok_client = ok_server.client();
    CHECK(upload(ok_client, std::string(255, 'n'), data).at("file_name").as_string().size() == 255);
    CHECK(
        upload(ok_client, repeat_utf8("\xC3\xA4", 255), data).at("file_name").as_string().size() ==
        510);
  }
  require_nothing_stored(server);

  // Not multipart at all: the three fields are missing.
  for (const std::string type : {"application/json", "application/x-www-form-urlencoded",
                                 "text/plain", "multipart/form-data"}) {
    INFO("content type: " << type);
    auto r = checked(
        client.request("POST", "/api/files", "{\"description\": \"x\"}", {{"Content-Type", type}}));
    auto d =
        require_422_locs(r, {{"body", "file"}, {"body", "description"}, {"body", "deduplicate"}});
    for (const auto& e : d)
      CHECK(e.at("type") == "missing");
  }
  {
    auto r = checked(client.request("POST", "/api/files", ""));
    require_422_locs(r, {{"body", "file"}, {"body", "description"}, {"body", "deduplicate"}});
  }
  require_nothing_stored(server);
}

TEST_CASE("F1 descriptions: at most 255 characters, no NUL", "[files]") {
  ServerOnFreshDb server;
  auto client = server.client();
  for (const std::string& bad : std::vector<std::string>{
           std::string(256, 'd'), repeat_utf8("\xC3\xA9", 256), std::string(1000, 'd'),
           std::string(2000, 'd'), std::string("nul\0byte", 8)}) {
    INFO("description of " << bad.size() << " bytes");
    auto r =
        client.request("POST", "/api/files", multipart_body(upload_form("a.txt", "refused\n", bad)),
                       {{"Content-Type", multipart_content_type()}});
    INFO("status " << r.status << ", body " << r.body.substr(0, 300));
    CHECK(r.status == 422);
    if (r.status == 422) {
      CHECK(r.json().at("detail").at(0).at("loc") == json::array{"body", "description"});
    }
  }
  require_nothing_stored(server);
}

TEST_CASE("F1 malformed multipart bodies are 400", "[files]") {
  ServerOnFreshDb server;
  auto client = server.client();
  auto require_400 = [](const HttpResult& r) {
    INFO(r.body);
    REQUIRE(r.status == 400);
    const auto detail = r.json().at("detail");
    REQUIRE(detail.is_string());
    CHECK(std::string(detail.as_string()).starts_with("malformed multipart body: "));
  };
  // No closing boundary, with the file part cut short.
  {
    auto parts = upload_form("cut.txt", std::string(100000, 'c'));
    std::swap(parts[0], parts[2]);  // the file part last
    std::string body = multipart_body(parts, false);
    body.resize(body.size() - 5000);
    require_400(checked(
        client.request("POST", "/api/files", body, {{"Content-Type", multipart_content_type()}})));
  }
  // Complete parts but no closing boundary.
  require_400(post_multipart(client, upload_form("open.txt", "abc"), false));
  // Garbage instead of parts.
  require_400(checked(client.request("POST", "/api/files", "this is not a multipart body\r\n",
                                     {{"Content-Type", multipart_content_type()}})));
  // A part header line without a colon.
  require_400(checked(client.request(
      "POST", "/api/files",
      "--" + kBoundary + "\r\nthis line is no header\r\n\r\ndata\r\n--" + kBoundary + "--\r\n",
      {{"Content-Type", multipart_content_type()}})));
  // Junk after a delimiter.
  require_400(checked(client.request(
      "POST", "/api/files",
      "--" + kBoundary +
          " junk\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nx\r\n--" +
          kBoundary + "--\r\n",
      {{"Content-Type", multipart_content_type()}})));
  // The same, chunked.
  {
    auto body = multipart_body(upload_form("chunked.txt", std::string(50000, 'x')), false);
    auto r = checked(client.raw(raw_request(
        "POST", "/api/files", {{"Content-Type", multipart_content_type()}}, body, 4096)));
    require_400(r);
  }
  require_nothing_stored(server);
  // The server is fine afterwards.
  CHECK(upload(client, "fine.txt", "fine\n").at("id").as_int64() > 0);
}

TEST_CASE("uploads over --max-upload-size are 413 and leave nothing behind", "[files]") {
  ServerOnFreshDb server({"--max-upload-size", "64KiB"});
  auto client = server.client();
  auto require_413 = [](const HttpResult& r) {
    INFO(r.body);
    REQUIRE(r.status == 413);
    CHECK(r.header("content-type") == "application/json");
    CHECK(r.json().at("detail").is_string());
  };
  const std::string big = binary_bytes(200 * 1024);
  const auto multipart = multipart_body(upload_form("big.bin", big));
  // F1 with Content-Length: refused before the body is read.
  require_413(checked(client.request("POST", "/api/files", multipart,
                                     {{"Content-Type", multipart_content_type()}})));
  // F1 chunked: refused while streaming.
  require_413(checked(client.raw(raw_request(
      "POST", "/api/files", {{"Content-Type", multipart_content_type()}}, multipart, 16384))));
  // F2 both ways.
  require_413(checked(client.request("POST", "/api/files/simple/bin", big,
                                     {{"Content-Type", "application/octet-stream"}})));
  require_413(checked(
      client.raw(raw_request("POST", "/api/files/simple/bin",
                             {{"Content-Type", "application/x-www-form-urlencoded"}}, big, 8192))));
  require_nothing_stored(server);

  // Just under the limit is fine.
  const std::string fits = binary_bytes(60 * 1024, 7);
  auto ok = checked(client.request("POST", "/api/files/simple/bin", fits,
                                   {{"Content-Type", "application/octet-stream"}}));
  REQUIRE(ok.status == 200);
  CHECK(ok.json().at("size_in_bytes").as_int64() == 60 * 1024);
  CHECK(count_file_rows(server.db) == 1);
  CHECK(count_blobs(server.data_dir) == 1);
  CHECK(temp_files_after_settling(server.data_dir) == 0);
}

TEST_CASE("a client that goes away in the middle of an upload leaves nothing behind", "[files]") {
  ServerOnFreshDb server;
  // The server hands the body to the upload in pieces of 256 KiB, so send
  // more than that before going away.
  const std::size_t size = 1 << 20, sent = 600 * 1024;
  auto wait_for_temp_file = [&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (count_temp_files(server.data_dir) == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return count_temp_files(server.data_dir);
  };
  {
    RawConnection conn(server.server->port());
    conn.send("POST /api/files/simple/bin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
              std::to_string(size) + "\r\n\r\n" + binary_bytes(sent));
    CHECK(wait_for_temp_file() == 1);  // the upload is under way
  }
  require_nothing_stored(server);
  {
    const auto body = multipart_body(upload_form("gone.bin", binary_bytes(size)));
    RawConnection conn(server.server->port());
    conn.send(
        "POST /api/files HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + multipart_content_type() +
        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, sent));
    CHECK(wait_for_temp_file() == 1);
  }
  require_nothing_stored(server);
  {
    // Chunked, cut in the middle of a chunk.
    std::string request =
        raw_request("POST", "/api/files/simple/bin", {}, binary_bytes(size), 64 * 1024);
    RawConnection conn(server.server->port());
    conn.send(request.substr(0, sent));
    CHECK(wait_for_temp_file() == 1);
  }
  require_nothing_stored(server);
  // The server is fine afterwards.
  auto client = server.client();
  CHECK(upload(client, "after.txt", "after\n").at("id").as_int64() > 0);
}

// ---- F2 --------------------------------------------------------------------------

TEST_CASE("F2 stores a raw body sent chunked with a form content type", "[files]") {
  auto& server = shared_server();
  auto client = server.client();
  const std::regex uuid_name(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\.mtz$");
  // Looks like a form, must be stored as bytes (Python urllib sends a file
  // object chunked with Content-Type application/x-www-form-urlencoded).
  const std::string data = "a=b&c=d%20e&f\nsecond=line\n" + std::string(100000, 'q');
  auto r = checked(client.raw(raw_request(
      "POST", "/api/files/simple/mtz",
      {{"Content-Type", "application/x-www-form-urlencoded"}, {"User-Agent", "Python-urllib/3.11"}},
      data, 8192)));
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto o = r.json().as_object();
  const std::string name(o.at("file_name").as_string());
  CHECK(std::regex_match(name, uuid_name));
  CHECK(o.at("description") == "");
  CHECK(o.at("type_") == "text/plain");
  CHECK(o.at("size_in_bytes").as_int64() == static_cast<long long>(data.size()));
  CHECK(o.contains("size_in_bytes_compressed"));
  CHECK(o.at("size_in_bytes_compressed").is_null());
  CHECK_FALSE(o.contains("original_path"));
  CHECK(r.body.find("\"description\":\"\"") != std::string::npos);
  const auto id = o.at("id").as_int64();
  CHECK(file_column(server.db, id, "sha256") == sha256_hex(data));
  CHECK(file_column(server.db, id, "description") == "");
  auto got = checked(client.get(file_url(id)));
  REQUIRE(got.status == 200);
  CHECK(got.body == data);

  // Two uploads get two names.
  auto second = checked(
      client.raw(raw_request("POST", "/api/files/simple/mtz",
                             {{"Content-Type", "application/x-www-form-urlencoded"}}, data, 8192)));
  REQUIRE(second.status == 200);
  CHECK(second.json().at("file_name") != o.at("file_name"));
  CHECK(second.json().at("id").as_int64() != id);
}

TEST_CASE("F2 with Content-Length, binary and empty bodies, dotted extensions", "[files]") {
  auto client = shared_server().client();
  const std::string data = binary_bytes(300000, 3);
  auto r = checked(client.request("POST", "/api/files/simple/tar.gz", data,
                                  {{"Content-Type", "application/octet-stream"}}));
  REQUIRE(r.status == 200);
  CHECK(std::string(r.json().at("file_name").as_string()).ends_with(".tar.gz"));
  CHECK(r.json().at("type_") == "application/octet-stream");
  auto got = checked(client.get(file_url(r.json().at("id").as_int64())));
  CHECK(got.body == data);

  auto empty = checked(client.raw(
      raw_request("POST", "/api/files/simple/log", {{"Content-Type", "text/plain"}}, "", 1024)));
  REQUIRE(empty.status == 200);
  CHECK(empty.json().at("size_in_bytes").as_int64() == 0);
  auto got_empty = checked(client.get(file_url(empty.json().at("id").as_int64())));
  CHECK(got_empty.status == 200);
  CHECK(got_empty.body.empty());

  const std::string ext32(32, 'e');
  auto longest = checked(client.request("POST", "/api/files/simple/" + ext32, "x"));
  REQUIRE(longest.status == 200);
  CHECK(std::string(longest.json().at("file_name").as_string()).ends_with("." + ext32));
  auto mixed = checked(client.request("POST", "/api/files/simple/Stream_1-a.h5", "x"));
  CHECK(mixed.status == 200);
}

TEST_CASE("F2 refuses bad extensions and stores nothing", "[files]") {
  ServerOnFreshDb server;
  auto client = server.client();
  auto post = [&](const std::string& ext) {
    return checked(client.raw(raw_request("POST", "/api/files/simple/" + ext,
                                          {{"Content-Type", "application/x-www-form-urlencoded"}},
                                          "payload\n", 4)));
  };
  for (const std::string& ext :
       std::vector<std::string>{".hidden", std::string(40, 'x'), std::string(33, 'x'), "%C3%A4",
                                "a%20b", "a%5Cb", "..", ".", "%2E%2E", "a%3Bb", "a%22b"}) {
    INFO("extension: " << ext);
    auto d = require_422_locs(post(ext), {{"path", "extension"}});
    CHECK(d[0].at("type") == "value_error");
  }
  // An empty extension or one with an encoded slash does not reach the
  // route: the path has no such segment (as in Starlette, "/simple/" is
  // redirected to "/simple", and %2F is decoded before routing).
  for (const std::string& ext : std::vector<std::string>{"", "a%2Fb"}) {
    INFO("extension: " << ext);
    auto r = post(ext);
    INFO(r.body);
    CHECK(r.status >= 300);
    CHECK(r.status != 200);
  }
  require_nothing_stored(server);
}

// ---- F5 --------------------------------------------------------------------------

TEST_CASE("F5 deletes a file; unknown ids answer the same", "[files]") {
  auto& server = shared_server();
  auto client = server.client();
  const auto id = upload_id(client, "delete-me.txt", "to be deleted\n");
  REQUIRE(checked(client.get(file_url(id))).status == 200);

  auto del = checked(client.del("/api/files", json::object{{"id", id}}));
  REQUIRE(del.status == 200);
  CHECK(del.body == "{\"id\":" + std::to_string(id) + "}");
  {
    auto s = server.db.connect();
    CHECK(query_int(*s, "SELECT COUNT(*) FROM \"File\" WHERE id = " + std::to_string(id)) == 0);
  }
  auto gone = checked(client.get(file_url(id)));
  CHECK(gone.status == 404);
  CHECK(gone.json() ==
        json::parse("{\"detail\":\"file with id " + std::to_string(id) + " not found\"}"));
  // Again, and an id that never existed.
  auto again = checked(client.del("/api/files", json::object{{"id", id}}));
  CHECK(again.status == 200);
  CHECK(again.json().at("id").as_int64() == id);
  auto unknown = checked(client.del("/api/files", json::object{{"id", 987654321}}));
  CHECK(unknown.status == 200);
  CHECK(unknown.body == "{\"id\":987654321}");
  // No id.
  auto missing = checked(client.del("/api/files", json::object{}));
  require_422_locs(missing, {{"body", "id"}});
}

TEST_CASE("F5 deleting a file unlinks it from its chemical", "[files]") {
  ServerOnFreshDb server;
  auto client = server.client();
  const auto bt =
      checked(client.post("/api/beamtimes", beamtime_body("files"))).json().at("id").as_int64();
  const auto keep = upload_id(client, "keep.txt", "keep\n");
  const auto drop = upload_id(client, "drop.txt", "drop\n");
  auto chem =
      checked(client.post("/api/chemicals", json::object{{"beamtime_id", bt},
                                                         {"name", "lyso"},
                                                         {"responsible_person", "me"},
                                                         {"chemical_type", "crystal"},
                                                         {"attributi", json::array{}},
                                                         {"file_ids", json::array{keep, drop}}}));
  REQUIRE(chem.status == 200);
  auto files_of_chemical = [&] {
    auto list = checked(client.get("/api/chemicals/" + std::to_string(bt)));
    REQUIRE(list.status == 200);
    std::vector<long long> ids;
    const auto body = list.json();
    for (const auto& f : body.at("chemicals").at(0).at("files").as_array())
      ids.push_back(f.at("id").as_int64());
    return ids;
  };
  CHECK(files_of_chemical() == std::vector<long long>{keep, drop});
  REQUIRE(checked(client.del("/api/files", json::object{{"id", drop}})).status == 200);
  CHECK(files_of_chemical() == std::vector<long long>{keep});
  auto s = server.db.connect();
  CHECK(query_int(*s, "SELECT COUNT(*) FROM \"ChemicalHasFile\" WHERE file_id = " +
                          std::to_string(drop)) == 0);
}

// ---- F6 --------------------------------------------------------------------------

TEST_CASE("F6 unknown ids are 404, ids must be integers", "[files]") {
  auto client = shared_server().client();
  auto r = checked(client.get("/api/files/999999999"));
  REQUIRE(r.status == 404);
  CHECK(r.json() == json::parse("{\"detail\":\"file with id 999999999 not found\"}"));
  auto head = checked(client.request("HEAD", "/api/files/999999999"));
  CHECK(head.status == 404);
  CHECK(head.body.empty());
  auto bad = checked(client.get("/api/files/abc"));
  CHECK(bad.status == 422);
}

TEST_CASE("F6 Content-Type and Content-Disposition", "[files]") {
  auto client = shared_server().client();
  struct Case {
    std::string name, data, content_type;
    bool attachment;
  };
  const std::vector<Case> cases = {
      {"notes.txt", "plain text\n", "text/plain; charset=utf-8", false},
      {"model.pdb", kPdb, "text/plain; charset=utf-8", true},
      {"model.cif", "data_test\n_cell.length_a 79.1\n", "text/plain; charset=utf-8", true},
      {"model.pdb.txt", kPdb, "text/plain; charset=utf-8", false},  // last extension counts
      {"pixel.png", kPng, "image/png", false},
      {"paper.pdf", kPdf, "application/pdf", false},
      {"data.bin", binary_bytes(4096, 9), "application/octet-stream", true},
      {"page.html", kHtml, "text/html; charset=utf-8", true},
      {"drawing.svg", kSvg, "image/svg+xml", true},  // an image, but active content
      {"doc.xml", kXml, "text/xml; charset=utf-8", true},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto id = upload_id(client, c.name, c.data);
    auto r = checked(client.get(file_url(id)));
    REQUIRE(r.status == 200);
    CHECK(r.body == c.data);
    CHECK(r.header("content-type") == c.content_type);
    CHECK(r.header("x-content-type-options") == "nosniff");
    CHECK(r.header("etag") == "\"" + sha256_hex(c.data) + "\"");
    CHECK(r.header("accept-ranges") == "bytes");
    if (!c.attachment) {
      CHECK(r.header("content-disposition").empty());
    }
  }
  // The exact header forms.
  const auto pdb = upload_id(client, "model.pdb", kPdb);
  CHECK(checked(client.get(file_url(pdb))).header("content-disposition") ==
        "attachment; filename=\"model.pdb\"; filename*=UTF-8''model.pdb");
  // A name with a quote (sent as a quoted-pair) and a backslash.
  auto quoted = post_multipart(
      client, with_disposition(upload_form("", binary_bytes(100, 10)),
                               "form-data; name=\"file\"; filename=\"a\\\"quote.bin\""));
  REQUIRE(quoted.status == 200);
  CHECK(quoted.json().at("file_name") == "a\"quote.bin");
  CHECK(checked(client.get(file_url(quoted.json().at("id").as_int64())))
            .header("content-disposition") ==
        "attachment; filename=\"a_quote.bin\"; filename*=UTF-8''a%22quote.bin");
  const auto bin0 = upload_id(client, "plain.bin", binary_bytes(100, 12));
  CHECK(checked(client.get(file_url(bin0) + "?suggested_name=x%5C%22y%3B%0D%0Az.bin"))
            .header("content-disposition") ==
        "attachment; filename=\"x__y;__z.bin\"; filename*=UTF-8''x%5C%22y%3B%0D%0Az.bin");
  const auto html = upload_id(client, "page.html", kHtml);
  CHECK(checked(client.get(file_url(html))).header("content-disposition") ==
        "attachment; filename=\"page.html\"; filename*=UTF-8''page.html");

  // suggested_name replaces the name, also a non-ASCII one (the ASCII
  // fallback gets one '_' per non-ASCII byte).
  const auto bin = upload_id(client, "data.bin", binary_bytes(4096, 9));
  auto suggested =
      checked(client.get(file_url(bin) + "?suggested_name=Lysozym%20%C3%A4%20%E2%82%AC.bin"));
  REQUIRE(suggested.status == 200);
  CHECK(suggested.header("content-disposition") ==
        "attachment; filename=\"Lysozym __ ___.bin\"; "
        "filename*=UTF-8''Lysozym%20%C3%A4%20%E2%82%AC.bin");
  auto plus = checked(client.get(file_url(pdb) + "?suggested_name=run+12.pdb"));
  CHECK(plus.header("content-disposition") ==
        "attachment; filename=\"run 12.pdb\"; filename*=UTF-8''run%2012.pdb");
  // The decision uses the stored name: a plain text file shown inline stays
  // inline whatever name is suggested.
  const auto txt = upload_id(client, "notes.txt", "inline text\n");
  CHECK(checked(client.get(file_url(txt) + "?suggested_name=x.pdb"))
            .header("content-disposition")
            .empty());
  const auto png = upload_id(client, "pixel.png", kPng);
  CHECK(checked(client.get(file_url(png) + "?suggested_name=x.bin"))
            .header("content-disposition")
            .empty());
}

TEST_CASE("F6 ETag, If-None-Match, ranges and HEAD", "[files]") {
  auto client = shared_server().client();
  const std::string data = "0123456789";
  const auto id = upload_id(client, "digits.txt", data + "-" + std::to_string(std::time(nullptr)));
  // The file is "0123456789-<time>"; use its real bytes.
  const std::string bytes = checked(client.get(file_url(id))).body;
  REQUIRE(bytes.starts_with(data));
  const auto size = std::to_string(bytes.size());
  const std::string etag = "\"" + sha256_hex(bytes) + "\"";
  const auto url = file_url(id);

  auto full = checked(client.get(url));
  REQUIRE(full.status == 200);
  CHECK(full.header("etag") == etag);
  CHECK(full.header("accept-ranges") == "bytes");
  CHECK(full.header("x-content-type-options") == "nosniff");

  auto not_modified = checked(client.request("GET", url, "", {{"If-None-Match", etag}}));
  CHECK(not_modified.status == 304);
  CHECK(not_modified.body.empty());
  CHECK(not_modified.header("etag") == etag);
  auto modified = checked(client.request("GET", url, "", {{"If-None-Match", "\"abc\""}}));
  CHECK(modified.status == 200);
  CHECK(modified.body == bytes);

  auto range = [&](const std::string& r, const std::map<std::string, std::string>& extra = {}) {
    auto headers = extra;
    headers["Range"] = r;
    return checked(client.request("GET", url, "", headers));
  };
  auto first = range("bytes=0-4");
  CHECK(first.status == 206);
  CHECK(first.body == "01234");
  CHECK(first.header("content-range") == "bytes 0-4/" + size);
  CHECK(first.header("content-length") == "5");
  auto from5 = range("bytes=5-");
  CHECK(from5.status == 206);
  CHECK(from5.body == bytes.substr(5));
  CHECK(from5.header("content-range") ==
        "bytes 5-" + std::to_string(bytes.size() - 1) + "/" + size);
  auto last3 = range("bytes=-3");
  CHECK(last3.status == 206);
  CHECK(last3.body == bytes.substr(bytes.size() - 3));
  CHECK(last3.header("content-range") == "bytes " + std::to_string(bytes.size() - 3) + "-" +
                                             std::to_string(bytes.size() - 1) + "/" + size);
  auto past_end_last = range("bytes=3-100000");
  CHECK(past_end_last.status == 206);
  CHECK(past_end_last.body == bytes.substr(3));

  for (const std::string& r :
       {"bytes=" + size + "-", "bytes=" + size + "-" + size + "0", std::string("bytes=100000-")}) {
    INFO(r);
    auto unsatisfiable = range(r);
    CHECK(unsatisfiable.status == 416);
    CHECK(unsatisfiable.header("content-range") == "bytes */" + size);
  }
  auto several = range("bytes=0-1,3-4");
  CHECK(several.status == 200);
  CHECK(several.body == bytes);
  CHECK(several.header("content-range").empty());

  auto if_range_other = range("bytes=0-4", {{"If-Range", "\"0000\""}});
  CHECK(if_range_other.status == 200);
  CHECK(if_range_other.body == bytes);
  auto if_range_same = range("bytes=0-4", {{"If-Range", etag}});
  CHECK(if_range_same.status == 206);
  CHECK(if_range_same.body == "01234");

  auto head = checked(client.request("HEAD", url));
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.header("etag") == etag);
  CHECK(head.header("content-type") == "text/plain; charset=utf-8");
  CHECK(head.header("content-length") == size);
  CHECK(head.header("accept-ranges") == "bytes");
  // The connection is still usable after HEAD.
  CHECK(checked(client.get(url)).body == bytes);
}

// ---- files of an original AMARCORD database ---------------------------------------

TEST_CASE("F6 serves File.contents of an original database, raw and zlib", "[files]") {
  ServerOnFreshDb server;
  auto client = server.client();
  std::string pattern;
  for (int i = 0; i < 2048; ++i)
    pattern.push_back(static_cast<char>(i % 256));  // every byte value, NULs included
  std::string mixed = binary_bytes(600000, 11);     // bigger than the inflate buffer
  mixed.replace(1000, 70000, std::string(70000, '\0'));
  struct Case {
    std::string name, type, bytes;
    bool compressed;
  };
  const std::vector<Case> cases = {
      {"raw.txt", "text/plain", "hello original\n", false},
      {"raw.bin", "application/octet-stream", pattern, false},
      {"zlib.txt", "text/plain", std::string(5000, 'a') + "\nend\n", true},
      {"zlib.bin", "application/octet-stream", pattern, true},
      {"zlib-big.bin", "application/octet-stream", mixed, true},
      {"raw-empty.txt", "application/x-empty", "", false},
      {"zlib-empty.txt", "application/x-empty", "", true},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto id = insert_original_file(server.db, c.name, c.type, c.bytes, c.compressed);
    // Twice: the first download copies the bytes into the blob store.
    for (int round = 0; round < 2; ++round) {
      INFO("round " << round);
      auto r = checked(client.get(file_url(id)));
      REQUIRE(r.status == 200);
      CHECK(r.body.size() == c.bytes.size());
      CHECK(r.body == c.bytes);
      CHECK(r.header("etag") == "\"" + sha256_hex(c.bytes) + "\"");
    }
    CHECK(read_whole_file(blob_path(server.data_dir, sha256_hex(c.bytes))) == c.bytes);
    auto part = checked(client.request("GET", file_url(id), "", {{"Range", "bytes=1-3"}}));
    if (c.bytes.size() > 3) {
      CHECK(part.status == 206);
      CHECK(part.body == c.bytes.substr(1, 3));
    }
  }
  // A compressed .pdb of the original is offered as download too.
  const auto pdb = insert_original_file(server.db, "old.pdb", "text/plain", kPdb, true);
  auto r = checked(client.get(file_url(pdb)));
  CHECK(r.body == kPdb);
  CHECK(r.header("content-disposition") ==
        "attachment; filename=\"old.pdb\"; filename*=UTF-8''old.pdb");
  CHECK(temp_files_after_settling(server.data_dir) == 0);
}

// ---- a large round trip --------------------------------------------------------------

namespace {

// GET target, feeding the body to `on_data` in pieces; returns the status.
unsigned streaming_get(std::uint16_t port, const std::string& target,
                       const std::function<void(const char*, std::size_t)>& on_data) {
  namespace net = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  stream.expires_after(std::chrono::seconds(300));
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(false);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  http::read_header(stream, buffer, parser);
  std::vector<char> piece(1 << 20);
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    beast::error_code ec;
    http::read(stream, buffer, parser, ec);
    if (ec && ec != http::error::need_buffer) throw beast::system_error(ec);
    on_data(piece.data(), piece.size() - parser.get().body().size);
  }
  return parser.get().result_int();
}

}  // namespace

TEST_CASE("a 200 MiB file goes up and down in constant server memory", "[files][large]") {
  ServerOnFreshDb server;
  const pid_t pid = server.server->pid();
  const long long hwm_before = vm_hwm_kib(pid);
  constexpr std::size_t kPiece = 1 << 20;
  constexpr std::size_t kPieces = 200;
  constexpr std::uint64_t kSize = kPiece * kPieces;

  // Up: F2, chunked, 1 MiB chunks of pseudo-random bytes made on the fly.
  amarcord::storage::Sha256 up_hash;
  const auto up_start = std::chrono::steady_clock::now();
  HttpResult answer;
  {
    RawConnection conn(server.server->port());
    conn.send(
        "POST /api/files/simple/bin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n");
    Prng prng(2025);
    std::string piece(kPiece, '\0');
    std::ostringstream size_line;
    size_line << std::hex << kPiece << "\r\n";
    for (std::size_t i = 0; i < kPieces; ++i) {
      prng.fill(piece.data(), piece.size());
      up_hash.update(piece);
      conn.send(size_line.str() + piece + "\r\n");
    }
    conn.send("0\r\n\r\n");
    answer = checked(conn.read_response(std::chrono::seconds(300)));
  }
  const double up_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - up_start).count();
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  const auto sha = up_hash.hex_digest();
  const auto id = answer.json().at("id").as_int64();
  CHECK(answer.json().at("size_in_bytes").as_int64() == static_cast<long long>(kSize));
  CHECK(answer.json().at("type_") == "application/octet-stream");
  CHECK(file_column(server.db, id, "sha256") == sha);
  CHECK(fs::file_size(blob_path(server.data_dir, sha)) == kSize);

  // Down, hashing as the bytes arrive.
  amarcord::storage::Sha256 down_hash;
  std::uint64_t received = 0;
  const auto down_start = std::chrono::steady_clock::now();
  const auto status =
      streaming_get(server.server->port(), file_url(id), [&](const char* p, std::size_t n) {
        down_hash.update(p, n);
        received += n;
      });
  const double down_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - down_start).count();
  CHECK(status == 200);
  CHECK(received == kSize);
  CHECK(down_hash.hex_digest() == sha);

  const long long hwm_after = vm_hwm_kib(pid);
  const double mb = static_cast<double>(kSize) / 1e6;
  std::cout << "[files][large] 200 MiB: upload " << mb / up_s << " MB/s (" << up_s
            << " s), download " << mb / down_s << " MB/s (" << down_s << " s); server VmHWM before "
            << hwm_before / 1024 << " MiB, after " << hwm_after / 1024 << " MiB\n";
  INFO("VmHWM before " << hwm_before << " kB, after " << hwm_after << " kB");
  REQUIRE(hwm_after < 150 * 1024);
}
