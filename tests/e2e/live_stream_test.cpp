// The live-stream image end to end (api-runs-events-files.md F3, F4, §7,
// behaviours §11.36-37), with the port's decisions: the image lives in
// DATA_DIR/live/live-stream-image-<bt>, replaced atomically by F4 or by the
// grabber daemon (temp file + rename); its File row has a stable id and
// downloads always serve the current file; F3 and E1 freeze a copy.
//
// [live][atomic] replaces the image 1,000 times while other threads download
// it, and requires every download to be exactly one of the written frames.
#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "e2e/runs_helpers.hpp"
#include "storage/sha256.hpp"
#include "support/jpeg_frames.hpp"

using namespace amarcord::test;
namespace json = boost::json;
namespace fs = std::filesystem;
using amarcord::storage::sha256_hex;

namespace {

std::string file_url(long long id) {
  return "/api/files/" + std::to_string(id);
}

long long live_id(Api& api, long long bt, const std::string& data) {
  HttpClient c(api.server().server->port());
  auto r = post_live_image(c, bt, data);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto j = r.json();
  REQUIRE(j.as_object().size() == 1);
  REQUIRE(j.at("id").is_int64());
  return j.at("id").as_int64();
}

json::object overview(Api& api, long long bt) {
  return api.get_ok("/api/runs-overview/" + std::to_string(bt)).as_object();
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

long long live_rows(const TestDatabase& db, long long bt) {
  return count_rows(db, "File", "file_name = 'live-stream-image-" + std::to_string(bt) + "'");
}

std::string etag_of(const std::string& data) {
  return "\"" + sha256_hex(data) + "\"";
}

}  // namespace

TEST_CASE("F4 creates the live image, then replaces it under the same id (§11.36)", "[live]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "F4");
  const auto one = fake_jpeg(3000, 1), two = fake_jpeg(5000, 2);
  CHECK_FALSE(overview(api, bt).contains("live_stream"));

  const auto before = now_ms();
  const auto id = live_id(api, bt, one);
  const auto after = now_ms();
  CHECK(read_file(live_path(api.server(), bt)) == one);
  CHECK(live_rows(api.db(), bt) == 1);
  const auto where = "id = " + std::to_string(id);
  CHECK(query_string(api.db(), "SELECT description FROM \"File\" WHERE " + where) ==
        "Live stream image");
  CHECK(query_string(api.db(), "SELECT type FROM \"File\" WHERE " + where) == "image/jpeg");
  CHECK(query_long(api.db(), "SELECT size_in_bytes FROM \"File\" WHERE " + where) == 3000);
  CHECK(query_string(api.db(), "SELECT sha256 FROM \"File\" WHERE " + where) == sha256_hex(one));

  auto down = api.get(file_url(id));
  CHECK(down.status == 200);
  CHECK(down.body == one);
  CHECK(down.header("content-type") == "image/jpeg");
  CHECK(down.header("content-length") == "3000");
  CHECK(down.header("etag") == etag_of(one));
  CHECK(down.header("content-disposition").empty());

  auto ov = overview(api, bt);
  REQUIRE(ov.contains("live_stream"));
  const auto& ls = ov.at("live_stream").as_object();
  CHECK(ls.size() == 3);
  CHECK(ls.at("file_id") == id);
  REQUIRE(ls.at("modified").is_int64());
  CHECK(ls.at("modified").as_int64() >= before - 2000);
  CHECK(ls.at("modified").as_int64() <= after + 2000);
  CHECK(std::abs(ls.at("modified_local").as_int64() - ls.at("modified").as_int64()) <= 1);
  const auto first_modified = ls.at("modified").as_int64();

  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(live_id(api, bt, two) == id);
  CHECK(live_rows(api.db(), bt) == 1);
  CHECK(query_long(api.db(), "SELECT size_in_bytes FROM \"File\" WHERE " + where) == 5000);
  CHECK(query_string(api.db(), "SELECT sha256 FROM \"File\" WHERE " + where) == sha256_hex(two));
  down = api.get(file_url(id));
  CHECK(down.body == two);
  CHECK(down.header("etag") == etag_of(two));
  CHECK(api.get_ok("/api/runs-overview/" + std::to_string(bt))
            .at("live_stream")
            .at("modified")
            .as_int64() > first_modified);
  // The old ETag no longer matches; the new one does.
  CHECK(api.request("GET", file_url(id), "", {{"If-None-Match", etag_of(one)}}).body == two);
  CHECK(api.request("GET", file_url(id), "", {{"If-None-Match", etag_of(two)}}).status == 304);
  // Live images of other beamtimes are other files.
  const auto bt2 = create_beamtime(api, "F4 second");
  const auto id2 = live_id(api, bt2, one);
  CHECK(id2 != id);
  CHECK(api.get(file_url(id)).body == two);
  CHECK(api.get(file_url(id2)).body == one);
}

TEST_CASE("F4 refusals: unknown beamtime 400, no file field 422", "[live]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "F4 refusals");
  HttpClient c(api.server().server->port());
  const auto before = db_snapshot(api.db());
  auto unknown = post_live_image(c, 987654321, fake_jpeg(3000, 1));
  CHECK(require_400(unknown).find("987654321") != std::string::npos);
  CHECK_FALSE(fs::exists(live_path(api.server(), 987654321)));
  auto beyond = post_live_image(c, kBeyond32Bits, fake_jpeg(3000, 1));
  CHECK(beyond.status == 400);
  CHECK_FALSE(fs::exists(live_path(api.server(), kBeyond32Bits)));

  const auto [other_field, type] = multipart_file("image", "x.jpg", fake_jpeg(3000, 1));
  auto missing = api.request("POST", "/api/live-stream/" + std::to_string(bt), other_field,
                             {{"Content-Type", type}});
  const auto d = require_422(missing);
  CHECK(d[0].at("loc") == json::array{"body", "file"});
  auto not_multipart = api.request("POST", "/api/live-stream/" + std::to_string(bt), "abc",
                                   {{"Content-Type", "application/octet-stream"}});
  CHECK(not_multipart.status >= 400);
  CHECK(not_multipart.status < 500);
  auto bad_id = api.request("POST", "/api/live-stream/abc", other_field, {{"Content-Type", type}});
  CHECK(bad_id.status == 422);
  require_unchanged(api.db(), before);
  CHECK_FALSE(fs::exists(live_path(api.server(), bt)));
  CHECK_FALSE(overview(api, bt).contains("live_stream"));
  CHECK(require_404(api.get("/api/live-stream/snapshot/" + std::to_string(bt)))
            .find(std::to_string(bt)) != std::string::npos);
}

TEST_CASE("F4: a `file` field that is no file part is 422, as in F1", "[live]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "F4 text field");
  const auto before = db_snapshot(api.db());
  auto text_only = api.request(
      "POST", "/api/live-stream/" + std::to_string(bt),
      "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nnot a file\r\n--b--\r\n",
      {{"Content-Type", "multipart/form-data; boundary=b"}});
  INFO(text_only.body);
  CHECK(text_only.status == 422);
  require_unchanged(api.db(), before);
  CHECK_FALSE(fs::exists(live_path(api.server(), bt)));
}

TEST_CASE("a live image replaced behind the server's back is served at once", "[live]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "grabber");
  const auto one = fake_jpeg(4000, 11), two = fake_jpeg(4100, 12), three = fake_jpeg(2500, 13);
  const auto id = live_id(api, bt, one);
  const auto first_modified = overview(api, bt).at("live_stream").at("modified").as_int64();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));

  grabber_write(api.server(), bt, two);
  auto down = api.get(file_url(id));
  CHECK(down.body == two);
  CHECK(down.header("etag") == etag_of(two));
  CHECK(down.header("content-length") == "4100");
  auto ov = overview(api, bt);
  CHECK(ov.at("live_stream").at("file_id") == id);
  CHECK(ov.at("live_stream").at("modified").as_int64() > first_modified);
  CHECK(live_rows(api.db(), bt) == 1);

  // HEAD and ranges see the current file too.
  auto head = api.request("HEAD", file_url(id));
  CHECK(head.status == 200);
  CHECK(head.header("content-length") == "4100");
  CHECK(head.header("etag") == etag_of(two));
  auto part = api.request("GET", file_url(id), "", {{"Range", "bytes=100-199"}});
  CHECK(part.status == 206);
  CHECK(part.body == two.substr(100, 100));
  CHECK(part.header("content-range") == "bytes 100-199/4100");

  // A snapshot freezes the bytes of this moment.
  const auto snap = api.get_ok("/api/live-stream/snapshot/" + std::to_string(bt)).as_object();
  const auto snap_id = snap.at("id").as_int64();
  grabber_write(api.server(), bt, three);
  CHECK(api.get(file_url(id)).body == three);
  CHECK(api.get(file_url(snap_id)).body == two);
  // F4 after the grabber: still the same row.
  CHECK(live_id(api, bt, one) == id);
  CHECK(api.get(file_url(id)).body == one);
  CHECK(api.get(file_url(snap_id)).body == two);
}

