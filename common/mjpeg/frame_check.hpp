// Deciding whether a part of a camera stream is a JPEG worth showing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace amarcord::mjpeg {

enum class Verify { markers, decode };

struct FrameVerdict {
  bool ok = false;
  std::string reason;  // why it was rejected, e.g. "no SOI marker", "decode error: ..."
  int width = 0;       // known when the header was parsed (decode mode, or SOF seen)
  int height = 0;
  // The JPEG without trailing padding after the (last) EOI marker.
  std::string_view jpeg;
};

// markers: SOI at the start, well-formed marker segments up to the first scan
// (width/height from SOF), an EOI after the scan start (padding after the last
// EOI is allowed and trimmed; an EOI inside an EXIF thumbnail does not count).
// decode: additionally TurboJPEG decodes the whole image (every block is
// entropy-decoded; the output is 1/8-scale grey to save the IDCT and colour
// work) and must report no error and no warning about corrupt data. Warnings
// about odd metadata (unknown JFIF revision, Adobe transform, ICC marker,
// sequential SOS parameters) do not reject. Thread-safe: each thread reuses
// its own decompressor.
// An empty (zero-length) part is rejected with "empty part".
FrameVerdict check_frame(std::string_view part, Verify verify);

// Re-encodes `jpeg` scaled down to fit max_width x max_height (aspect kept)
// when it is larger; nullopt when it already fits. Throws on decode errors.
// The decoder's n/8 scaling does most of the reduction, an area filter the
// rest; 4:4:4/4:2:2/4:2:0 subsampling and greyscale are kept.
std::optional<std::string> downscale_jpeg(std::string_view jpeg, int max_width, int max_height,
                                          int quality = 85);

}  // namespace amarcord::mjpeg
