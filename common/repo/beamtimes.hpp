// Beamtime rows (table "Beamtime") and the chemical names shown with them.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "db/database.hpp"
#include "domain/beamtime.hpp"

namespace amarcord::repo {

std::int64_t insert_beamtime(db::Conn& c, const domain::BeamtimeFields& f);
// Returns false when no beamtime has this id.
bool update_beamtime(db::Conn& c, std::int64_t id, const domain::BeamtimeFields& f);
// chemical_names filled; nullopt when the id is unknown.
std::optional<domain::Beamtime> find_beamtime(db::Conn& c, std::int64_t id);
// Newest start first (ties by id); chemical_names filled.
std::vector<domain::Beamtime> list_beamtimes(db::Conn& c);
bool beamtime_exists(db::Conn& c, std::int64_t id);

}  // namespace amarcord::repo