TEST_CASE("a live image the grabber wrote first gets its File row from the overview", "[live]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "grabber first");
  const auto one = fake_jpeg(6000, 21), two = fake_jpeg(7000, 22);
  grabber_write(api.server(), bt, one);
  CHECK(live_rows(api.db(), bt) == 0);
  const auto before = now_ms();
  auto ov = overview(api, bt);
  REQUIRE(ov.contains("live_stream"));
  const auto id = ov.at("live_stream").at("file_id").as_int64();
  CHECK(live_rows(api.db(), bt) == 1);
  CHECK(query_long(api.db(), "SELECT id FROM \"File\" WHERE file_name = 'live-stream-image-" +
                                 std::to_string(bt) + "'") == id);
  CHECK(query_string(api.db(), "SELECT description FROM \"File\" WHERE id = " +
                                   std::to_string(id)) == "Live stream image");
  CHECK(ov.at("live_stream").at("modified").as_int64() <= before + 2000);
  CHECK(overview(api, bt).at("live_stream").at("file_id") == id);
  CHECK(api.get(file_url(id)).body == one);
  CHECK(live_id(api, bt, two) == id);
  CHECK(api.get(file_url(id)).body == two);
  CHECK(live_rows(api.db(), bt) == 1);
}

TEST_CASE("concurrent first live images make one File row", "[live]") {
  auto& server = shared_server();
  Api api(server);
  const auto bt = create_beamtime(api, "live race");
  std::vector<std::string> frames;
  std::set<std::string> shas;
  for (int i = 0; i < 8; ++i) {
    frames.push_back(fake_jpeg(2000 + 100 * static_cast<std::size_t>(i), 100 + i));
    shas.insert(sha256_hex(frames.back()));
  }
  const auto answers = concurrently(server, 8, [&](HttpClient& c, int i) {
    if (i % 2 == 0) return c.get("/api/runs-overview/" + std::to_string(bt));
    return post_live_image(c, bt, frames[static_cast<std::size_t>(i)]);
  });
  std::set<long long> ids;
  for (const auto& a : answers) {
    INFO(a.status << " " << a.body);
    REQUIRE(a.status == 200);
    const auto j = a.json();
    if (j.as_object().contains("id")) ids.insert(j.at("id").as_int64());
  }
  CHECK(ids.size() == 1);
  CHECK(live_rows(api.db(), bt) == 1);
  const auto body = api.get(file_url(*ids.begin())).body;
  CHECK(shas.count(sha256_hex(body)) == 1);
}

