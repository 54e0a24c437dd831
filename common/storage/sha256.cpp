#include "storage/sha256.hpp"

// Declared here, used by the tests: both compression functions are checked
// against each other whatever CPU runs the tests.
namespace amarcord::storage::detail {
void sha256_compress_generic(std::uint32_t* state, const std::uint8_t* p, std::size_t blocks);
void sha256_compress_shani(std::uint32_t* state, const std::uint8_t* p, std::size_t blocks);
bool sha256_shani_supported();
}  // namespace amarcord::storage::detail

#include <algorithm>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AMARCORD_SHA256_HAVE_SHANI 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define AMARCORD_SHA256_HAVE_SHANI 0
#endif

namespace amarcord::storage {
namespace {

constexpr std::array<std::uint32_t, 64> kK = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::array<std::uint32_t, 8> kInit = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

inline std::uint32_t rotr(std::uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

inline std::uint32_t load_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

inline void store_be32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

inline std::uint32_t big_sigma0(std::uint32_t x) {
  return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22);
}
inline std::uint32_t big_sigma1(std::uint32_t x) {
  return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25);
}
inline std::uint32_t small_sigma0(std::uint32_t x) {
  return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3);
}
inline std::uint32_t small_sigma1(std::uint32_t x) {
  return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10);
}
inline std::uint32_t ch(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return z ^ (x & (y ^ z));
}
inline std::uint32_t maj(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return (x & y) | (z & (x | y));
}

}  // namespace

namespace detail {

// The compression function of FIPS 180-4 §6.2.2 over `blocks` 64-byte blocks,
// portable C++. The message schedule is kept in a 16-word ring.
void sha256_compress_generic(std::uint32_t* state, const std::uint8_t* p, std::size_t blocks) {
  for (; blocks > 0; --blocks, p += 64) {
    std::uint32_t w[16];
    for (int i = 0; i < 16; ++i)
      w[i] = load_be32(p + 4 * i);

    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];

    // The variables rotate by renaming instead of moving: eight rounds per
    // iteration with the roles shifted by one each round.
#define AMARCORD_SHA256_ROUND(a, b, c, d, e, f, g, h, i, wi)                 \
  do {                                                                       \
    const std::uint32_t t1 = h + big_sigma1(e) + ch(e, f, g) + kK[i] + (wi); \
    const std::uint32_t t2 = big_sigma0(a) + maj(a, b, c);                   \
    d += t1;                                                                 \
    h = t1 + t2;                                                             \
  } while (0)

    for (int i = 0; i < 16; i += 8) {
      AMARCORD_SHA256_ROUND(a, b, c, d, e, f, g, h, i + 0, w[i + 0]);
      AMARCORD_SHA256_ROUND(h, a, b, c, d, e, f, g, i + 1, w[i + 1]);
      AMARCORD_SHA256_ROUND(g, h, a, b, c, d, e, f, i + 2, w[i + 2]);
      AMARCORD_SHA256_ROUND(f, g, h, a, b, c, d, e, i + 3, w[i + 3]);
      AMARCORD_SHA256_ROUND(e, f, g, h, a, b, c, d, i + 4, w[i + 4]);
      AMARCORD_SHA256_ROUND(d, e, f, g, h, a, b, c, i + 5, w[i + 5]);
      AMARCORD_SHA256_ROUND(c, d, e, f, g, h, a, b, i + 6, w[i + 6]);
      AMARCORD_SHA256_ROUND(b, c, d, e, f, g, h, a, i + 7, w[i + 7]);
    }

    // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], computed in place.
#define AMARCORD_SHA256_W(t) \
  (w[(t)&15] +=              \
   small_sigma1(w[((t) + 14) & 15]) + w[((t) + 9) & 15] + small_sigma0(w[((t) + 1) & 15]))

    for (int i = 16; i < 64; i += 8) {
      AMARCORD_SHA256_ROUND(a, b, c, d, e, f, g, h, i + 0, AMARCORD_SHA256_W(i + 0));
      AMARCORD_SHA256_ROUND(h, a, b, c, d, e, f, g, i + 1, AMARCORD_SHA256_W(i + 1));
      AMARCORD_SHA256_ROUND(g, h, a, b, c, d, e, f, i + 2, AMARCORD_SHA256_W(i + 2));
      AMARCORD_SHA256_ROUND(f, g, h, a, b, c, d, e, i + 3, AMARCORD_SHA256_W(i + 3));
      AMARCORD_SHA256_ROUND(e, f, g, h, a, b, c, d, i + 4, AMARCORD_SHA256_W(i + 4));
      AMARCORD_SHA256_ROUND(d, e, f, g, h, a, b, c, i + 5, AMARCORD_SHA256_W(i + 5));
      AMARCORD_SHA256_ROUND(c, d, e, f, g, h, a, b, i + 6, AMARCORD_SHA256_W(i + 6));
      AMARCORD_SHA256_ROUND(b, c, d, e, f, g, h, a, i + 7, AMARCORD_SHA256_W(i + 7));
    }
#undef AMARCORD_SHA256_W
#undef AMARCORD_SHA256_ROUND

    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
}

#if AMARCORD_SHA256_HAVE_SHANI
// The same with the x86 SHA extensions (Intel since Goldmont/Ice Lake, AMD
// since Zen), roughly 5-10x faster. The state is kept as two vectors in the
// order the instructions want: ABEF and CDGH.
__attribute__((target("sha,sse4.1,ssse3"))) void sha256_compress_shani(std::uint32_t* state,
                                                                       const std::uint8_t* p,
                                                                       std::size_t blocks) {
  const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));       // A B C D
  __m128i cdgh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));  // E F G H
  tmp = _mm_shuffle_epi32(tmp, 0xb1);                                           // B A D C
  cdgh = _mm_shuffle_epi32(cdgh, 0x1b);                                         // H G F E
  __m128i abef = _mm_alignr_epi8(tmp, cdgh, 8);                                 // F E B A
  cdgh = _mm_blend_epi16(cdgh, tmp, 0xf0);                                      // H G D C
  const auto* k = reinterpret_cast<const __m128i*>(kK.data());

  for (; blocks > 0; --blocks, p += 64) {
    const __m128i abef_saved = abef;
    const __m128i cdgh_saved = cdgh;
    __m128i w[4];
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
      __m128i& wg = w[g & 3];
      if (g < 4) {
        wg = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * g)),
                              byteswap);
      } else {
        // W[t..t+3] from W[t-16..t-13] (wg, about to be replaced), W[t-15..],
        // W[t-7..t-4] and W[t-4..t-1].
        const __m128i& w3 = w[(g + 1) & 3];  // W[t-12..t-9]
        const __m128i& w2 = w[(g + 2) & 3];  // W[t-8..t-5]
        const __m128i& w1 = w[(g + 3) & 3];  // W[t-4..t-1]
        wg = _mm_sha256msg1_epu32(wg, w3);
        wg = _mm_add_epi32(wg, _mm_alignr_epi8(w1, w2, 4));
        wg = _mm_sha256msg2_epu32(wg, w1);
      }
      __m128i wk = _mm_add_epi32(wg, _mm_loadu_si128(k + g));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);  // two rounds; cdgh now holds ABEF
      wk = _mm_shuffle_epi32(wk, 0x0e);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);  // two more; roles swap back
    }
    abef = _mm_add_epi32(abef, abef_saved);
    cdgh = _mm_add_epi32(cdgh, cdgh_saved);
  }

  tmp = _mm_shuffle_epi32(abef, 0x1b);                                                    // A B E F
  cdgh = _mm_shuffle_epi32(cdgh, 0xb1);                                                   // G H C D
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(tmp, cdgh, 0xf0));  // A B C D
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4),
                   _mm_alignr_epi8(cdgh, tmp, 8));  // E F G H
}

