// Micro benchmark of the MJPEG stream parser and the frame check.
//
//   bench_mjpeg_parse [MiB of stream, default 256]
//
// Builds an in-memory multipart/x-mixed-replace stream of 1920x1080 JPEG
// frames (made with TurboJPEG), then times parsing it whole, in 1 MiB, 16 KiB
// (a libcurl write callback's size) and 1-byte pieces, with and without
// Content-Length, and the per-frame cost of check_frame (markers and decode)
// and of downscale_jpeg to 640x480. Single thread; wall-clock time.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mjpeg/frame_check.hpp"
#include "mjpeg/stream_parser.hpp"
#include "mjpeg/test_jpegs.hpp"

#include <turbojpeg.h>

namespace {

using amarcord::mjpeg::check_frame;
using amarcord::mjpeg::downscale_jpeg;
using amarcord::mjpeg::Part;
using amarcord::mjpeg::StreamParser;
using amarcord::mjpeg::StreamParserOptions;
using amarcord::mjpeg::Verify;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string make_stream(const std::vector<std::string>& frames, std::size_t target_bytes,
                        bool content_length) {
  std::string out = "--myboundary\r\n";
  for (std::size_t i = 0; out.size() < target_bytes; ++i) {
    const std::string& f = frames[i % frames.size()];
    out += "Content-Type: image/jpeg\r\n";
    if (content_length) out += "Content-Length: " + std::to_string(f.size()) + "\r\n";
    out += "\r\n";
    out += f;
    out += "\r\n--myboundary\r\n";
  }
  return out;
}

struct ParseRun {
  double seconds = 0;
  std::uint64_t parts = 0;
  std::uint64_t bytes = 0;
};

ParseRun parse(std::string_view stream, std::size_t chunk) {
  StreamParserOptions o;
  o.boundary = "myboundary";
  std::uint64_t parts = 0, bytes = 0;
  StreamParser p(o, [&](const Part& part) {
    ++parts;
    bytes += part.body.size();
  });
  const auto t0 = Clock::now();
  for (std::size_t i = 0; i < stream.size(); i += chunk)
    p.feed(stream.substr(i, std::min(chunk, stream.size() - i)));
  p.finish();
  return {seconds_since(t0), parts, bytes};
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  std::vector<std::string> frames;
  for (unsigned seed = 0; seed < 4; ++seed)
    frames.push_back(amarcord::mjpeg::testing::make_jpeg(1920, 1080, seed, 85));
  std::printf("frames: 1920x1080, %zu bytes average\n",
              (frames[0].size() + frames[1].size() + frames[2].size() + frames[3].size()) / 4);

  for (const bool cl : {true, false}) {
    const std::string stream = make_stream(frames, mib << 20, cl);
    std::printf("\nstream %zu MiB, %s Content-Length\n", stream.size() >> 20,
                cl ? "with" : "without");
    for (const std::size_t chunk : {stream.size(), std::size_t{1} << 20, std::size_t{16384}}) {
      ParseRun best;
      for (int rep = 0; rep < 3; ++rep) {
        const ParseRun r = parse(stream, chunk);
        if (rep == 0 || r.seconds < best.seconds) best = r;
      }
      std::printf("  chunks of %9zu bytes: %7.2f GB/s, %8.0f frames/s (%llu frames)\n", chunk,
                  static_cast<double>(stream.size()) / best.seconds / 1e9,
                  static_cast<double>(best.parts) / best.seconds,
                  static_cast<unsigned long long>(best.parts));
    }
    const std::string_view head = std::string_view(stream).substr(0, 16u << 20);
    const ParseRun one = parse(head, 1);
    std::printf("  chunks of         1 byte : %7.1f MB/s\n",
                static_cast<double>(head.size()) / one.seconds / 1e6);
  }

  std::printf("\nframe check, per 1920x1080 frame:\n");
  for (const Verify v : {Verify::markers, Verify::decode}) {
    const int n = v == Verify::markers ? 100000 : 200;
    int ok = 0;
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i)
      ok += check_frame(frames[static_cast<std::size_t>(i) % frames.size()], v).ok ? 1 : 0;
    const double s = seconds_since(t0);
    std::printf("  %-7s: %9.1f us/frame (%d/%d ok)\n", v == Verify::markers ? "markers" : "decode",
                s / n * 1e6, ok, n);
  }
  {
    // For comparison: what a plain full-size RGB decode costs.
    const int n = 50;
    tjhandle h = tjInitDecompress();
    std::vector<unsigned char> px(1920u * 1080u * 3u);
    int ok = 0;
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
      const std::string& f = frames[static_cast<std::size_t>(i) % frames.size()];
      ok += tjDecompress2(h, reinterpret_cast<const unsigned char*>(f.data()), f.size(), px.data(),
                          1920, 0, 1080, TJPF_RGB, 0) == 0
                ? 1
                : 0;
    }
    std::printf("  (full RGB decode: %9.1f us/frame, %d/%d ok)\n", seconds_since(t0) / n * 1e6, ok,
                n);
    tjDestroy(h);
  }
  {
    const int n = 50;
    const auto t0 = Clock::now();
    std::size_t out = 0;
    for (int i = 0; i < n; ++i)
      out += downscale_jpeg(frames[static_cast<std::size_t>(i) % frames.size()], 640, 480)->size();
    std::printf("  downscale to 640x360: %9.1f us/frame (%zu bytes average)\n",
                seconds_since(t0) / n * 1e6, out / n);
  }
  return 0;
}