TEST_CASE("an F1 upload named like the live image", "[live]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "F1 live name");
  const auto name = "live-stream-image-" + std::to_string(bt);
  const auto one = fake_jpeg(3000, 31), two = fake_jpeg(3500, 32);
  // Before any live image (§11.36): the uploaded file is the live image's row.
  const auto uploaded = upload_file(api, name, one, "uploaded");
  auto ov = overview(api, bt);
  REQUIRE(ov.contains("live_stream"));
  CHECK(ov.at("live_stream").at("file_id") == uploaded);
  CHECK(api.get(file_url(uploaded)).body == one);
  CHECK(live_id(api, bt, two) == uploaded);
  CHECK(api.get(file_url(uploaded)).body == two);
  CHECK(live_rows(api.db(), bt) == 1);

  // Another F1 upload of that name now: never a server error, still one row.
  const auto [body, type] =
      multipart_file("file", name, one, {{"description", "again"}, {"deduplicate", "False"}});
  HttpClient c(api.server().server->port());
  auto again = c.request("POST", "/api/files", body, {{"Content-Type", type}});
  INFO(again.status << " " << again.body);
  CHECK(again.status == 400);
  CHECK(again.body.find("POST /api/live-stream/") != std::string::npos);
  CHECK(live_rows(api.db(), bt) == 1);
  CHECK(overview(api, bt).at("live_stream").at("file_id") == uploaded);
}

