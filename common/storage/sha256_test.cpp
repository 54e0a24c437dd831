#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "storage/sha256.hpp"

// Internal to sha256.cpp, declared there for these tests.
namespace amarcord::storage::detail {
void sha256_compress_generic(std::uint32_t* state, const std::uint8_t* p, std::size_t blocks);
void sha256_compress_shani(std::uint32_t* state, const std::uint8_t* p, std::size_t blocks);
bool sha256_shani_supported();
}  // namespace amarcord::storage::detail

namespace {

using amarcord::storage::is_sha256_hex;
using amarcord::storage::Sha256;
using amarcord::storage::sha256_hex;

const std::string kMsg448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const std::string kMsg896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopq"
    "rs"
    "mnopqrstnopqrstu";

}  // namespace

TEST_CASE("SHA-256 NIST test vectors", "[storage]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  REQUIRE(kMsg448.size() == 56);
  CHECK(sha256_hex(kMsg448) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  REQUIRE(kMsg896.size() == 112);
  CHECK(sha256_hex(kMsg896) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  CHECK(sha256_hex(std::string(1'000'000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 one million 'a' fed in odd pieces", "[storage]") {
  Sha256 h;
  const std::string piece(997, 'a');
  std::size_t left = 1'000'000;
  while (left > 0) {
    const std::size_t n = std::min(left, piece.size());
    h.update(piece.data(), n);
    left -= n;
  }
  CHECK(h.hex_digest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 padding boundaries match byte-at-a-time hashing", "[storage]") {
  // Lengths around 55/56/64 bytes exercise the one- vs two-block padding.
  for (std::size_t len = 0; len <= 200; ++len) {
    std::string msg(len, '\0');
    for (std::size_t i = 0; i < len; ++i)
      msg[i] = static_cast<char>(i * 31 + 7);
    Sha256 bytewise;
    for (const char c : msg)
      bytewise.update(&c, 1);
    INFO("length " << len);
    CHECK(bytewise.hex_digest() == sha256_hex(msg));
  }
}

TEST_CASE("SHA-256 incremental updates at random split points equal one-shot", "[storage]") {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 50; ++round) {
    const std::size_t len = std::uniform_int_distribution<std::size_t>(0, 5000)(rng);
    std::string msg(len, '\0');
    for (auto& c : msg)
      c = static_cast<char>(rng());
    const std::string expected = sha256_hex(msg);

    Sha256 h;
    std::size_t pos = 0;
    while (pos < len) {
      const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 150)(rng);
      const std::size_t take = std::min(n, len - pos);
      h.update(std::string_view(msg).substr(pos, take));
      pos += take;
    }
    h.update("", 0);
    INFO("round " << round << " length " << len);
    CHECK(h.hex_digest() == expected);
  }
}

TEST_CASE("SHA-256 hardware and portable compression agree", "[storage]") {
  namespace detail = amarcord::storage::detail;
  if (!detail::sha256_shani_supported()) {
    WARN("CPU without SHA extensions: only the portable code is tested");
    return;
  }
  std::mt19937_64 rng(777);
  for (const std::size_t blocks :
       {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{17}, std::size_t{1000}}) {
    std::vector<std::uint8_t> data(blocks * 64 + 1);
    for (auto& b : data)
      b = static_cast<std::uint8_t>(rng());
    std::uint32_t a[8];
    for (auto& x : a)
      x = static_cast<std::uint32_t>(rng());
    std::uint32_t b[8];
    std::copy(std::begin(a), std::end(a), std::begin(b));
    // Unaligned input on purpose.
    detail::sha256_compress_generic(a, data.data() + 1, blocks);
    detail::sha256_compress_shani(b, data.data() + 1, blocks);
    INFO("blocks " << blocks);
    CHECK(std::equal(std::begin(a), std::end(a), std::begin(b)));
  }
}

TEST_CASE("SHA-256 digest bytes and hex agree", "[storage]") {
  Sha256 a;
  a.update("abc");
  const auto bytes = a.digest();
  CHECK(bytes[0] == 0xba);
  CHECK(bytes[31] == 0xad);
  Sha256 b;
  b.update("abc");
  const std::string hex = b.hex_digest();
  CHECK(hex.size() == 64);
  CHECK(hex.find_first_not_of("0123456789abcdef") == std::string::npos);
}

TEST_CASE("is_sha256_hex accepts only 64 lower-case hex digits", "[storage]") {
  CHECK(is_sha256_hex(sha256_hex("abc")));
  CHECK(is_sha256_hex(std::string(64, '0')));
  CHECK(is_sha256_hex(std::string(64, 'f')));
  CHECK_FALSE(is_sha256_hex(""));
  CHECK_FALSE(is_sha256_hex(std::string(63, 'a')));
  CHECK_FALSE(is_sha256_hex(std::string(65, 'a')));
  CHECK_FALSE(is_sha256_hex(std::string(64, 'A')));
  CHECK_FALSE(is_sha256_hex(std::string(64, 'g')));
  std::string with_slash(64, 'a');
  with_slash[10] = '/';
  CHECK_FALSE(is_sha256_hex(with_slash));
  std::string with_nul(64, 'a');
  with_nul[63] = '\0';
  CHECK_FALSE(is_sha256_hex(with_nul));
  CHECK_FALSE(is_sha256_hex("../etc"));
}

TEST_CASE("SHA-256 throughput", "[.perf]") {
  namespace detail = amarcord::storage::detail;
  constexpr std::size_t kChunk = 1 << 20;
  constexpr std::size_t kTotal = std::size_t{256} << 20;
  std::vector<std::uint8_t> chunk(kChunk);
  for (std::size_t i = 0; i < kChunk; ++i)
    chunk[i] = static_cast<std::uint8_t>(i * 131 + 17);
  const auto mb_per_s = [&](double secs) { return static_cast<double>(kTotal) / 1e6 / secs; };

  Sha256 h;
  auto start = std::chrono::steady_clock::now();
  for (std::size_t done = 0; done < kTotal; done += kChunk)
    h.update(chunk.data(), kChunk);
  const std::string hex = h.hex_digest();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("SHA-256 (%s): 256 MiB in %.3f s = %.1f MB/s\n",
              detail::sha256_shani_supported() ? "SHA extensions" : "portable", secs,
              mb_per_s(secs));
  // Python: hashlib.sha256(bytes((i*131+17) & 0xff for i in range(1<<20)) * 256)
  CHECK(hex == "59d10de7f136cf8d42745a3805d349fe0550920e6e8f334d1f728b2d729cc92e");

  std::uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  start = std::chrono::steady_clock::now();
  for (std::size_t done = 0; done < kTotal; done += kChunk)
    detail::sha256_compress_generic(state, chunk.data(), kChunk / 64);
  secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("SHA-256 (portable compression only): 256 MiB in %.3f s = %.1f MB/s (%08x)\n", secs,
              mb_per_s(secs), state[0]);
}
