#include "mjpeg/frame_check.hpp"

#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>  // memrchr (glibc)
#include <stdexcept>
#include <vector>

// Markers mode walks the marker segments from SOI to the first SOS (a few
// dozen bytes of lengths, no pixel work), takes width and height from the SOF
// segment, and looks for the last EOI after the start of the scan data (an EOI
// inside an embedded EXIF thumbnail does not count). Entropy-coded data can
// not contain FF D9 (an FF there is always followed by 00 or RSTn), so the
// last FF D9 is the end of the image and anything after it is padding.
//
// Decode mode runs libjpeg-turbo over the whole image, but at 1/8 scale into
// grey pixels: every block is still entropy-decoded (which is where corrupt
// data shows up: bad Huffman codes, premature end of data, wrong restart
// markers), while the inverse DCT shrinks to the DC term and colour
// conversion and upsampling disappear. That costs a fraction of a full decode.

namespace amarcord::mjpeg {
namespace {

// Larger than any camera sensor; a header claiming more is damaged or hostile
// and would make the decoder allocate gigabytes.
constexpr long long kMaxPixels = 1LL << 28;

unsigned byte_at(std::string_view d, std::size_t i) {
  return static_cast<unsigned char>(d[i]);
}

unsigned be16(std::string_view d, std::size_t i) {
  return (byte_at(d, i) << 8) | byte_at(d, i + 1);
}

bool is_sof(unsigned m) {
  // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

struct Layout {
  const char* error = nullptr;
  int width = 0;
  int height = 0;
  int components = 0;
  std::size_t scan_start = 0;  // first byte of entropy-coded data
};

// Walks the segments after SOI up to the first SOS.
Layout walk_segments(std::string_view d) {
  Layout out;
  const auto fail = [&out](const char* why) {
    out.error = why;
    return out;
  };
  std::size_t i = 2;
  bool have_sof = false;
  for (;;) {
    if (i >= d.size()) return fail("truncated JPEG header");
    if (byte_at(d, i) != 0xFF) return fail("malformed JPEG marker segment");
    while (i < d.size() && byte_at(d, i) == 0xFF)  // fill bytes
      ++i;
    if (i >= d.size()) return fail("truncated JPEG header");
    const unsigned marker = byte_at(d, i++);
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length
    if (marker == 0xD9) return fail("EOI before image data");
    if (marker == 0x00 || marker == 0xD8) return fail("malformed JPEG marker segment");
    if (i + 2 > d.size()) return fail("truncated JPEG header");
    const std::size_t length = be16(d, i);
    if (length < 2) return fail("malformed JPEG marker segment");
    if (i + length > d.size()) return fail("truncated JPEG header");
    if (is_sof(marker) && !have_sof) {
      if (length < 8) return fail("malformed SOF segment");
      out.height = static_cast<int>(be16(d, i + 3));
      out.width = static_cast<int>(be16(d, i + 5));
      out.components = static_cast<int>(byte_at(d, i + 7));
      if (out.width == 0 || out.height == 0) return fail("SOF with zero size");
      have_sof = true;
    }
    if (marker == 0xDA) {
      if (!have_sof) return fail("no SOF marker before the scan");
      out.scan_start = i + length;
      return out;
    }
    i += length;
  }
}

// Offset of the last FF D9 at or after `from`, or npos.
std::size_t last_eoi(std::string_view d, std::size_t from) {
  std::size_t end = d.size();
  while (end > from + 1) {
    const void* hit = ::memrchr(d.data() + from + 1, 0xD9, end - (from + 1));
    if (hit == nullptr) break;
    const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - d.data());
    if (byte_at(d, at - 1) == 0xFF) return at - 1;
    end = at;
  }
  return std::string_view::npos;
}

// Closes a TurboJPEG handle when its thread ends.
struct TjHandle {
  tjhandle handle = nullptr;
  explicit TjHandle(tjhandle h) : handle(h) {}
  TjHandle(const TjHandle&) = delete;
  TjHandle& operator=(const TjHandle&) = delete;
  ~TjHandle() {
    if (handle != nullptr) tjDestroy(handle);
  }
};

tjhandle thread_decompressor() {
  thread_local TjHandle h(tjInitDecompress());
  return h.handle;
}

tjhandle thread_compressor() {
  thread_local TjHandle h(tjInitCompress());
  return h.handle;
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// libjpeg warnings that describe odd metadata, not damaged image data.
// TurboJPEG keeps only the first warning's text; these come from the header,
// which is read before any image data, so a later corrupt-data warning can
// hide behind one of them. Everything else ("Corrupt JPEG data: ...",
// "Premature end of JPEG file", ...) rejects the frame.
bool harmless_warning(std::string_view msg) {
  static constexpr std::string_view kHarmless[] = {
      "Warning: unknown JFIF revision",
      "Unknown Adobe color transform",
      "Invalid SOS parameters for sequential JPEG",
      "Corrupt JPEG data: bad ICC marker",
  };
  return std::any_of(std::begin(kHarmless), std::end(kHarmless),
                     [&](std::string_view h) { return msg.substr(0, h.size()) == h; });
}

// Empty when the image decodes cleanly, else why not.
std::string decode_problem(std::string_view jpeg, const Layout& layout) {
  if (static_cast<long long>(layout.width) * layout.height > kMaxPixels) return "image too large";
  tjhandle h = thread_decompressor();
  if (h == nullptr) return "decoder unavailable";
  static const tjscalingfactor kEighth{1, 8};
  const int w = TJSCALED(layout.width, kEighth);
  const int ht = TJSCALED(layout.height, kEighth);
  const int pixel_format = layout.components == 4 ? TJPF_CMYK : TJPF_GRAY;
  thread_local std::vector<unsigned char> pixels;
  pixels.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(ht) *
                static_cast<std::size_t>(tjPixelSize[pixel_format]));
  const int rc =
      tjDecompress2(h, bytes(jpeg), static_cast<unsigned long>(jpeg.size()), pixels.data(), w, 0,
                    ht, pixel_format, TJFLAG_FASTDCT | TJFLAG_LIMITSCANS);
  if (pixels.capacity() > (8u << 20)) std::vector<unsigned char>().swap(pixels);  // rare giant
  if (rc == 0) return {};
  const std::string msg = tjGetErrorStr2(h);
  if (tjGetErrorCode(h) == TJERR_WARNING && harmless_warning(msg)) return {};
  return "decode error: " + msg;
}

// Area-averaging resize of packed 8-bit pixels (a box filter over the source
// pixels each target pixel covers), for the last step after the decoder's
// own 1/8-step scaling.
struct Taps {
  std::vector<int> first;
  std::vector<int> count;
  std::vector<float> weights;  // count[i] weights per target index, concatenated
  std::vector<std::size_t> offset;
};

Taps box_taps(int src, int dst) {
  Taps t;
  const double scale = static_cast<double>(src) / dst;
  for (int x = 0; x < dst; ++x) {
    const double a = x * scale;
    const double b = std::min<double>(src, (x + 1) * scale);
    const int first = static_cast<int>(std::floor(a));
    const int last = std::min(src, static_cast<int>(std::ceil(b)));
    t.first.push_back(first);
    t.count.push_back(last - first);
    t.offset.push_back(t.weights.size());
    for (int i = first; i < last; ++i) {
      const double cover = std::min<double>(b, i + 1) - std::max<double>(a, i);
      t.weights.push_back(static_cast<float>(cover / (b - a)));
    }
  }
  return t;
}

std::vector<unsigned char> resize_area(const std::vector<unsigned char>& src, int sw, int sh,
                                       int channels, int dw, int dh) {
  const Taps tx = box_taps(sw, dw);
  const Taps ty = box_taps(sh, dh);
  const auto ch = static_cast<std::size_t>(channels);
  std::vector<float> rows(static_cast<std::size_t>(sh) * dw * ch);  // horizontal pass
  for (int y = 0; y < sh; ++y) {
    const unsigned char* in = src.data() + static_cast<std::size_t>(y) * sw * ch;
    float* out = rows.data() + static_cast<std::size_t>(y) * dw * ch;
    for (int x = 0; x < dw; ++x) {
      const float* wt = tx.weights.data() + tx.offset[x];
      for (std::size_t c = 0; c < ch; ++c) {
        float sum = 0;
        for (int k = 0; k < tx.count[x]; ++k)
          sum += wt[k] * in[(static_cast<std::size_t>(tx.first[x]) + k) * ch + c];
        out[x * ch + c] = sum;
      }
    }
  }
  std::vector<unsigned char> dst(static_cast<std::size_t>(dh) * dw * ch);
  const std::size_t row_len = static_cast<std::size_t>(dw) * ch;
  std::vector<float> acc(row_len);
  for (int y = 0; y < dh; ++y) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    const float* wt = ty.weights.data() + ty.offset[y];
    for (int k = 0; k < ty.count[y]; ++k) {
      const float* in = rows.data() + (static_cast<std::size_t>(ty.first[y]) + k) * row_len;
      for (std::size_t i = 0; i < row_len; ++i)
        acc[i] += wt[k] * in[i];
    }
    unsigned char* out = dst.data() + static_cast<std::size_t>(y) * row_len;
    for (std::size_t i = 0; i < row_len; ++i)
      out[i] = static_cast<unsigned char>(std::clamp(std::lround(acc[i]), 0L, 255L));
  }
  return dst;
}

[[noreturn]] void throw_tj(tjhandle h, const char* what) {
  throw std::runtime_error(std::string(what) + ": " + tjGetErrorStr2(h));
}

}  // namespace

