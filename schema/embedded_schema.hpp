// The SQL files of schema/, compiled into the program (see
// cmake/embed_files.cmake). Paths look like "sqlite/0001_amarcord_head.sql";
// files under "common/" apply to every engine without a file of its own.
#pragma once

#include <cstddef>
#include <string_view>

namespace amarcord::schema {

struct EmbeddedFile {
  std::string_view path;
  std::string_view content;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;

}  // namespace amarcord::schema
