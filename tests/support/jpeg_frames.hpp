// Real JPEG frames for the fake camera, made with TurboJPEG when a test
// starts, and the damaged variants of them that cameras send in the field
// (grabber-cases.md §2.2): padding after EOI, a duplicate EOI, a missing EOI,
// no SOI, entropy data cut short.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace amarcord::test {

// A width x height RGB image (a gradient shifted by `index`, a bright square
// whose place depends on `index`, plus `noise` amplitude of pseudo-random
// texture so frames have realistic sizes) compressed at `quality`.
std::string make_jpeg(int width, int height, int index, int noise = 0, int quality = 85);

// `jpeg` with a comment (COM) segment right after SOI holding `text`. The
// result is still a valid JPEG; used to put "\r\n--" into a frame's bytes.
std::string with_comment(std::string_view jpeg, std::string_view text);

// The width and height from a JPEG's header; {0, 0} when it does not parse.
struct JpegSize {
  int width = 0;
  int height = 0;
};
JpegSize jpeg_size(std::string_view jpeg);
// True when TurboJPEG decodes `jpeg` without error or warning.
bool decodes_cleanly(std::string_view jpeg);

// Field damage. Each takes a valid JPEG (SOI ... EOI).
std::string padded_after_eoi(std::string_view jpeg);  // + 00 00 00 00
std::string duplicate_eoi(std::string_view jpeg);     // + FF D9
std::string without_eoi(std::string_view jpeg);       // last two bytes cut
std::string without_soi(std::string_view jpeg);       // first two bytes cut
// Entropy data cut in the middle and EOI appended: the markers are fine but
// a decoder reports premature end of data.
std::string truncated_with_eoi(std::string_view jpeg);
// SOI, `size - 4` pseudo-random bytes without any FF, EOI: passes a marker
// check but is no image (for oversize parts, whose content is never looked at).
std::string marker_only_blob(std::size_t size, unsigned seed);

// The frames one fake camera plays.
struct FrameSet {
  std::vector<std::string> good;  // distinct valid JPEGs, played in turn
  // A valid JPEG whose bytes contain "\r\n--", "\n--" and "\r\n--" followed
  // by a prefix of the boundary (in a COM segment), never the full delimiter.
  std::string crlf_dash;
};

// `count` distinct frames of width x height; crlf_dash is built on frame 0's
// image with the boundary `boundary` in mind.
FrameSet make_frame_set(int width, int height, int count, int noise = 0,
                        const std::string& boundary = "myboundary");

}  // namespace amarcord::test
