// SHA-256 (FIPS 180-4), incremental. File rows carry the lower-case hex
// digest of their uncompressed bytes, and the blob store is addressed by it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace amarcord::storage {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // Finishes and returns the digest; the object must not be updated after.
  std::array<std::uint8_t, 32> digest();
  std::string hex_digest();

 private:
  void block(const std::uint8_t* p);
  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buf_;
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;
};

std::string sha256_hex(std::string_view data);
bool is_sha256_hex(std::string_view s);  // 64 lower-case hex digits

}  // namespace amarcord::storage
