#include <turbojpeg.h>
#include <catch2/catch.hpp>

#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "mjpeg/frame_check.hpp"
#include "mjpeg/test_jpegs.hpp"

namespace {

using amarcord::mjpeg::check_frame;
using amarcord::mjpeg::downscale_jpeg;
using amarcord::mjpeg::Verify;
using amarcord::mjpeg::testing::decodes_cleanly_full_size;
using amarcord::mjpeg::testing::make_jpeg;
using amarcord::mjpeg::testing::scan_data_offset;
using amarcord::mjpeg::testing::with_comment;

constexpr Verify kBoth[] = {Verify::markers, Verify::decode};

struct Size {
  int width = 0;
  int height = 0;
};

Size header_size(const std::string& jpeg) {
  tjhandle h = tjInitDecompress();
  int w = 0, ht = 0, ss = 0, cs = 0;
  const int rc = tjDecompressHeader3(h, reinterpret_cast<const unsigned char*>(jpeg.data()),
                                     jpeg.size(), &w, &ht, &ss, &cs);
  tjDestroy(h);
  if (rc != 0) throw std::runtime_error("not a JPEG");
  return {w, ht};
}

// Average RGB of a w x h block at (x, y) of a decoded image.
std::vector<double> block_mean(const std::string& jpeg, int x, int y, int w, int h) {
  tjhandle d = tjInitDecompress();
  const Size s = header_size(jpeg);
  std::vector<unsigned char> px(static_cast<std::size_t>(s.width) * s.height * 3);
  tjDecompress2(d, reinterpret_cast<const unsigned char*>(jpeg.data()), jpeg.size(), px.data(),
                s.width, 0, s.height, TJPF_RGB, 0);
  tjDestroy(d);
  std::vector<double> mean(3, 0.0);
  for (int j = y; j < y + h; ++j)
    for (int i = x; i < x + w; ++i)
      for (int c = 0; c < 3; ++c)
        mean[c] += px[(static_cast<std::size_t>(j) * s.width + i) * 3 + c];
  for (double& m : mean)
    m /= static_cast<double>(w) * h;
  return mean;
}

}  // namespace

TEST_CASE("a good JPEG passes both checks with its size", "[mjpeg]") {
  const std::string jpeg = make_jpeg(64, 48, 1);
  for (const Verify v : kBoth) {
    const auto verdict = check_frame(jpeg, v);
    CHECK(verdict.ok);
    CHECK(verdict.reason.empty());
    CHECK(verdict.width == 64);
    CHECK(verdict.height == 48);
    CHECK(verdict.jpeg == jpeg);
  }
  // Other layouts: grey, 4:4:4, odd sizes, progressive-free large image.
  for (const std::string& other :
       {make_jpeg(17, 5, 2, 90, TJSAMP_444), make_jpeg(33, 65, 3, 50, TJSAMP_422),
        make_jpeg(40, 30, 4, 85, TJSAMP_GRAY, true), make_jpeg(1920, 1080, 5)}) {
    const auto verdict = check_frame(other, Verify::decode);
    CHECK(verdict.ok);
    CHECK(verdict.jpeg.size() == other.size());
  }
}

TEST_CASE("a truncated JPEG (no EOI) is rejected", "[mjpeg]") {
  const std::string jpeg = make_jpeg(64, 48, 2);
  const std::size_t scan = scan_data_offset(jpeg);
  for (const std::size_t keep :
       {jpeg.size() - 2, jpeg.size() - 1, (scan + jpeg.size()) / 2, scan}) {
    for (const Verify v : kBoth) {
      const auto verdict = check_frame(jpeg.substr(0, keep), v);
      CHECK_FALSE(verdict.ok);
      CHECK(verdict.reason == "no EOI marker");
    }
  }
  // Cut inside the header.
  const auto verdict = check_frame(jpeg.substr(0, 30), Verify::markers);
  CHECK_FALSE(verdict.ok);
  CHECK(verdict.reason == "truncated JPEG header");
}

