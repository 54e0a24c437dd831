#include "file_sink.hpp"

#include <string>

#include "atomic_replace.hpp"
#include "storage/blob_store.hpp"
#include "storage/live_images.hpp"

namespace amarcord::grabber {
FileSink::FileSink(const std::filesystem::path& data_dir, bool durable)
    : live_dir_(data_dir / "live"), durable_(durable) {
  std::error_code ec;
  std::filesystem::create_directories(live_dir_, ec);
  if (ec) throw storage::StorageError("cannot create " + live_dir_.string() + ": " + ec.message());
}

std::filesystem::path FileSink::path_of(std::int64_t beamtime_id) const {
  return live_dir_ / storage::LiveImages::file_name(beamtime_id);
}

void FileSink::write(std::int64_t beamtime_id, std::string_view jpeg) {
  replace_file(path_of(beamtime_id), jpeg, durable_);
}

int FileSink::remove_stale_temps(std::optional<std::int64_t> beamtime_id) const {
  if (beamtime_id) {
    const std::string name = storage::LiveImages::file_name(*beamtime_id);
    return remove_temps(live_dir_, [&](std::string_view target) { return target == name; });
  }
  return remove_temps(live_dir_, [](std::string_view target) {
    return storage::LiveImages::beamtime_of(std::string(target)).has_value();
  });
}

}  // namespace amarcord::grabber
