#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/blob_store.hpp"
#include "storage/sha256.hpp"

namespace {

namespace fs = std::filesystem;
using amarcord::storage::BlobStore;
using amarcord::storage::Sha256;
using amarcord::storage::sha256_hex;
using amarcord::storage::StorageError;

// A fresh directory, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("amarcord-blob-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::size_t open_fd_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

std::size_t count_regular_files(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) ++n;
  }
  return n;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  REQUIRE(out);
}

void set_mtime_ago(const fs::path& path, time_t seconds_ago) {
  struct timespec times[2] = {};
  times[0].tv_sec = times[1].tv_sec = ::time(nullptr) - seconds_ago;
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s)
    c = static_cast<char>(rng());
  return s;
}

std::string zlib_compress(std::string_view data, int level = 6) {
  uLongf len = compressBound(static_cast<uLong>(data.size()));
  std::string out(len, '\0');
  REQUIRE(compress2(reinterpret_cast<Bytef*>(out.data()), &len,
                    reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                    level) == Z_OK);
  out.resize(len);
  return out;
}

}  // namespace

TEST_CASE("BlobStore creates its directories", "[storage]") {
  TempDir tmp;
  const fs::path data = tmp.path() / "nested" / "data";
  BlobStore store(data);
  CHECK(fs::is_directory(data / "files"));
  CHECK(fs::is_directory(data / "tmp"));
  CHECK(store.data_dir() == data);
}

TEST_CASE("BlobStore write, commit, contains, path_of round trip", "[storage]") {
  TempDir tmp;
  const std::size_t fds_before = open_fd_count();
  {
    BlobStore store(tmp.path());
    const std::string content = "hello, blob store\n";
    const std::string expected = sha256_hex(content);
    CHECK_FALSE(store.contains(expected));

    auto w = store.begin();
    CHECK(count_regular_files(tmp.path() / "tmp") == 1);
    w.write("hello, ");
    w.write("");
    w.write("blob store\n");
    CHECK(w.size() == content.size());
    CHECK(w.head() == content);
    const std::string hex = w.commit();
    CHECK(hex == expected);

    CHECK(store.contains(hex));
    const fs::path path = store.path_of(hex);
    CHECK(path == tmp.path() / "files" / hex.substr(0, 2) / hex.substr(2));
    CHECK(read_file(path) == content);
    CHECK(count_regular_files(tmp.path() / "tmp") == 0);
    CHECK(count_regular_files(tmp.path() / "files") == 1);

    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    const mode_t mask = ::umask(0);
    ::umask(mask);
    CHECK((st.st_mode & 0777) == (0644 & ~mask));

    // A finished writer refuses more work.
    CHECK_THROWS_AS(w.write("x"), StorageError);
    CHECK_THROWS_AS(w.commit(), StorageError);

    // put() is the same path.
    CHECK(store.put(content) == expected);
    CHECK(store.put("") == sha256_hex(""));
    CHECK(read_file(store.path_of(sha256_hex(""))).empty());
  }
  CHECK(open_fd_count() == fds_before);
}

