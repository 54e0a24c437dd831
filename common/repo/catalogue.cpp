#include "repo/catalogue.hpp"

#include <soci/soci.h>

#include <set>
#include <stdexcept>

#include "db/values.hpp"
#include "repo/attributo_values.hpp"
#include "storage/sha256.hpp"

namespace amarcord::repo {
namespace {

std::vector<domain::ExperimentType> query_types(db::Conn& c, const std::string& where,
                                                long long param) {
  long long id = 0, bt = 0;
  std::string name;
  soci::statement st = (c.sql.prepare << "SELECT id, beamtime_id, name FROM \"ExperimentType\" " +
                                             where + " ORDER BY id",
                        soci::into(id), soci::into(bt), soci::into(name), soci::use(param));
  st.execute();
  std::vector<domain::ExperimentType> out;
  while (st.fetch())
    out.push_back(domain::ExperimentType{id, bt, name, {}});
  if (out.empty()) return out;
  // Members, in database order (the table has no key; rowid/insertion order).
  long long type_id = 0, attributo_id = 0;
  std::string role;
  soci::statement members =
      (c.sql.prepare << "SELECT m.experiment_type_id, m.attributo_id, m.chemical_role FROM "
                        "\"ExperimentHasAttributo\" m JOIN \"ExperimentType\" t ON t.id = "
                        "m.experiment_type_id " +
                            std::string(where).replace(0, 6, "WHERE t."),
       soci::into(type_id), soci::into(attributo_id), soci::into(role), soci::use(param));
  members.execute();
  while (members.fetch()) {
    for (auto& t : out) {
      if (t.id != type_id) continue;
      const auto r = domain::chemical_type_from(role);
      t.attributi.push_back({attributo_id, r.value_or(domain::ChemicalType::crystal)});
    }
  }
  return out;
}

std::optional<std::int64_t> optional_id(long long v, soci::indicator i) {
  if (i == soci::i_null) return std::nullopt;
  return v;
}

}  // namespace

std::vector<domain::ExperimentType> list_experiment_types(db::Conn& c, std::int64_t beamtime_id) {
  return query_types(c, "WHERE beamtime_id = :p", beamtime_id);
}

std::optional<domain::ExperimentType> find_experiment_type(db::Conn& c, std::int64_t id) {
  auto out = query_types(c, "WHERE id = :p", id);
  if (out.empty()) return std::nullopt;
  return std::move(out.front());
}

std::int64_t insert_experiment_type(db::Conn& c, const domain::ExperimentType& t) {
  long long bt = t.beamtime_id;
  c.sql << "INSERT INTO \"ExperimentType\" (beamtime_id, name) VALUES (:b, :n)", soci::use(bt),
      soci::use(t.name);
  const auto id = c.last_insert_id();
  for (const auto& m : t.attributi) {
    long long type_id = id, attributo_id = m.attributo_id;
    std::string role = domain::db_name(m.role);
    c.sql << "INSERT INTO \"ExperimentHasAttributo\" (experiment_type_id, attributo_id, "
             "chemical_role) VALUES (:t, :a, :r)",
        soci::use(type_id), soci::use(attributo_id), soci::use(role);
  }
  return id;
}

void delete_experiment_type(db::Conn& c, std::int64_t id) {
  long long key = id;
  c.sql << "DELETE FROM \"ExperimentType\" WHERE id = :id", soci::use(key);
}

std::map<std::int64_t, std::vector<std::int64_t>> run_external_ids_by_type(
    db::Conn& c, std::int64_t beamtime_id) {
  long long bt = beamtime_id, type = 0, external = 0;
  soci::statement st =
      (c.sql.prepare << "SELECT experiment_type_id, external_id FROM \"Run\" WHERE "
                        "beamtime_id = :b ORDER BY external_id",
       soci::into(type), soci::into(external), soci::use(bt));
  st.execute();
  std::map<std::int64_t, std::vector<std::int64_t>> out;
  while (st.fetch())
    out[type].push_back(external);
  return out;
}

std::int64_t count_runs_of_type(db::Conn& c, std::int64_t experiment_type_id) {
  long long key = experiment_type_id, n = 0;
  c.sql << "SELECT COUNT(*) FROM \"Run\" WHERE experiment_type_id = :t", soci::use(key),
      soci::into(n);
  return n;
}

std::optional<domain::RunRef> find_run(db::Conn& c, std::int64_t id) {
  long long key = id, external = 0, bt = 0, type = 0;
  soci::indicator found = soci::i_null;
  c.sql << "SELECT external_id, beamtime_id, experiment_type_id FROM \"Run\" WHERE id = :id",
      soci::use(key), soci::into(external, found), soci::into(bt), soci::into(type);
  if (!c.sql.got_data()) return std::nullopt;
  return domain::RunRef{id, external, bt, type};
}

void set_run_experiment_type(db::Conn& c, std::int64_t run_id, std::int64_t experiment_type_id) {
  long long run = run_id, type = experiment_type_id;
  std::string now = db::to_db(domain::now());
  c.sql << "UPDATE \"Run\" SET experiment_type_id = :t, modified = :m WHERE id = :r",
      soci::use(type), soci::use(now), soci::use(run);
}

std::vector<domain::DataSet> list_data_sets(db::Conn& c, std::int64_t beamtime_id) {
  long long bt = beamtime_id, id = 0, type = 0;
  soci::statement st =
      (c.sql.prepare << "SELECT d.id, d.experiment_type_id FROM \"DataSet\" d JOIN "
                        "\"ExperimentType\" t ON t.id = d.experiment_type_id WHERE "
                        "t.beamtime_id = :b ORDER BY d.id",
       soci::into(id), soci::into(type), soci::use(bt));
  st.execute();
  std::vector<domain::DataSet> out;
  while (st.fetch())
    out.push_back(domain::DataSet{id, type, {}});
  auto values = read_values(c, ValueTable::data_set,
                            "e.experiment_type_id IN (SELECT id FROM \"ExperimentType\" WHERE "
                            "beamtime_id = :p)",
                            beamtime_id);
  for (auto& d : out) {
    if (auto it = values.find(d.id); it != values.end()) d.values = std::move(it->second);
  }
  return out;
}

std::vector<domain::DataSet> data_sets_of_type(db::Conn& c, std::int64_t experiment_type_id) {
  long long key = experiment_type_id, id = 0;
  soci::statement st = (c.sql.prepare << "SELECT id FROM \"DataSet\" WHERE experiment_type_id = :t "
                                         "ORDER BY id",
                        soci::into(id), soci::use(key));
  st.execute();
  std::vector<domain::DataSet> out;
  while (st.fetch())
    out.push_back(domain::DataSet{id, experiment_type_id, {}});
  auto values =
      read_values(c, ValueTable::data_set, "e.experiment_type_id = :p", experiment_type_id);
  for (auto& d : out) {
    if (auto it = values.find(d.id); it != values.end()) d.values = std::move(it->second);
  }
  return out;
}

std::int64_t insert_data_set(db::Conn& c, std::int64_t experiment_type_id) {
  long long type = experiment_type_id;
  c.sql << "INSERT INTO \"DataSet\" (experiment_type_id) VALUES (:t)", soci::use(type);
  return c.last_insert_id();
}

void delete_data_set(db::Conn& c, std::int64_t id) {
  long long key = id;
  c.sql << "DELETE FROM \"DataSet\" WHERE id = :id", soci::use(key);
}

domain::UserConfig current_user_config(db::Conn& c, std::int64_t beamtime_id) {
  long long bt = beamtime_id, type = 0, params = 0;
  std::string auto_pilot, crystfel;
  soci::indicator i_type = soci::i_null, i_params = soci::i_null;
  c.sql
      << "SELECT auto_pilot, use_online_crystfel, current_experiment_type_id, "
         "current_online_indexing_parameters_id FROM \"UserConfiguration\" WHERE beamtime_id = :b "
         "ORDER BY id DESC LIMIT 1",
      soci::use(bt), soci::into(auto_pilot), soci::into(crystfel), soci::into(type, i_type),
      soci::into(params, i_params);
  domain::UserConfig config;
  if (!c.sql.got_data()) return config;
  config.auto_pilot = db::bool_from_db(auto_pilot);
  config.use_online_crystfel = db::bool_from_db(crystfel);
  config.current_experiment_type_id = optional_id(type, i_type);
  config.current_online_indexing_parameters_id = optional_id(params, i_params);
  return config;
}

void append_user_config(db::Conn& c, std::int64_t beamtime_id, const domain::UserConfig& config) {
  long long bt = beamtime_id;
  long long type = config.current_experiment_type_id.value_or(0);
  long long params = config.current_online_indexing_parameters_id.value_or(0);
  soci::indicator i_type = config.current_experiment_type_id ? soci::i_ok : soci::i_null;
  soci::indicator i_params =
      config.current_online_indexing_parameters_id ? soci::i_ok : soci::i_null;
  int auto_pilot = config.auto_pilot ? 1 : 0, crystfel = config.use_online_crystfel ? 1 : 0;
  std::string now = db::to_db(domain::now());
  c.sql << "INSERT INTO \"UserConfiguration\" (beamtime_id, created, auto_pilot, "
           "use_online_crystfel, "
           "current_experiment_type_id, current_online_indexing_parameters_id) VALUES (:b, :c, :a, "
           ":o, :t, :p)",
      soci::use(bt), soci::use(now), soci::use(auto_pilot), soci::use(crystfel),
      soci::use(type, i_type), soci::use(params, i_params);
}

std::vector<domain::ScheduleRow> list_schedule(db::Conn& c, std::int64_t beamtime_id) {
  long long bt = beamtime_id, id = 0;
  domain::ScheduleRow row;
  soci::statement st =
      (c.sql.prepare << "SELECT id, users, date, shift, comment, td_support FROM "
                        "\"BeamtimeSchedule\" WHERE beamtime_id = :b ORDER BY id",
       soci::into(id), soci::into(row.users), soci::into(row.date), soci::into(row.shift),
       soci::into(row.comment), soci::into(row.td_support), soci::use(bt));
  st.execute();
  std::vector<std::pair<long long, domain::ScheduleRow>> rows;
  while (st.fetch())
    rows.emplace_back(id, row);
  long long schedule_id = 0, chemical = 0;
  soci::statement links =
      (c.sql.prepare << "SELECT l.beamtime_schedule_id, l.chemical_id FROM "
                        "\"BeamtimeScheduleHasChemical\" l JOIN \"BeamtimeSchedule\" "
                        "s ON s.id = l.beamtime_schedule_id WHERE s.beamtime_id = :b "
                        "ORDER BY l.beamtime_schedule_id, l.chemical_id",
       soci::into(schedule_id), soci::into(chemical), soci::use(bt));
  links.execute();
  while (links.fetch()) {
    for (auto& [rid, r] : rows) {
      if (rid == schedule_id) r.chemicals.push_back(chemical);
    }
  }
  std::vector<domain::ScheduleRow> out;
  for (auto& [_, r] : rows)
    out.push_back(std::move(r));
  return out;
}

void replace_schedule(db::Conn& c, std::int64_t beamtime_id,
                      const std::vector<domain::ScheduleRow>& rows) {
  long long bt = beamtime_id;
  c.sql << "DELETE FROM \"BeamtimeSchedule\" WHERE beamtime_id = :b", soci::use(bt);
  for (const auto& r : rows) {
    c.sql << "INSERT INTO \"BeamtimeSchedule\" (beamtime_id, users, td_support, comment, shift, "
             "date) "
             "VALUES (:b, :u, :t, :c, :s, :d)",
        soci::use(bt), soci::use(r.users), soci::use(r.td_support), soci::use(r.comment),
        soci::use(r.shift), soci::use(r.date);
    long long row_id = c.last_insert_id();
    std::set<std::int64_t> seen;
    for (const auto chem : r.chemicals) {
      if (!seen.insert(chem).second) continue;
      long long key = chem;
      int exists = 0;
      c.sql << "SELECT COUNT(*) FROM \"Chemical\" WHERE id = :c", soci::use(key),
          soci::into(exists);
      if (exists == 0) continue;  // unknown chemicals are dropped, as in the original
      c.sql << "INSERT INTO \"BeamtimeScheduleHasChemical\" (beamtime_schedule_id, chemical_id) "
               "VALUES "
               "(:s, :c)",
          soci::use(row_id), soci::use(key);
    }
  }
}

std::optional<domain::IndexingParameters> find_indexing_parameters(db::Conn& c, std::int64_t id) {
  long long key = id, geometry = 0;
  std::string is_online, cell, command_line, source;
  soci::indicator i_cell = soci::i_null, i_geometry = soci::i_null;
  c.sql << "SELECT is_online, cell_description, command_line, source, geometry_id FROM "
           "\"IndexingParameters\" WHERE id = :id",
      soci::use(key), soci::into(is_online), soci::into(cell, i_cell), soci::into(command_line),
      soci::into(source), soci::into(geometry, i_geometry);
  if (!c.sql.got_data()) return std::nullopt;
  domain::IndexingParameters p;
  p.id = id;
  p.is_online = db::bool_from_db(is_online);
  if (i_cell == soci::i_ok) p.cell_description = cell;
  p.command_line = command_line;
  p.source = source;
  p.geometry_id = optional_id(geometry, i_geometry);
  return p;
}

std::int64_t insert_indexing_parameters(db::Conn& c, const domain::IndexingParameters& p) {
  int is_online = p.is_online ? 1 : 0;
  std::string cell = p.cell_description.value_or("");
  soci::indicator i_cell = p.cell_description ? soci::i_ok : soci::i_null;
  long long geometry = p.geometry_id.value_or(0);
  soci::indicator i_geometry = p.geometry_id ? soci::i_ok : soci::i_null;
  c.sql << "INSERT INTO \"IndexingParameters\" (is_online, cell_description, command_line, source, "
           "geometry_id) VALUES (:o, :c, :l, :s, :g)",
      soci::use(is_online), soci::use(cell, i_cell), soci::use(p.command_line), soci::use(p.source),
      soci::use(geometry, i_geometry);
  return c.last_insert_id();
}

std::vector<domain::GeometryMeta> list_geometries(db::Conn& c, std::int64_t beamtime_id) {
  long long bt = beamtime_id, id = 0;
  std::string name, created;
  soci::statement st =
      (c.sql.prepare << "SELECT id, name, created FROM \"Geometry\" WHERE beamtime_id "
                        "= :b ORDER BY id",
       soci::into(id), soci::into(name), soci::into(created), soci::use(bt));
  st.execute();
  std::vector<domain::GeometryMeta> out;
  while (st.fetch())
    out.push_back({id, name, db::instant_from_db(created, "Geometry.created")});
  return out;
}

bool geometry_exists(db::Conn& c, std::int64_t id) {
  long long key = id;
  int n = 0;
  c.sql << "SELECT COUNT(*) FROM \"Geometry\" WHERE id = :id", soci::use(key), soci::into(n);
  return n > 0;
}

std::vector<GeometryContent> geometries_using_attributo(db::Conn& c, std::int64_t attributo_id) {
  long long key = attributo_id, id = 0;
  std::string name, content;
  soci::statement st =
      (c.sql.prepare << "SELECT DISTINCT g.id, g.name, g.content FROM \"Geometry\" g "
                        "JOIN \"GeometryReferencesAttributo\" r ON r.geometry_id = g.id "
                        "WHERE r.attributo_id = :a ORDER BY g.id",
       soci::into(id), soci::into(name), soci::into(content), soci::use(key));
  st.execute();
  std::vector<GeometryContent> out;
  while (st.fetch())
    out.push_back({id, name, content});
  return out;
}

void update_geometry_content(db::Conn& c, std::int64_t id, const std::string& content) {
  long long key = id;
  const std::string hash = storage::sha256_hex(content);
  c.sql << "UPDATE \"Geometry\" SET content = :c, hash = :h WHERE id = :id", soci::use(content),
      soci::use(hash), soci::use(key);
}

}  // namespace amarcord::repo
