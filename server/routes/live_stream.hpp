// The live camera image of a beamtime as the routes see it.
#pragma once

#include <optional>

#include "app.hpp"
#include "domain/file_meta.hpp"

namespace amarcord::server {

// Copies the current live image of the beamtime into the blob store and
// records it as a new File "live-stream-image-<id>-copy" (inside the
// caller's transaction `c`). nullopt when the beamtime has no live image.
// The bytes are copied before the transaction's writes, from one opened
// file, so a replacement meanwhile cannot tear the copy.
struct FrozenImage {
  domain::FileMeta meta;  // id not yet assigned
};
std::optional<FrozenImage> freeze_live_image(AppContext& app, std::int64_t beamtime_id);
std::int64_t record_frozen_image(db::Conn& c, FrozenImage& image);

}  // namespace amarcord::server
