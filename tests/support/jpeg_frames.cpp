#include "support/jpeg_frames.hpp"

#include <turbojpeg.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace amarcord::test {
namespace {

struct TjHandle {
  tjhandle h;
  explicit TjHandle(tjhandle handle) : h(handle) {
    if (h == nullptr) throw std::runtime_error("TurboJPEG init failed");
  }
  ~TjHandle() { tjDestroy(h); }
  TjHandle(const TjHandle&) = delete;
  TjHandle& operator=(const TjHandle&) = delete;
};

// xorshift: deterministic texture, so a frame set is the same every run.
struct Rng {
  std::uint64_t x;
  explicit Rng(std::uint64_t seed) : x(seed * 0x9E3779B97F4A7C15ull + 1) {}
  std::uint32_t next() {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    return static_cast<std::uint32_t>((x * 0x2545F4914F6CDD1Dull) >> 32);
  }
};

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

bool is_jpeg(std::string_view s) {
  return s.size() >= 4 && static_cast<unsigned char>(s[0]) == 0xFF &&
         static_cast<unsigned char>(s[1]) == 0xD8 &&
         static_cast<unsigned char>(s[s.size() - 2]) == 0xFF &&
         static_cast<unsigned char>(s[s.size() - 1]) == 0xD9;
}

void require_jpeg(std::string_view s) {
  if (!is_jpeg(s)) throw std::invalid_argument("not a JPEG with SOI and EOI");
}

// Offset just past the start-of-scan marker (FF DA); the entropy data
// starts a little after it.
std::size_t start_of_scan(std::string_view s) {
  for (std::size_t i = 2; i + 1 < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xFF && static_cast<unsigned char>(s[i + 1]) == 0xDA)
      return i + 2;
  }
  throw std::invalid_argument("JPEG without start of scan");
}

}  // namespace

std::string make_jpeg(int width, int height, int index, int noise, int quality) {
  std::vector<unsigned char> rgb(static_cast<std::size_t>(width) * height * 3);
  Rng rng(static_cast<std::uint64_t>(index) + 7);
  const int box = std::max(8, height / 6);
  const int box_x = (20 + index * 37) % std::max(1, width - box);
  const int box_y = (10 + index * 23) % std::max(1, height - box);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      auto* p = &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
      int r = (x * 255 / std::max(1, width - 1) + index * 41) % 256;
      int g = y * 255 / std::max(1, height - 1);
      int b = (128 + index * 53) % 256;
      if (x >= box_x && x < box_x + box && y >= box_y && y < box_y + box) r = g = b = 250;
      if (noise > 0) {
        const int n = static_cast<int>(rng.next() % (2 * noise + 1)) - noise;
        r = std::clamp(r + n, 0, 255);
        g = std::clamp(g + n, 0, 255);
        b = std::clamp(b + n, 0, 255);
      }
      p[0] = static_cast<unsigned char>(r);
      p[1] = static_cast<unsigned char>(g);
      p[2] = static_cast<unsigned char>(b);
    }
  }
  TjHandle tj(tjInitCompress());
  unsigned char* out = nullptr;
  unsigned long size = 0;
  if (tjCompress2(tj.h, rgb.data(), width, 0, height, TJPF_RGB, &out, &size, TJSAMP_420, quality,
                  TJFLAG_FASTDCT) != 0) {
    const std::string why = tjGetErrorStr2(tj.h);
    tjFree(out);
    throw std::runtime_error("tjCompress2: " + why);
  }
  std::string jpeg(reinterpret_cast<const char*>(out), size);
  tjFree(out);
  return jpeg;
}

std::string with_comment(std::string_view jpeg, std::string_view text) {
  require_jpeg(jpeg);
  if (text.size() > 65533) throw std::invalid_argument("comment too long");
  const auto len = static_cast<unsigned>(text.size() + 2);
  std::string out(jpeg.substr(0, 2));
  out += static_cast<char>(0xFF);
  out += static_cast<char>(0xFE);
  out += static_cast<char>(len >> 8);
  out += static_cast<char>(len & 0xFF);
  out += text;
  out += jpeg.substr(2);
  return out;
}

JpegSize jpeg_size(std::string_view jpeg) {
  TjHandle tj(tjInitDecompress());
  int w = 0, h = 0, sub = 0, cs = 0;
  if (tjDecompressHeader3(tj.h, bytes(jpeg), jpeg.size(), &w, &h, &sub, &cs) != 0) return {};
  return {w, h};
}

bool decodes_cleanly(std::string_view jpeg) {
  const auto size = jpeg_size(jpeg);
  if (size.width == 0) return false;
  TjHandle tj(tjInitDecompress());
  std::vector<unsigned char> rgb(static_cast<std::size_t>(size.width) * size.height * 3);
  return tjDecompress2(tj.h, bytes(jpeg), jpeg.size(), rgb.data(), size.width, 0, size.height,
                       TJPF_RGB, TJFLAG_STOPONWARNING) == 0;
}

std::string padded_after_eoi(std::string_view jpeg) {
  require_jpeg(jpeg);
  return std::string(jpeg) + std::string(4, '\0');
}

std::string duplicate_eoi(std::string_view jpeg) {
  require_jpeg(jpeg);
  return std::string(jpeg) + "\xFF\xD9";
}

std::string without_eoi(std::string_view jpeg) {
  require_jpeg(jpeg);
  return std::string(jpeg.substr(0, jpeg.size() - 2));
}

std::string without_soi(std::string_view jpeg) {
  require_jpeg(jpeg);
  return std::string(jpeg.substr(2));
}

std::string truncated_with_eoi(std::string_view jpeg) {
  require_jpeg(jpeg);
  const auto sos = start_of_scan(jpeg);
  auto cut = sos + (jpeg.size() - sos) / 2;
  // Do not leave a lone FF (a stuffed FF 00 cut in two) before the EOI.
  while (cut > sos && static_cast<unsigned char>(jpeg[cut - 1]) == 0xFF)
    --cut;
  return std::string(jpeg.substr(0, cut)) + "\xFF\xD9";
}

std::string marker_only_blob(std::size_t size, unsigned seed) {
  if (size < 4) throw std::invalid_argument("blob too small");
  std::string s(size, '\0');
  Rng rng(seed);
  for (std::size_t i = 2; i + 2 < size; ++i)
    s[i] = static_cast<char>(rng.next() % 255);  // never FF
  s[0] = static_cast<char>(0xFF);
  s[1] = static_cast<char>(0xD8);
  s[size - 2] = static_cast<char>(0xFF);
  s[size - 1] = static_cast<char>(0xD9);
  return s;
}

FrameSet make_frame_set(int width, int height, int count, int noise, const std::string& boundary) {
  FrameSet set;
  for (int i = 0; i < count; ++i)
    set.good.push_back(make_jpeg(width, height, i, noise));
  // Everything a generic "--" scanner would cut at, and near misses of the
  // real delimiter, but never "\r\n--<boundary>" itself.
  const std::string near_miss = boundary.substr(0, boundary.size() - 1);
  const std::string text = "\r\n--\r\n--x\n--" + near_miss + "\r\n--" + near_miss + "X\r\n--" +
                           near_miss + "\r\n--\r\n\r\n";
  set.crlf_dash = with_comment(make_jpeg(width, height, count + 100, noise), text);
  return set;
}

}  // namespace amarcord::test