TEST_CASE("an EOI in an embedded thumbnail does not end a truncated image", "[mjpeg]") {
  const std::string thumb = make_jpeg(8, 8, 3);
  std::string app1 = "\xFF\xE1";
  const std::size_t len = thumb.size() + 2;
  app1.push_back(static_cast<char>(len >> 8));
  app1.push_back(static_cast<char>(len & 0xFF));
  app1 += thumb;
  const std::string main_image = make_jpeg(64, 48, 4);
  const std::string with_thumb = main_image.substr(0, 2) + app1 + main_image.substr(2);
  CHECK(check_frame(with_thumb, Verify::decode).ok);
  const std::string torn = with_thumb.substr(0, with_thumb.size() - 300);
  CHECK_FALSE(check_frame(torn, Verify::markers).ok);
}

TEST_CASE("padding after EOI is allowed and trimmed", "[mjpeg]") {
  const std::string jpeg = make_jpeg(64, 48, 3);
  for (const std::string& pad :
       {std::string(3, '\0'), std::string("\r\n"), std::string(4000, '\0'), std::string("\xFF")}) {
    for (const Verify v : kBoth) {
      const std::string padded = jpeg + pad;  // verdict.jpeg points into it
      const auto verdict = check_frame(padded, v);
      CHECK(verdict.ok);
      CHECK(verdict.jpeg == jpeg);
    }
  }
}

TEST_CASE("a duplicate EOI is accepted; the image ends at the last one", "[mjpeg]") {
  const std::string jpeg = make_jpeg(64, 48, 4);
  const std::string doubled = jpeg + "\xFF\xD9";
  for (const Verify v : kBoth) {
    const std::string padded = doubled + std::string(2, '\0');
    const auto verdict = check_frame(padded, v);
    CHECK(verdict.ok);
    CHECK(verdict.jpeg == doubled);
  }
}

TEST_CASE("no SOI, empty parts and non-JPEG data are rejected", "[mjpeg]") {
  const std::string jpeg = make_jpeg(64, 48, 5);
  for (const Verify v : kBoth) {
    CHECK(check_frame("", v).reason == "empty part");
    CHECK(check_frame(jpeg.substr(2), v).reason == "no SOI marker");
    CHECK(check_frame("\xFF", v).reason == "no SOI marker");
    CHECK_FALSE(check_frame("\xFF\xD8", v).ok);
    CHECK_FALSE(check_frame("\xFF\xD8\xFF\xD9", v).ok);
    CHECK_FALSE(check_frame("<html>404</html>", v).ok);
    CHECK_FALSE(check_frame("\r\n" + jpeg, v).ok);
  }
}

TEST_CASE("damaged entropy data: decode mode rejects what markers mode cannot see", "[mjpeg]") {
  const std::string jpeg = make_jpeg(64, 48, 6);
  const std::size_t scan = scan_data_offset(jpeg);
  const std::size_t data_end = jpeg.size() - 2;

  SECTION("premature end of the scan data") {
    const std::string cut = jpeg.substr(0, (scan + data_end) / 2) + "\xFF\xD9";
    CHECK(check_frame(cut, Verify::markers).ok);
    const auto verdict = check_frame(cut, Verify::decode);
    CHECK_FALSE(verdict.ok);
    CHECK_THAT(verdict.reason, Catch::Matchers::StartsWith("decode error: "));
  }

  SECTION("bit flips: the cheap decode agrees with a full-size decode") {
    std::mt19937 rng(42);
    int rejected = 0;
    int disagreements = 0;
    for (int i = 0; i < 300; ++i) {
      std::string flipped = jpeg;
      const std::size_t at = scan + rng() % (data_end - scan);
      flipped[at] = static_cast<char>(flipped[at] ^ (1 << (rng() % 8)));
      // A flip that makes FF D9 or removes the stuffing after an FF changes
      // the marker structure; the markers check decides those.
      if (!check_frame(flipped, Verify::markers).ok) continue;
      const bool ok = check_frame(flipped, Verify::decode).ok;
      if (!ok) ++rejected;
      if (ok != decodes_cleanly_full_size(std::string(check_frame(flipped, Verify::markers).jpeg)))
        ++disagreements;
    }
    CHECK(rejected > 0);
    CHECK(disagreements == 0);
  }
}

TEST_CASE("decode mode works from several threads at once", "[mjpeg]") {
  const std::string good = make_jpeg(320, 240, 7);
  const std::string bad = good.substr(0, good.size() / 2) + "\xFF\xD9";
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (!check_frame(good, Verify::decode).ok) ++failures[t];
        if (check_frame(bad, Verify::decode).ok) ++failures[t];
      }
    });
  }
  for (auto& th : threads)
    th.join();
  CHECK(failures == std::vector<int>(4, 0));
}

