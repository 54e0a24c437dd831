#include "repo/attributi.hpp"

#include <soci/soci.h>

#include <stdexcept>

#include "json/attributo_json.hpp"

namespace amarcord::repo {
namespace {

struct Row {
  long long id = 0, beamtime_id = 0;
  std::string name, description, group, table, schema;

  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(beamtime_id));
    st.exchange(soci::into(name));
    st.exchange(soci::into(description));
    st.exchange(soci::into(group));
    st.exchange(soci::into(table));
    st.exchange(soci::into(schema));
  }
  domain::Attributo get() const {
    domain::Attributo a;
    a.id = id;
    a.beamtime_id = beamtime_id;
    a.name = name;
    a.description = description;
    a.group = group;
    const auto t = domain::associated_table_from_db(table);
    if (!t)
      throw std::runtime_error("Attributo " + std::to_string(id) + ": bad associated_table " +
                               table);
    a.associated_table = *t;
    a.type = json::type_from_stored(schema);
    return a;
  }
};

constexpr const char* kSelect =
    "SELECT id, beamtime_id, name, description, \"group\", associated_table, json_schema FROM "
    "\"Attributo\"";

// Runs a SELECT with up to two bound parameters and collects the rows.
std::vector<domain::Attributo> query(db::Conn& c, const std::string& where,
                                     std::vector<long long> ints,
                                     std::vector<std::string> strings) {
  Row row;
  soci::statement st(c.sql);
  row.bind(st);
  for (auto& i : ints)
    st.exchange(soci::use(i));
  for (auto& s : strings)
    st.exchange(soci::use(s));
  st.alloc();
  st.prepare(std::string(kSelect) + where);
  st.define_and_bind();
  st.execute();
  std::vector<domain::Attributo> out;
  while (st.fetch())
    out.push_back(row.get());
  return out;
}

}  // namespace

std::vector<domain::Attributo> list_attributi(db::Conn& c, std::int64_t beamtime_id,
                                              std::optional<domain::AssociatedTable> only) {
  if (only) {
    return query(c, " WHERE beamtime_id = :b AND associated_table = :t ORDER BY id", {beamtime_id},
                 {domain::db_name(*only)});
  }
  return query(c, " WHERE beamtime_id = :b ORDER BY id", {beamtime_id}, {});
}

std::vector<domain::Attributo> list_all_chemical_attributi(db::Conn& c) {
  return query(c, " WHERE associated_table = :t ORDER BY id", {}, {"CHEMICAL"});
}

std::vector<domain::Attributo> find_attributi(db::Conn& c, std::int64_t beamtime_id,
                                              domain::AssociatedTable table,
                                              const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return {};
  std::string list;  // integers only, so written into the SQL text
  for (const auto id : ids)
    list += (list.empty() ? "" : ",") + std::to_string(id);
  return query(
      c, " WHERE beamtime_id = :b AND associated_table = :t AND id IN (" + list + ") ORDER BY id",
      {beamtime_id}, {domain::db_name(table)});
}

std::optional<domain::Attributo> find_attributo(db::Conn& c, std::int64_t id) {
  auto rows = query(c, " WHERE id = :id", {id}, {});
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::optional<domain::Attributo> find_attributo_by_name(db::Conn& c, std::int64_t beamtime_id,
                                                        const std::string& name) {
  // Compared here, byte for byte: MySQL collations may ignore case or
  // trailing spaces.
  for (auto& a : list_attributi(c, beamtime_id)) {
    if (a.name == name) return std::move(a);
  }
  return std::nullopt;
}

std::int64_t insert_attributo(db::Conn& c, const domain::Attributo& a) {
  long long bt = a.beamtime_id;
  std::string table = domain::db_name(a.associated_table);
  std::string schema = json::type_to_stored(a.type);
  c.sql
      << "INSERT INTO \"Attributo\" (beamtime_id, name, description, \"group\", associated_table, "
         "json_schema) VALUES (:b, :n, :d, :g, :t, :s)",
      soci::use(bt), soci::use(a.name), soci::use(a.description), soci::use(a.group),
      soci::use(table), soci::use(schema);
  return c.last_insert_id();
}

void update_attributo(db::Conn& c, const domain::Attributo& a) {
  long long id = a.id;
  std::string table = domain::db_name(a.associated_table);
  std::string schema = json::type_to_stored(a.type);
  c.sql
      << "UPDATE \"Attributo\" SET name = :n, description = :d, \"group\" = :g, associated_table = "
         ":t, json_schema = :s WHERE id = :id",
      soci::use(a.name), soci::use(a.description), soci::use(a.group), soci::use(table),
      soci::use(schema), soci::use(id);
}

void delete_attributo(db::Conn& c, std::int64_t id) {
  long long key = id;
  c.sql << "DELETE FROM \"Attributo\" WHERE id = :id", soci::use(key);
}

}  // namespace amarcord::repo
