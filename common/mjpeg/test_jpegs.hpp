// Test-only: real JPEG images made with TurboJPEG, for the mjpeg tests.
#pragma once

#include <turbojpeg.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace amarcord::mjpeg::testing {

// A width x height image: a diagonal gradient plus a seed-dependent pattern,
// so frames differ and the entropy-coded data is not trivial.
inline std::string make_jpeg(int width, int height, unsigned seed = 0, int quality = 85,
                             int subsamp = TJSAMP_420, bool grey = false) {
  const int channels = grey ? 1 : 3;
  std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * height * channels);
  std::uint32_t noise = 2463534242u ^ (seed * 2654435761u);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      noise ^= noise << 13;
      noise ^= noise >> 17;
      noise ^= noise << 5;
      for (int c = 0; c < channels; ++c) {
        const int v = (x * 255 / (width > 1 ? width - 1 : 1) + y * 64 / (height > 0 ? height : 1) +
                       c * 40 + static_cast<int>(seed * 17) + static_cast<int>(noise % 24)) %
                      256;
        pixels[(static_cast<std::size_t>(y) * width + x) * channels + c] =
            static_cast<unsigned char>(v);
      }
    }
  }
  tjhandle h = tjInitCompress();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  const int rc = tjCompress2(h, pixels.data(), width, 0, height, grey ? TJPF_GRAY : TJPF_RGB, &out,
                             &size, grey ? TJSAMP_GRAY : subsamp, quality, 0);
  tjDestroy(h);
  if (rc != 0) {
    tjFree(out);
    throw std::runtime_error("test JPEG encode failed");
  }
  std::string jpeg(reinterpret_cast<const char*>(out), size);
  tjFree(out);
  return jpeg;
}

// Decodes at full size; true when TurboJPEG reports neither error nor warning.
inline bool decodes_cleanly_full_size(const std::string& jpeg) {
  tjhandle h = tjInitDecompress();
  int w = 0, ht = 0, ss = 0, cs = 0;
  bool ok = tjDecompressHeader3(h, reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size(),
                                &w, &ht, &ss, &cs) == 0;
  if (ok) {
    std::vector<unsigned char> px(static_cast<std::size_t>(w) * ht * 3);
    ok = tjDecompress2(h, reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size(),
                       px.data(), w, 0, ht, TJPF_RGB, 0) == 0;
  }
  tjDestroy(h);
  return ok;
}

// Offset of the first byte of entropy-coded data (after the SOS header).
inline std::size_t scan_data_offset(const std::string& jpeg) {
  std::size_t i = 2;
  while (i + 4 <= jpeg.size()) {
    const auto marker = static_cast<unsigned char>(jpeg[i + 1]);
    const std::size_t len =
        (static_cast<unsigned char>(jpeg[i + 2]) << 8) | static_cast<unsigned char>(jpeg[i + 3]);
    if (marker == 0xDA) return i + 2 + len;
    i += 2 + len;
  }
  throw std::runtime_error("no SOS in test JPEG");
}

// Inserts a COM segment with `text` right after SOI (still a valid JPEG).
inline std::string with_comment(const std::string& jpeg, const std::string& text) {
  const std::size_t len = text.size() + 2;
  std::string seg = "\xFF\xFE";
  seg.push_back(static_cast<char>(len >> 8));
  seg.push_back(static_cast<char>(len & 0xFF));
  seg += text;
  return jpeg.substr(0, 2) + seg + jpeg.substr(2);
}

}  // namespace amarcord::mjpeg::testing