TEST_CASE("F3 freezes the current live image (§11.37)", "[live]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "F3");
  const auto before = db_snapshot(api.db());
  CHECK(require_404(api.get("/api/live-stream/snapshot/" + std::to_string(bt)))
            .find(std::to_string(bt)) != std::string::npos);
  require_404(api.get("/api/live-stream/snapshot/987654321"));
  require_422(api.get("/api/live-stream/snapshot/x"));
  require_unchanged(api.db(), before);

  const auto one = fake_jpeg(3333, 41), two = fake_jpeg(4444, 42);
  const auto id = live_id(api, bt, one);
  auto r = api.get("/api/live-stream/snapshot/" + std::to_string(bt));
  REQUIRE(r.status == 200);
  const auto snap = r.json().as_object();
  const auto snap_id = snap.at("id").as_int64();
  CHECK(r.body == "{\"id\":" + std::to_string(snap_id) + ",\"file_name\":\"live-stream-image-" +
                      std::to_string(bt) +
                      "-copy\",\"description\":\"Live stream image\",\"type_\":\"image/jpeg\","
                      "\"size_in_bytes\":3333}");
  CHECK(snap_id != id);
  CHECK(snap_id > id);
  CHECK(api.get(file_url(snap_id)).body == one);
  CHECK(query_string(api.db(), "SELECT sha256 FROM \"File\" WHERE id = " +
                                   std::to_string(snap_id)) == sha256_hex(one));

  live_id(api, bt, two);
  CHECK(api.get(file_url(snap_id)).body == one);
  CHECK(api.get(file_url(id)).body == two);
  const auto snap2 = api.get_ok("/api/live-stream/snapshot/" + std::to_string(bt));
  CHECK(snap2.at("id").as_int64() != snap_id);
  CHECK(snap2.at("size_in_bytes") == 4444);
  CHECK(api.get(file_url(snap2.at("id").as_int64())).body == two);
  CHECK(live_rows(api.db(), bt) == 1);
  CHECK(count_rows(api.db(), "File",
                   "file_name = 'live-stream-image-" + std::to_string(bt) + "-copy'") == 2);
}

TEST_CASE("E1 with_live_stream attaches a frozen copy (§11.37)", "[live][events]") {
  Api api(shared_server());
  const auto bt = create_beamtime(api, "E1 live");
  const auto event = [&](bool live, const json::array& file_ids = {}) {
    return api
        .post_ok("/api/events", json::object{{"beamtime_id", bt},
                                             {"event",
                                              {{"source", "ui"},
                                               {"text", live ? "with image" : "without"},
                                               {"level", "user"},
                                               {"file_ids", file_ids}}},
                                             {"with_live_stream", live}})
        .at("id")
        .as_int64();
  };
  const auto files_of = [&](long long event_id) {
    const auto answer = api.get_ok("/api/events/" + std::to_string(bt));
    for (const auto& e : answer.at("events").as_array()) {
      if (e.at("id").as_int64() == event_id) return e.at("files").as_array();
    }
    FAIL("event " << event_id << " not listed");
    return json::array{};
  };
  // No live image: the event is created without a file.
  const auto files_before = count_rows(api.db(), "File");
  const auto plain = event(true);
  CHECK(files_of(plain).empty());
  CHECK(count_rows(api.db(), "File") == files_before);

  const auto one = fake_jpeg(2222, 51), two = fake_jpeg(2323, 52);
  const auto id = live_id(api, bt, one);
  const auto attached = event(true);
  auto files = files_of(attached);
  REQUIRE(files.size() == 1);
  const auto copy = files[0].at("id").as_int64();
  CHECK(copy > id);
  CHECK(files[0].at("file_name") ==
        json::value("live-stream-image-" + std::to_string(bt) + "-copy"));
  CHECK(files[0].at("type_") == "image/jpeg");
  CHECK(files[0].at("size_in_bytes") == 2222);
  CHECK(files[0].at("description") == "Live stream image");
  live_id(api, bt, two);
  CHECK(api.get(file_url(copy)).body == one);

  // With other files too.
  const auto text = upload_file(api, "note.txt", "a note");
  const auto both = event(true, {text});
  files = files_of(both);
  REQUIRE(files.size() == 2);
  std::set<long long> ids{files[0].at("id").as_int64(), files[1].at("id").as_int64()};
  CHECK(ids.count(text) == 1);
  for (const auto& f : files) {
    if (f.at("id").as_int64() != text) CHECK(api.get(file_url(f.at("id").as_int64())).body == two);
  }
  // without with_live_stream, nothing is attached.
  CHECK(files_of(event(false)).empty());
}

