#include "repo/chemicals.hpp"

#include <soci/soci.h>

#include <stdexcept>

#include "db/values.hpp"
#include "repo/attributo_values.hpp"
#include "repo/files.hpp"

namespace amarcord::repo {
namespace {

std::vector<domain::Chemical> query(db::Conn& c, const std::string& where,
                                    std::optional<long long> param) {
  long long id = 0, bt = 0, p = param.value_or(0);
  std::string name, person, modified, type;
  soci::statement st(c.sql);
  st.exchange(soci::into(id));
  st.exchange(soci::into(bt));
  st.exchange(soci::into(name));
  st.exchange(soci::into(person));
  st.exchange(soci::into(modified));
  st.exchange(soci::into(type));
  if (param) st.exchange(soci::use(p));
  st.alloc();
  st.prepare(
      "SELECT e.id, e.beamtime_id, e.name, e.responsible_person, e.modified, e.type FROM "
      "\"Chemical\" e " +
      where + " ORDER BY e.id");
  st.define_and_bind();
  st.execute();
  std::vector<domain::Chemical> out;
  while (st.fetch()) {
    domain::Chemical chem;
    chem.id = id;
    chem.beamtime_id = bt;
    chem.name = name;
    chem.responsible_person = person;
    chem.modified = db::instant_from_db(modified, "Chemical.modified");
    const auto t = domain::chemical_type_from(type);
    if (!t) throw std::runtime_error("Chemical " + std::to_string(id) + ": bad type " + type);
    chem.type = *t;
    out.push_back(std::move(chem));
  }
  return out;
}

// Fills values and files of `chemicals`, selected again by the same condition.
void fill(db::Conn& c, std::vector<domain::Chemical>& chemicals, const std::string& where,
          std::int64_t param) {
  auto values = read_values(c, ValueTable::chemical, where, param);
  auto files = chemical_files(c, where, param);
  for (auto& chem : chemicals) {
    if (auto it = values.find(chem.id); it != values.end()) chem.values = std::move(it->second);
    if (auto it = files.find(chem.id); it != files.end()) chem.files = std::move(it->second);
  }
}

}  // namespace

std::vector<domain::Chemical> list_chemicals(db::Conn& c, std::int64_t beamtime_id) {
  auto out = query(c, "WHERE e.beamtime_id = :p", beamtime_id);
  fill(c, out, "e.beamtime_id = :p", beamtime_id);
  return out;
}

std::vector<domain::Chemical> list_all_chemicals(db::Conn& c) {
  auto out = query(c, "", std::nullopt);
  // "e.id > :p" with p = -1 selects every chemical through the same query shape.
  fill(c, out, "e.id > :p", -1);
  return out;
}

std::optional<domain::Chemical> find_chemical(db::Conn& c, std::int64_t id) {
  auto out = query(c, "WHERE e.id = :p", id);
  if (out.empty()) return std::nullopt;
  fill(c, out, "e.id = :p", id);
  return std::move(out.front());
}

bool chemical_exists(db::Conn& c, std::int64_t id) {
  long long key = id;
  int n = 0;
  c.sql << "SELECT COUNT(*) FROM \"Chemical\" WHERE id = :id", soci::use(key), soci::into(n);
  return n > 0;
}

std::vector<std::int64_t> chemical_ids(db::Conn& c, std::int64_t beamtime_id) {
  // Ids only: run ingest checks chemical references with this, and loading
  // the chemicals with their values and files cost more than the insert.
  long long bt = beamtime_id, id = 0;
  std::vector<std::int64_t> out;
  soci::statement st = (c.sql.prepare << "SELECT id FROM \"Chemical\" WHERE beamtime_id = :b",
                        soci::into(id), soci::use(bt));
  if (st.execute(true)) {
    do {
      out.push_back(id);
    } while (st.fetch());
  }
  return out;
}

std::int64_t insert_chemical(db::Conn& c, const domain::Chemical& chem) {
  long long bt = chem.beamtime_id;
  std::string modified = db::to_db(chem.modified);
  std::string type = domain::db_name(chem.type);
  c.sql
      << "INSERT INTO \"Chemical\" (beamtime_id, name, responsible_person, modified, type) VALUES "
         "(:b, :n, :r, :m, :t)",
      soci::use(bt), soci::use(chem.name), soci::use(chem.responsible_person), soci::use(modified),
      soci::use(type);
  return c.last_insert_id();
}

void update_chemical_row(db::Conn& c, const domain::Chemical& chem) {
  long long id = chem.id;
  std::string modified = db::to_db(chem.modified);
  std::string type = domain::db_name(chem.type);
  c.sql << "UPDATE \"Chemical\" SET name = :n, responsible_person = :r, modified = :m, type = :t "
           "WHERE id = :id",
      soci::use(chem.name), soci::use(chem.responsible_person), soci::use(modified),
      soci::use(type), soci::use(id);
}

void delete_chemical(db::Conn& c, std::int64_t id) {
  long long key = id;
  c.sql << "DELETE FROM \"Chemical\" WHERE id = :id", soci::use(key);
}

}  // namespace amarcord::repo
