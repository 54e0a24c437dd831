// Attributo rows (table "Attributo").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "domain/attributo_type.hpp"

namespace amarcord::repo {

// Attributi of a beamtime in id order, optionally of one table only.
std::vector<domain::Attributo> list_attributi(
    db::Conn& c, std::int64_t beamtime_id,
    std::optional<domain::AssociatedTable> only = std::nullopt);
// Chemical attributi of every beamtime, id order.
std::vector<domain::Attributo> list_all_chemical_attributi(db::Conn& c);
std::optional<domain::Attributo> find_attributo(db::Conn& c, std::int64_t id);
// The attributi of `table` in the beamtime among `ids` (unknown ids are left
// out), in id order: what a request names, not the beamtime's whole list.
std::vector<domain::Attributo> find_attributi(db::Conn& c, std::int64_t beamtime_id,
                                              domain::AssociatedTable table,
                                              const std::vector<std::int64_t>& ids);
// Same name in the beamtime, of any table.
std::optional<domain::Attributo> find_attributo_by_name(db::Conn& c, std::int64_t beamtime_id,
                                                        const std::string& name);
std::int64_t insert_attributo(db::Conn& c, const domain::Attributo& a);
// Overwrites name, description, group, table and type (never the beamtime).
void update_attributo(db::Conn& c, const domain::Attributo& a);
void delete_attributo(db::Conn& c, std::int64_t id);

}  // namespace amarcord::repo
