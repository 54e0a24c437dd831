// Metadata of a File row; the bytes live in the blob store (rows written by
// this server) or in File.contents (rows of the original AMARCORD).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/time.hpp"

namespace amarcord::domain {

struct FileMeta {
  std::int64_t id = 0;
  std::string type;  // MIME type
  std::string file_name;
  std::int64_t size_in_bytes = 0;
  std::optional<std::string> original_path;
  std::string sha256;
  Instant modified;
  std::optional<std::string> description;
  std::optional<std::int64_t> size_in_bytes_compressed;
};

}  // namespace amarcord::domain
