// Replacing a small file atomically for the grabber's outputs (live image,
// status file). Readers see the old bytes or the new ones, never a mix.
// durable (the grabber's default) = storage::AtomicFileWriter (fsync file,
// rename, fsync directory); otherwise the same temp-file naming and rename
// without the fsyncs (--durable=false, for many images a second): still
// atomic for readers, but a power cut may leave an empty file.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>

namespace amarcord::grabber {

// Writes `data` to "<dir>/.<name>.<16 hex>.tmp" and renames it over `target`.
// Throws storage::StorageError; the temp file is gone afterwards either way.
void replace_file(const std::filesystem::path& target, std::string_view data, bool durable);

// The target a temp file of replace_file/AtomicFileWriter is for:
// ".<target>.<random>.tmp" -> "<target>"; nullopt for other names.
std::optional<std::string_view> temp_target(std::string_view file_name);

// Removes the temp files in `dir` whose target `which` accepts; returns how
// many were removed.
int remove_temps(const std::filesystem::path& dir,
                 const std::function<bool(std::string_view target)>& which);

}  // namespace amarcord::grabber
