// Chemical rows with their values and files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "domain/chemical.hpp"

namespace amarcord::repo {

// Chemicals of one beamtime (id order), values and files filled.
std::vector<domain::Chemical> list_chemicals(db::Conn& c, std::int64_t beamtime_id);
// Every chemical of every beamtime, values and files filled, id order.
std::vector<domain::Chemical> list_all_chemicals(db::Conn& c);
std::optional<domain::Chemical> find_chemical(db::Conn& c, std::int64_t id);
bool chemical_exists(db::Conn& c, std::int64_t id);
// Chemical ids of a beamtime, for resolving references.
std::vector<std::int64_t> chemical_ids(db::Conn& c, std::int64_t beamtime_id);

// Inserts the row only (values and files are written separately).
std::int64_t insert_chemical(db::Conn& c, const domain::Chemical& chem);
void update_chemical_row(db::Conn& c, const domain::Chemical& chem);
void delete_chemical(db::Conn& c, std::int64_t id);

}  // namespace amarcord::repo