TEST_CASE("BlobStore stores identical content once", "[storage]") {
  TempDir tmp;
  BlobStore store(tmp.path());
  const std::string content = random_bytes(100'000, 7);
  auto a = store.begin();
  auto b = store.begin();
  a.write(content);
  b.write(content);
  const std::string ha = a.commit();
  const std::string hb = b.commit();
  CHECK(ha == hb);
  CHECK(count_regular_files(tmp.path() / "files") == 1);
  CHECK(count_regular_files(tmp.path() / "tmp") == 0);
  CHECK(read_file(store.path_of(ha)) == content);
  CHECK(store.put(content) == ha);
  CHECK(count_regular_files(tmp.path() / "files") == 1);
}

TEST_CASE("BlobStore replaces a damaged blob of the same name", "[storage]") {
  TempDir tmp;
  BlobStore store(tmp.path());
  const std::string content = "complete content";
  const std::string hex = store.put(content);
  write_file(store.path_of(hex), "compl");  // simulate damage
  CHECK(store.put(content) == hex);
  CHECK(read_file(store.path_of(hex)) == content);
}

TEST_CASE("BlobStore uncommitted writers leave no temp file", "[storage]") {
  TempDir tmp;
  const std::size_t fds_before = open_fd_count();
  {
    BlobStore store(tmp.path());
    {
      auto w = store.begin();
      w.write("abandoned");
      CHECK(count_regular_files(tmp.path() / "tmp") == 1);
    }
    CHECK(count_regular_files(tmp.path() / "tmp") == 0);

    // Moves transfer ownership; the moved-from writer owns nothing.
    {
      auto w1 = store.begin();
      w1.write("moved");
      auto w2 = std::move(w1);
      CHECK(count_regular_files(tmp.path() / "tmp") == 1);
      auto w3 = store.begin();
      CHECK(count_regular_files(tmp.path() / "tmp") == 2);
      w3 = std::move(w2);  // abandons w3's own temp file
      CHECK(count_regular_files(tmp.path() / "tmp") == 1);
      CHECK(w3.size() == 5);
      CHECK(w3.commit() == sha256_hex("moved"));
    }
    CHECK(count_regular_files(tmp.path() / "tmp") == 0);
    CHECK(count_regular_files(tmp.path() / "files") == 1);
  }
  CHECK(open_fd_count() == fds_before);
}

TEST_CASE("BlobStore removes stale temp files of crashed processes", "[storage]") {
  TempDir tmp;
  { BlobStore store(tmp.path()); }
  const fs::path t = tmp.path() / "tmp";
  write_file(t / "blob-0123456789ab.tmp", "crashed long ago");
  set_mtime_ago(t / "blob-0123456789ab.tmp", 2 * 3600);
  write_file(t / "blob-aaaaaaaaaaaa.tmp", "maybe a live writer");
  set_mtime_ago(t / "blob-aaaaaaaaaaaa.tmp", 10 * 60);
  write_file(t / "not-ours.dat", "someone else's");
  set_mtime_ago(t / "not-ours.dat", 2 * 3600);
  fs::create_directory(t / "blob-dir.tmp");
  set_mtime_ago(t / "blob-dir.tmp", 2 * 3600);

  BlobStore store(tmp.path());
  CHECK_FALSE(fs::exists(t / "blob-0123456789ab.tmp"));
  CHECK(fs::exists(t / "blob-aaaaaaaaaaaa.tmp"));
  CHECK(fs::exists(t / "not-ours.dat"));
  CHECK(fs::is_directory(t / "blob-dir.tmp"));
}

TEST_CASE("BlobStore put_original with raw contents", "[storage]") {
  TempDir tmp;
  BlobStore store(tmp.path());
  const std::string content = "small file stored raw";
  const std::string hex = sha256_hex(content);
  store.put_original(content, false, hex);
  CHECK(store.contains(hex));
  CHECK(read_file(store.path_of(hex)) == content);
  // Again: idempotent.
  store.put_original(content, false, hex);
  CHECK(count_regular_files(tmp.path() / "files") == 1);
  CHECK(count_regular_files(tmp.path() / "tmp") == 0);
}

TEST_CASE("BlobStore put_original with zlib contents", "[storage]") {
  TempDir tmp;
  const std::size_t fds_before = open_fd_count();
  {
    BlobStore store(tmp.path());

    SECTION("bytes of Python's zlib.compress(b'hello amarcord')") {
      const unsigned char py[] = {0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0x48, 0xcc, 0x4d,
                                  0x2c, 0x4a, 0xce, 0x2f, 0x4a, 0x01, 0x00, 0x28, 0xad, 0x05, 0x7e};
      const std::string_view z(reinterpret_cast<const char*>(py), sizeof py);
      const std::string hex = "917c50842412f0b202d7c0c224c77037405a20981fde063d8300bdc3b2cd2258";
      store.put_original(z, true, hex);
      CHECK(read_file(store.path_of(hex)) == "hello amarcord");
    }

    SECTION("compress2 at several levels, several sizes") {
      for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{1000},
                                     std::size_t{300'000}, std::size_t{3'000'000}}) {
        for (const int level : {0, 1, 6, 9}) {
          // Half random, half repetitive: exercises stored and compressed blocks.
          std::string content = random_bytes(size / 2, size);
          content += std::string(size - content.size(), 'x');
          const std::string hex = sha256_hex(content);
          INFO("size " << size << " level " << level);
          store.put_original(zlib_compress(content, level), true, hex);
          CHECK(read_file(store.path_of(hex)) == content);
        }
      }
      CHECK(count_regular_files(tmp.path() / "tmp") == 0);
    }

    SECTION("trailing bytes after the stream are ignored, as in Python") {
      const std::string content = "with trailing junk";
      store.put_original(zlib_compress(content) + "junk", true, sha256_hex(content));
      CHECK(read_file(store.path_of(sha256_hex(content))) == content);
    }
  }
  CHECK(open_fd_count() == fds_before);
}

TEST_CASE("BlobStore put_original rejects bad input and stores nothing", "[storage]") {
  TempDir tmp;
  const std::size_t fds_before = open_fd_count();
  {
    BlobStore store(tmp.path());
    const std::string content = random_bytes(200'000, 99) + std::string(200'000, 'z');
    const std::string hex = sha256_hex(content);
    const std::string wrong = sha256_hex("something else");
    const std::string z = zlib_compress(content);

    SECTION("wrong expected hash, raw") {
      CHECK_THROWS_AS(store.put_original(content, false, wrong), StorageError);
    }
    SECTION("wrong expected hash, compressed") {
      CHECK_THROWS_AS(store.put_original(z, true, wrong), StorageError);
    }
    SECTION("upper-case expected hash is not the stored digest") {
      std::string upper = hex;
      for (auto& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      CHECK_THROWS_AS(store.put_original(z, true, upper), StorageError);
    }
    SECTION("corrupt zlib data") {
      std::string bad = z;
      bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x55);
      bad[bad.size() / 2 + 1] = static_cast<char>(bad[bad.size() / 2 + 1] ^ 0xaa);
      CHECK_THROWS_AS(store.put_original(bad, true, hex), StorageError);
    }
    SECTION("bad Adler-32 trailer") {
      std::string bad = z;
      bad.back() = static_cast<char>(bad.back() ^ 1);
      CHECK_THROWS_AS(store.put_original(bad, true, hex), StorageError);
    }
    SECTION("truncated zlib stream") {
      CHECK_THROWS_AS(store.put_original(z.substr(0, z.size() - 10), true, hex), StorageError);
      CHECK_THROWS_AS(store.put_original(z.substr(0, 2), true, hex), StorageError);
    }
    SECTION("empty input claimed compressed") {
      CHECK_THROWS_AS(store.put_original("", true, sha256_hex("")), StorageError);
    }
    SECTION("not zlib at all (gzip header)") {
      const std::string gz = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage";
      CHECK_THROWS_AS(store.put_original(gz, true, hex), StorageError);
    }
    SECTION("raw data claimed compressed") {
      CHECK_THROWS_AS(store.put_original(content, true, hex), StorageError);
    }
    CHECK_FALSE(store.contains(hex));
    CHECK(count_regular_files(tmp.path() / "files") == 0);
    CHECK(count_regular_files(tmp.path() / "tmp") == 0);
  }
  CHECK(open_fd_count() == fds_before);
}

TEST_CASE("BlobStore validates digests in path_of and contains", "[storage]") {
  TempDir tmp;
  BlobStore store(tmp.path());
  CHECK_THROWS_AS(store.path_of("../etc"), std::invalid_argument);
  CHECK_THROWS_AS(store.contains("../etc"), std::invalid_argument);
  CHECK_THROWS_AS(store.path_of(""), std::invalid_argument);
  CHECK_THROWS_AS(store.path_of(std::string(62, 'a') + "/."), std::invalid_argument);
  CHECK_THROWS_AS(store.path_of(std::string(64, 'A')), std::invalid_argument);
  CHECK_THROWS_AS(store.path_of(std::string(65, 'a')), std::invalid_argument);
  CHECK_NOTHROW(store.path_of(std::string(64, 'a')));
  CHECK_FALSE(store.contains(std::string(64, 'a')));
}

TEST_CASE("BlobStore large blob written in chunks", "[storage]") {
  TempDir tmp;
  BlobStore store(tmp.path());
  constexpr std::size_t kChunk = 1 << 20;
  constexpr int kChunks = 50;
  Sha256 reference;
  auto w = store.begin();
  std::string first_chunk;
  for (int i = 0; i < kChunks; ++i) {
    const std::string chunk = random_bytes(kChunk, static_cast<std::uint64_t>(i));
    if (i == 0) first_chunk = chunk;
    reference.update(chunk);
    w.write(chunk);
  }
  CHECK(w.size() == std::uint64_t{kChunk} * kChunks);
  CHECK(w.head().size() == 64 * 1024);
  CHECK(w.head() == first_chunk.substr(0, 64 * 1024));
  const std::string hex = w.commit();
  CHECK(hex == reference.hex_digest());
  CHECK(fs::file_size(store.path_of(hex)) == std::uint64_t{kChunk} * kChunks);

  // Re-hash what landed on disk.
  Sha256 on_disk;
  std::ifstream in(store.path_of(hex), std::ios::binary);
  std::vector<char> buf(kChunk);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    on_disk.update(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  CHECK(on_disk.hex_digest() == hex);
}

TEST_CASE("BlobStore concurrent writers", "[storage]") {
  TempDir tmp;
  BlobStore store(tmp.path());
  std::vector<std::thread> threads;
  std::vector<std::string> results(8 * 20);
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        try {
          // Half the blobs are shared by all threads, half are per thread.
          const std::string content = (i % 2 == 0)
                                          ? "shared " + std::to_string(i)
                                          : "thread " + std::to_string(t) + " " + std::to_string(i);
          results[static_cast<std::size_t>(t * 20 + i)] = store.put(content);
        } catch (...) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads)
    th.join();
  CHECK(failures == 0);
  CHECK(count_regular_files(tmp.path() / "files") == 10 + 8 * 10);
  CHECK(count_regular_files(tmp.path() / "tmp") == 0);
  for (const auto& hex : results)
    CHECK(store.contains(hex));
}

TEST_CASE("BlobStore sweep removes old unreferenced blobs only", "[storage]") {
  TempDir dir;
  BlobStore store(dir.path());
  const std::string kept_old = store.put("referenced and old");
  const std::string gone = store.put("unreferenced and old");
  const std::string young = store.put("unreferenced but young");
  set_mtime_ago(store.path_of(kept_old), 7200);
  set_mtime_ago(store.path_of(gone), 7200);
  const auto removed =
      store.sweep([&](const std::string& sha) { return sha == kept_old; }, std::chrono::hours(1));
  CHECK(removed == 1);
  CHECK(store.contains(kept_old));
  CHECK_FALSE(store.contains(gone));
  CHECK(store.contains(young));

  // Committing content that already exists makes the blob young again, so a
  // sweep running before the new File row is written cannot take it.
  set_mtime_ago(store.path_of(young), 7200);
  CHECK(store.put("unreferenced but young") == young);
  CHECK(store.sweep([&](const std::string& sha) { return sha == kept_old; },
                    std::chrono::hours(1)) == 0);
  CHECK(store.contains(young));
}