TEST_CASE("a replaced live image with the same size and time stamp gets its own ETag", "[live]") {
  // A grabber that stamps frames with the camera's (whole-second) time, or a
  // copy with `cp -p`, produces equal sizes and equal mtimes; inode numbers
  // are reused as the files come and go.
  ServerOnFreshDb server;
  Api api(server);
  const auto bt = create_beamtime(api, "same size");
  std::vector<std::string> frames;
  for (int i = 0; i < 6; ++i)
    frames.push_back(fake_jpeg(8192, 600 + i));
  const auto path = live_path(server, bt);
  const auto id = live_id(api, bt, frames[0]);
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = 1700000000;
  times[0].tv_nsec = times[1].tv_nsec = 0;
  int mismatches = 0;
  for (int round = 0; round < 30; ++round) {
    const auto& frame = frames[static_cast<std::size_t>(round) % frames.size()];
    grabber_write(server, bt, frame, round);
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
    auto r = api.get(file_url(id));
    REQUIRE(r.status == 200);
    CHECK(r.body == frame);
    if (r.header("etag") != etag_of(r.body)) ++mismatches;
  }
  CHECK(mismatches == 0);
}

// ---- atomicity ------------------------------------------------------------------------

namespace {

struct Frames {
  std::vector<std::string> data;
  std::map<std::string, std::size_t> by_sha;  // sha256 → index
};

// Real JPEGs (TurboJPEG) of growing size and texture, so a download that is
// byte-equal to one of them is a complete, decodable image.
Frames make_frames(std::size_t n) {
  Frames f;
  for (std::size_t i = 0; i < n; ++i) {
    const int k = static_cast<int>(i);
    f.data.push_back(make_jpeg(160 + 16 * k, 120 + 12 * k, k, 8 + 4 * k));
    REQUIRE(decodes_cleanly(f.data.back()));
    REQUIRE(f.data.back().size() >= 2000);  // the readers below ask for bytes 1000-1999
    f.by_sha[sha256_hex(f.data.back())] = i;
  }
  return f;
}

struct Problems {
  std::mutex mutex;
  std::vector<std::string> list;
  void add(const std::string& p) {
    std::lock_guard lock(mutex);
    if (list.size() < 50) list.push_back(p);
  }
};

}  // namespace

