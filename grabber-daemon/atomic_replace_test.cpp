#include <signal.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "atomic_replace.hpp"
#include "file_sink.hpp"
#include "storage/blob_store.hpp"

namespace fs = std::filesystem;
using namespace amarcord::grabber;

namespace {
class TempDir {
 public:
  TempDir() {
    static std::atomic<unsigned> counter{0};
    path_ = fs::temp_directory_path() /
            ("amarcord-grabber-test-" + std::to_string(std::random_device{}()) + "-" +
             std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int count_entries(const fs::path& dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir))
    ++n;
  return n;
}
}  // namespace

TEST_CASE("replace_file replaces atomically and leaves no temp", "[atomic]") {
  TempDir dir;
  const fs::path target = dir.path() / "live-stream-image-3";
  for (bool durable : {false, true}) {
    replace_file(target, "one", durable);
    CHECK(read(target) == "one");
    replace_file(target, std::string(100000, 'x'), durable);
    CHECK(read(target) == std::string(100000, 'x'));
    CHECK(count_entries(dir.path()) == 1);
  }
  // A directory that does not exist: an error, nothing created.
  CHECK_THROWS_AS(replace_file(dir.path() / "missing" / "f", "x", false),
                  amarcord::storage::StorageError);
  CHECK(count_entries(dir.path()) == 1);
}

TEST_CASE("temp_target recognises the temp naming", "[atomic]") {
  CHECK(temp_target(".live-stream-image-5.0123456789abcdef.tmp") == "live-stream-image-5");
  CHECK(temp_target(".grabber-status.json.ffffffffffffffff.tmp") == "grabber-status.json");
  CHECK(temp_target(".live-stream-image-1.a1b2c3.tmp") == "live-stream-image-1");
  CHECK(temp_target(".live-stream-image-42.zz.tmp") == "live-stream-image-42");
  CHECK_FALSE(temp_target("live-stream-image-5.0123456789abcdef.tmp"));  // no leading dot
  CHECK_FALSE(temp_target(".live-stream-image-5.tmp"));                  // no random part
  CHECK_FALSE(temp_target(".live-stream-image-5..tmp"));
  CHECK_FALSE(temp_target(".live-stream-image-5.0123456789abcdef.tmpx"));
  CHECK_FALSE(temp_target(".0123456789abcdef.tmp"));
  CHECK_FALSE(temp_target(".tmp"));
  CHECK_FALSE(temp_target("live-stream-image-5"));
}

TEST_CASE("file sink writes DATA_DIR/live and removes only live-image temps", "[atomic]") {
  TempDir dir;
  FileSink sink(dir.path(), false);  // creates live/
  const fs::path live = dir.path() / "live";
  REQUIRE(fs::is_directory(live));
  sink.write(7, "jpeg");
  CHECK(read(live / "live-stream-image-7") == "jpeg");
  for (const char* name :
       {".live-stream-image-7.0000000000000001.tmp", ".live-stream-image-8.0000000000000002.tmp",
        ".live-stream-image-77.0000000000000003.tmp", ".other.0000000000000004.tmp",
        ".live-stream-image-x.0000000000000005.tmp", ".live-stream-image-9.zz.tmp", "notes.txt"}) {
    std::ofstream(live / name) << "partial";
  }
  CHECK(sink.remove_stale_temps(7) == 1);
  CHECK_FALSE(fs::exists(live / ".live-stream-image-7.0000000000000001.tmp"));
  CHECK(fs::exists(live / ".live-stream-image-77.0000000000000003.tmp"));
  CHECK(sink.remove_stale_temps(std::nullopt) == 3);
  CHECK_FALSE(fs::exists(live / ".live-stream-image-9.zz.tmp"));
  CHECK(fs::exists(live / ".other.0000000000000004.tmp"));
  CHECK(fs::exists(live / ".live-stream-image-x.0000000000000005.tmp"));
  CHECK(fs::exists(live / "notes.txt"));
  CHECK(fs::exists(live / "live-stream-image-7"));
}

TEST_CASE("a write that fails half-way (disk full) keeps the old image and leaves no temp",
          "[atomic]") {
  TempDir dir;
  const fs::path target = dir.path() / "live-stream-image-4";
  replace_file(target, "the last good frame", true);
  // A file size limit makes write() fail with EFBIG after 4 KiB, as a full
  // disk fails it with ENOSPC: the same error path.
  struct sigaction ignore {};
  struct sigaction before {};
  ignore.sa_handler = SIG_IGN;
  REQUIRE(::sigaction(SIGXFSZ, &ignore, &before) == 0);
  rlimit old_limit{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  rlimit small = old_limit;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  for (bool durable : {false, true}) {
    CHECK_THROWS_AS(replace_file(target, std::string(100000, 'y'), durable),
                    amarcord::storage::StorageError);
  }
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  REQUIRE(::sigaction(SIGXFSZ, &before, nullptr) == 0);
  CHECK(read(target) == "the last good frame");
  CHECK(count_entries(dir.path()) == 1);  // no temp file left behind
}