bool sha256_shani_supported() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
  if ((c & bit_SSSE3) == 0 || (c & bit_SSE4_1) == 0) return false;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  return (b & bit_SHA) != 0;
}
#else
void sha256_compress_shani(std::uint32_t* state, const std::uint8_t* p, std::size_t blocks) {
  sha256_compress_generic(state, p, blocks);
}
bool sha256_shani_supported() {
  return false;
}
#endif

}  // namespace detail

namespace {

using CompressFn = void (*)(std::uint32_t*, const std::uint8_t*, std::size_t);

CompressFn compress_fn() {
  static const CompressFn fn = detail::sha256_shani_supported() ? detail::sha256_compress_shani
                                                                : detail::sha256_compress_generic;
  return fn;
}

}  // namespace

Sha256::Sha256() : h_(kInit), buf_{} {}

void Sha256::block(const std::uint8_t* p) {
  compress_fn()(h_.data(), p, 1);
}

void Sha256::update(const void* data, std::size_t size) {
  auto p = static_cast<const std::uint8_t*>(data);
  total_ += size;
  if (buf_len_ > 0) {
    const std::size_t take = std::min(size, buf_.size() - buf_len_);
    std::memcpy(buf_.data() + buf_len_, p, take);
    buf_len_ += take;
    p += take;
    size -= take;
    if (buf_len_ < buf_.size()) return;
    block(buf_.data());
    buf_len_ = 0;
  }
  // Whole blocks straight from the caller's memory, no copy.
  if (size >= 64) {
    const std::size_t blocks = size / 64;
    compress_fn()(h_.data(), p, blocks);
    p += blocks * 64;
    size -= blocks * 64;
  }
  if (size > 0) {
    std::memcpy(buf_.data(), p, size);
    buf_len_ = size;
  }
}

std::array<std::uint8_t, 32> Sha256::digest() {
  const std::uint64_t bits = total_ * 8;
  // Padding: 0x80, zeros up to 56 mod 64, then the 64-bit big-endian length.
  buf_[buf_len_++] = 0x80;
  if (buf_len_ > 56) {
    std::memset(buf_.data() + buf_len_, 0, 64 - buf_len_);
    block(buf_.data());
    buf_len_ = 0;
  }
  std::memset(buf_.data() + buf_len_, 0, 56 - buf_len_);
  store_be32(buf_.data() + 56, static_cast<std::uint32_t>(bits >> 32));
  store_be32(buf_.data() + 60, static_cast<std::uint32_t>(bits));
  block(buf_.data());
  buf_len_ = 0;

  std::array<std::uint8_t, 32> out{};
  for (int i = 0; i < 8; ++i)
    store_be32(out.data() + 4 * i, h_[i]);
  return out;
}

std::string Sha256::hex_digest() {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto d = digest();
  std::string out(64, '0');
  for (std::size_t i = 0; i < d.size(); ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 0x0f];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex_digest();
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace amarcord::storage