TEST_CASE("the live image is replaced atomically while it is downloaded", "[live][atomic]") {
  ServerOnFreshDb server;
  Api api(server);
  const auto bt = create_beamtime(api, "atomic");
  const auto frames = make_frames(20);
  const auto id = live_id(api, bt, frames.data[0]);
  const auto port = server.server->port();
  const std::string url = file_url(id);

  std::atomic<bool> done{false};
  Problems problems;
  std::atomic<long> downloads{0}, heads{0}, ranges{0}, overviews{0}, etag_mismatch{0};
  std::size_t last = 0;

  std::thread writer([&] {
    HttpClient c(port);
    try {
      for (int i = 0; i < 1000; ++i) {
        last = (static_cast<std::size_t>(i) * 7 + 3) % frames.data.size();
        const auto& frame = frames.data[last];
        if (i % 2 == 0) {
          auto r = post_live_image(c, bt, frame);
          if (r.status != 200) {
            problems.add("F4 answered " + std::to_string(r.status) + ": " + r.body);
          } else if (r.json().at("id").as_int64() != id) {
            problems.add("F4 answered another id: " + r.body);
          }
        } else {
          grabber_write(server, bt, frame, i);
        }
      }
    } catch (const std::exception& e) {
      problems.add(std::string("writer: ") + e.what());
    }
    done = true;
  });

  const auto reader = [&] {
    HttpClient c(port);
    try {
      while (!done) {
        auto r = c.get(url);
        ++downloads;
        if (r.status != 200) {
          problems.add("GET answered " + std::to_string(r.status) + ": " + r.body.substr(0, 200));
          continue;
        }
        const auto sha = sha256_hex(r.body);
        if (downloads % 64 == 0 && !decodes_cleanly(r.body))
          problems.add("GET returned " + std::to_string(r.body.size()) +
                       " bytes that do not decode");
        if (!frames.by_sha.count(sha)) {
          problems.add("GET returned " + std::to_string(r.body.size()) +
                       " bytes that are no frame");
        }
        if (r.header("content-length") != std::to_string(r.body.size()))
          problems.add("Content-Length " + r.header("content-length") + " but " +
                       std::to_string(r.body.size()) + " bytes");
        if (r.header("etag") != "\"" + sha + "\"") ++etag_mismatch;
        if (r.header("content-type") != "image/jpeg")
          problems.add("Content-Type " + r.header("content-type"));
      }
    } catch (const std::exception& e) {
      problems.add(std::string("reader: ") + e.what());
    }
  };

  const auto partial_reader = [&] {
    HttpClient c(port);
    try {
      while (!done) {
        auto head = c.request("HEAD", url);
        ++heads;
        if (head.status != 200) {
          problems.add("HEAD answered " + std::to_string(head.status));
        } else {
          const auto tag = head.header("etag");
          const auto sha = tag.size() == 66 ? tag.substr(1, 64) : std::string();
          const auto it = frames.by_sha.find(sha);
          if (it == frames.by_sha.end()) {
            problems.add("HEAD ETag " + tag + " is no frame");
          } else if (head.header("content-length") !=
                     std::to_string(frames.data[it->second].size())) {
            problems.add("HEAD Content-Length " + head.header("content-length") +
                         " does not match its ETag");
          }
        }
        auto part = c.request("GET", url, "", {{"Range", "bytes=1000-1999"}});
        ++ranges;
        if (part.status != 206) {
          problems.add("Range answered " + std::to_string(part.status));
          continue;
        }
        const auto tag = part.header("etag");
        const auto it = frames.by_sha.find(tag.size() == 66 ? tag.substr(1, 64) : "");
        if (it == frames.by_sha.end()) {
          problems.add("Range ETag " + tag + " is no frame");
          continue;
        }
        const auto& frame = frames.data[it->second];
        if (part.body != frame.substr(1000, 1000))
          problems.add("Range body is not bytes 1000-1999 of the frame its ETag names");
        if (part.header("content-range") != "bytes 1000-1999/" + std::to_string(frame.size()))
          problems.add("Content-Range " + part.header("content-range") + " for a frame of " +
                       std::to_string(frame.size()) + " bytes");
      }
    } catch (const std::exception& e) {
      problems.add(std::string("partial reader: ") + e.what());
    }
  };

  const auto overview_reader = [&] {
    HttpClient c(port);
    try {
      while (!done) {
        auto r = c.get("/api/runs-overview/" + std::to_string(bt));
        ++overviews;
        if (r.status != 200) {
          problems.add("overview answered " + std::to_string(r.status));
          continue;
        }
        if (r.json().at("live_stream").at("file_id").as_int64() != id)
          problems.add("overview names another live file: " + r.body.substr(0, 200));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    } catch (const std::exception& e) {
      problems.add(std::string("overview reader: ") + e.what());
    }
  };

  std::thread r1(reader), r2(reader), r3(partial_reader), r4(overview_reader);
  writer.join();
  r1.join();
  r2.join();
  r3.join();
  r4.join();

  std::cout << "[live][atomic] 1000 replacements; " << downloads << " downloads, " << heads
            << " HEAD, " << ranges << " ranges, " << overviews << " overviews, " << etag_mismatch
            << " ETag mismatches\n";
  for (const auto& p : problems.list)
    UNSCOPED_INFO(p);
  CHECK(problems.list.empty());
  CHECK(etag_mismatch == 0);
  CHECK(downloads > 100);
  // The end state is the last frame written, and one row.
  CHECK(api.get(url).body == frames.data[last]);
  CHECK(read_file(live_path(server, bt)) == frames.data[last]);
  CHECK(live_rows(api.db(), bt) == 1);
  CHECK(query_string(api.db(), "SELECT sha256 FROM \"File\" WHERE id = " + std::to_string(id))
            .size() == 64);
  // No temp files left behind by the server.
  std::size_t stray = 0;
  for (const auto& e : fs::directory_iterator(server.data_dir / "live")) {
    if (e.path().filename().string() != "live-stream-image-" + std::to_string(bt)) ++stray;
  }
  CHECK(stray == 0);
}