FrameVerdict check_frame(std::string_view part, Verify verify) {
  FrameVerdict v;
  if (part.empty()) {
    v.reason = "empty part";
    return v;
  }
  if (part.size() < 2 || byte_at(part, 0) != 0xFF || byte_at(part, 1) != 0xD8) {
    v.reason = "no SOI marker";
    return v;
  }
  const Layout layout = walk_segments(part);
  if (layout.error != nullptr) {
    v.reason = layout.error;
    return v;
  }
  v.width = layout.width;
  v.height = layout.height;
  const std::size_t eoi = last_eoi(part, layout.scan_start);
  if (eoi == std::string_view::npos) {
    v.reason = "no EOI marker";
    return v;
  }
  v.jpeg = part.substr(0, eoi + 2);
  if (verify == Verify::decode) {
    std::string problem = decode_problem(v.jpeg, layout);
    if (!problem.empty()) {
      v.reason = std::move(problem);
      return v;
    }
  }
  v.ok = true;
  return v;
}

std::optional<std::string> downscale_jpeg(std::string_view jpeg, int max_width, int max_height,
                                          int quality) {
  if (max_width < 1 || max_height < 1) throw std::invalid_argument("downscale: bad target size");
  tjhandle d = thread_decompressor();
  if (d == nullptr) throw std::runtime_error("TurboJPEG decompressor unavailable");
  int width = 0, height = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(d, bytes(jpeg), static_cast<unsigned long>(jpeg.size()), &width, &height,
                          &subsamp, &colorspace) != 0 &&
      (tjGetErrorCode(d) == TJERR_FATAL || width < 1 || height < 1))
    throw_tj(d, "JPEG header");
  if (width <= max_width && height <= max_height) return std::nullopt;
  if (static_cast<long long>(width) * height > kMaxPixels)
    throw std::runtime_error("JPEG header: image too large");

  // Target size: fit inside the box, keep the aspect ratio.
  const double s =
      std::min(static_cast<double>(max_width) / width, static_cast<double>(max_height) / height);
  const int tw = std::clamp(static_cast<int>(std::lround(width * s)), 1, max_width);
  const int th = std::clamp(static_cast<int>(std::lround(height * s)), 1, max_height);

  // The decoder scales by n/8 almost for free: take the smallest factor that
  // still gives at least the target size, then average the rest away.
  int count = 0;
  const tjscalingfactor* factors = tjGetScalingFactors(&count);
  tjscalingfactor best{1, 1};
  for (int i = 0; factors != nullptr && i < count; ++i) {
    const tjscalingfactor f = factors[i];
    if (f.num > f.denom) continue;
    if (TJSCALED(width, f) >= tw && TJSCALED(height, f) >= th &&
        TJSCALED(width, f) <= TJSCALED(width, best))
      best = f;
  }
  const int sw = TJSCALED(width, best);
  const int sh = TJSCALED(height, best);
  const bool grey = colorspace == TJCS_GRAY;
  const int pixel_format = grey ? TJPF_GRAY : TJPF_RGB;
  const int channels = tjPixelSize[pixel_format];
  std::vector<unsigned char> pixels(static_cast<std::size_t>(sw) * sh * channels);
  if (tjDecompress2(d, bytes(jpeg), static_cast<unsigned long>(jpeg.size()), pixels.data(), sw, 0,
                    sh, pixel_format, TJFLAG_LIMITSCANS) != 0 &&
      tjGetErrorCode(d) == TJERR_FATAL)
    throw_tj(d, "JPEG decode");
  if (sw != tw || sh != th) pixels = resize_area(pixels, sw, sh, channels, tw, th);

  tjhandle c = thread_compressor();
  if (c == nullptr) throw std::runtime_error("TurboJPEG compressor unavailable");
  int out_subsamp = TJSAMP_420;
  if (grey) {
    out_subsamp = TJSAMP_GRAY;
  } else if (subsamp == TJSAMP_444 || subsamp == TJSAMP_422 || subsamp == TJSAMP_420) {
    out_subsamp = subsamp;
  }
  unsigned char* out = nullptr;
  unsigned long out_size = 0;
  if (tjCompress2(c, pixels.data(), tw, 0, th, pixel_format, &out, &out_size, out_subsamp,
                  std::clamp(quality, 1, 100), 0) != 0) {
    tjFree(out);
    throw_tj(c, "JPEG encode");
  }
  std::string result(reinterpret_cast<const char*>(out), out_size);
  tjFree(out);
  return result;
}

}  // namespace amarcord::mjpeg
