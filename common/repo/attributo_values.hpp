// Value rows of attributi in the three value tables
// (ChemicalHasAttributoValue, RunHasAttributoValue, DataSetHasAttributoValue).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "db/database.hpp"
#include "domain/attributo_value.hpp"

namespace amarcord::repo {

enum class ValueTable { chemical, run, data_set };

// Values of every entity selected by `entity_where`, a condition on the
// entity table aliased "e" with one integer parameter (e.g.
// "e.beamtime_id = :p"). Rows come in attributo-id order.
std::map<std::int64_t, domain::ValueMap> read_values(db::Conn& c, ValueTable table,
                                                     const std::string& entity_where,
                                                     std::int64_t param);
domain::ValueMap read_values_of(db::Conn& c, ValueTable table, std::int64_t entity_id);

// Replaces the value row (entity, attributo).
void write_value(db::Conn& c, ValueTable table, std::int64_t entity_id, std::int64_t attributo_id,
                 const domain::AttributoValue& v);
// Adds the value rows (entity, attributo), which must not exist yet (a new
// entity): one statement, compiled once and run for every row.
void insert_values(
    db::Conn& c, ValueTable table, std::int64_t entity_id,
    const std::vector<std::pair<std::int64_t, const domain::AttributoValue*>>& values);
void delete_value(db::Conn& c, ValueTable table, std::int64_t entity_id, std::int64_t attributo_id);

// Every row of one attributo in a table, by entity id (for type changes).
std::vector<std::pair<std::int64_t, domain::AttributoValue>> values_of_attributo(
    db::Conn& c, ValueTable table, std::int64_t attributo_id);

}  // namespace amarcord::repo
