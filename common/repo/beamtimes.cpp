#include "repo/beamtimes.hpp"

#include <soci/soci.h>

#include <map>

#include "db/values.hpp"

namespace amarcord::repo {
namespace {

constexpr const char* kColumns =
    "id, external_id, proposal, beamline, title, comment, start, \"end\", analysis_output_path";

// Reads rows of kColumns from a prepared statement.
struct BeamtimeRow {
  long long id = 0;
  std::string external_id, proposal, beamline, title, comment, start, end, path;

  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(external_id));
    st.exchange(soci::into(proposal));
    st.exchange(soci::into(beamline));
    st.exchange(soci::into(title));
    st.exchange(soci::into(comment));
    st.exchange(soci::into(start));
    st.exchange(soci::into(end));
    st.exchange(soci::into(path));
  }
  domain::Beamtime get() const {
    domain::Beamtime b;
    b.id = id;
    b.fields = {external_id,
                proposal,
                beamline,
                title,
                comment,
                db::instant_from_db(start, "Beamtime.start"),
                db::instant_from_db(end, "Beamtime.end"),
                path};
    return b;
  }
};

std::vector<domain::Beamtime> query(db::Conn& c, const std::string& where,
                                    std::optional<long long> id) {
  BeamtimeRow row;
  soci::statement st(c.sql);
  row.bind(st);
  long long id_value = id.value_or(0);
  if (id) st.exchange(soci::use(id_value));
  st.alloc();
  st.prepare(std::string("SELECT ") + kColumns + " FROM \"Beamtime\"" + where);
  st.define_and_bind();
  st.execute();
  std::vector<domain::Beamtime> out;
  while (st.fetch())
    out.push_back(row.get());
  return out;
}

void attach_chemical_names(db::Conn& c, std::vector<domain::Beamtime>& beamtimes,
                           std::optional<long long> only) {
  if (beamtimes.empty()) return;
  std::map<long long, domain::Beamtime*> by_id;
  for (auto& b : beamtimes)
    by_id[b.id] = &b;
  long long bt = 0;
  std::string name;
  long long only_id = only.value_or(0);
  soci::statement st =
      only ? (c.sql.prepare << "SELECT beamtime_id, name FROM \"Chemical\" WHERE beamtime_id = :b "
                               "ORDER BY id",
              soci::into(bt), soci::into(name), soci::use(only_id))
           : (c.sql.prepare << "SELECT beamtime_id, name FROM \"Chemical\" ORDER BY id",
              soci::into(bt), soci::into(name));
  st.execute();
  while (st.fetch()) {
    if (auto it = by_id.find(bt); it != by_id.end()) it->second->chemical_names.push_back(name);
  }
}

}  // namespace

std::int64_t insert_beamtime(db::Conn& c, const domain::BeamtimeFields& f) {
  const std::string start = db::to_db(f.start), end = db::to_db(f.end);
  c.sql << "INSERT INTO \"Beamtime\" (external_id, proposal, beamline, title, comment, start, "
           "\"end\", analysis_output_path) VALUES (:e, :p, :b, :t, :c, :s, :n, :a)",
      soci::use(f.external_id), soci::use(f.proposal), soci::use(f.beamline), soci::use(f.title),
      soci::use(f.comment), soci::use(start), soci::use(end), soci::use(f.analysis_output_path);
  return c.last_insert_id();
}

bool update_beamtime(db::Conn& c, std::int64_t id, const domain::BeamtimeFields& f) {
  if (!beamtime_exists(c, id)) return false;
  const std::string start = db::to_db(f.start), end = db::to_db(f.end);
  long long key = id;
  c.sql << "UPDATE \"Beamtime\" SET external_id = :e, proposal = :p, beamline = :b, title = :t, "
           "comment = :c, start = :s, \"end\" = :n, analysis_output_path = :a WHERE id = :id",
      soci::use(f.external_id), soci::use(f.proposal), soci::use(f.beamline), soci::use(f.title),
      soci::use(f.comment), soci::use(start), soci::use(end), soci::use(f.analysis_output_path),
      soci::use(key);
  return true;
}

bool beamtime_exists(db::Conn& c, std::int64_t id) {
  long long key = id;
  int count = 0;
  c.sql << "SELECT COUNT(*) FROM \"Beamtime\" WHERE id = :id", soci::use(key), soci::into(count);
  return count > 0;
}

std::optional<domain::Beamtime> find_beamtime(db::Conn& c, std::int64_t id) {
  auto rows = query(c, " WHERE id = :id", id);
  if (rows.empty()) return std::nullopt;
  attach_chemical_names(c, rows, id);
  return std::move(rows.front());
}

std::vector<domain::Beamtime> list_beamtimes(db::Conn& c) {
  auto rows = query(c, " ORDER BY start DESC, id ASC", std::nullopt);
  attach_chemical_names(c, rows, std::nullopt);
  return rows;
}

}  // namespace amarcord::repo