TEST_CASE("downscale: 1920x1080 into 640x480 gives 640x360", "[mjpeg]") {
  const std::string jpeg = make_jpeg(1920, 1080, 8);
  const auto small = downscale_jpeg(jpeg, 640, 480);
  REQUIRE(small);
  const Size s = header_size(*small);
  CHECK(s.width == 640);
  CHECK(s.height == 360);
  const auto verdict = check_frame(*small, Verify::decode);
  CHECK(verdict.ok);
  CHECK(verdict.width == 640);
  CHECK(verdict.height == 360);
  // The picture survives: the gradient runs dark (left) to bright (right)
  // in both, and a block's average colour stays close.
  const auto big_left = block_mean(jpeg, 0, 480, 96, 96);
  const auto small_left = block_mean(*small, 0, 160, 32, 32);
  const auto big_mid = block_mean(jpeg, 900, 480, 96, 96);
  const auto small_mid = block_mean(*small, 300, 160, 32, 32);
  for (int c = 0; c < 3; ++c) {
    CHECK(small_left[c] == Approx(big_left[c]).margin(12));
    CHECK(small_mid[c] == Approx(big_mid[c]).margin(12));
  }
}

TEST_CASE("downscale keeps the aspect ratio and leaves small images alone", "[mjpeg]") {
  CHECK_FALSE(downscale_jpeg(make_jpeg(640, 360, 1), 640, 480));
  CHECK_FALSE(downscale_jpeg(make_jpeg(64, 48, 1), 64, 48));
  {
    const auto tall = downscale_jpeg(make_jpeg(300, 1000, 2), 640, 480);
    REQUIRE(tall);
    const Size s = header_size(*tall);
    CHECK(s.height == 480);
    CHECK(s.width == 144);
  }
  {
    // Beyond the decoder's 1/8: the area filter does the rest.
    const auto tiny = downscale_jpeg(make_jpeg(2000, 1000, 3), 100, 100);
    REQUIRE(tiny);
    const Size s = header_size(*tiny);
    CHECK(s.width == 100);
    CHECK(s.height == 50);
  }
  {
    const auto grey = downscale_jpeg(make_jpeg(800, 600, 4, 85, TJSAMP_GRAY, true), 400, 400);
    REQUIRE(grey);
    const Size s = header_size(*grey);
    CHECK(s.width == 400);
    CHECK(s.height == 300);
    CHECK(check_frame(*grey, Verify::decode).ok);
  }
}

TEST_CASE("downscale throws on data that is no JPEG", "[mjpeg]") {
  CHECK_THROWS(downscale_jpeg("not a jpeg", 10, 10));
  CHECK_THROWS(downscale_jpeg("", 10, 10));
  CHECK_THROWS(downscale_jpeg(make_jpeg(64, 48, 1), 0, 10));
}

TEST_CASE("a header claiming a gigantic image is refused before decoding", "[mjpeg]") {
  std::string jpeg = make_jpeg(64, 48, 1);
  // Patch the SOF (FF C0) to claim 65000 x 65000 pixels.
  const std::size_t sof = jpeg.find("\xFF\xC0");
  REQUIRE(sof != std::string::npos);
  for (const std::size_t at : {sof + 5, sof + 7}) {
    jpeg[at] = static_cast<char>(65000 >> 8);
    jpeg[at + 1] = static_cast<char>(65000 & 0xFF);
  }
  const auto markers = check_frame(jpeg, Verify::markers);
  CHECK(markers.ok);
  CHECK(markers.width == 65000);
  const auto decode = check_frame(jpeg, Verify::decode);
  CHECK_FALSE(decode.ok);
  CHECK(decode.reason == "image too large");
  CHECK_THROWS(downscale_jpeg(jpeg, 640, 480));
}

TEST_CASE("frames with comments containing stream bytes stay valid", "[mjpeg]") {
  const std::string jpeg = with_comment(make_jpeg(64, 48, 9), "\r\n--myboundary\r\n\xFF");
  CHECK(check_frame(jpeg, Verify::decode).ok);
}
