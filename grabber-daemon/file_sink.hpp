// Sink (a): the server's data directory on the same host. The live image of
// beamtime N is DATA_DIR/live/live-stream-image-N (design.md §4), replaced
// atomically so the server never serves a torn frame.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace amarcord::grabber {

class FileSink {
 public:
  // Creates DATA_DIR/live if missing (throws storage::StorageError).
  FileSink(const std::filesystem::path& data_dir, bool durable);

  std::filesystem::path path_of(std::int64_t beamtime_id) const;
  // Replaces the live image; throws storage::StorageError (the old image stays).
  void write(std::int64_t beamtime_id, std::string_view jpeg);
  // Removes temp files of live images left by a killed writer, of one
  // beamtime or (nullopt) of all; returns how many.
  int remove_stale_temps(std::optional<std::int64_t> beamtime_id) const;
  const std::filesystem::path& live_dir() const { return live_dir_; }

 private:
  std::filesystem::path live_dir_;
  bool durable_;
};

}  // namespace amarcord::grabber
