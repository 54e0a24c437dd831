#include "routes/run_common.hpp"

#include <soci/soci.h>

#include <fmt/format.h>

#include <map>

#include "domain/errors.hpp"
#include "repo/attributi.hpp"
#include "repo/attributo_values.hpp"
#include "repo/chemicals.hpp"
#include "repo/runs.hpp"

namespace amarcord::server {

std::vector<json::WireValue> validated_run_values(db::Conn& c, std::int64_t beamtime_id,
                                                  std::vector<json::WireValue> values) {
  std::vector<std::int64_t> ids;
  for (const auto& w : values)
    ids.push_back(w.attributo_id);
  std::map<std::int64_t, domain::AttributoType> types;
  for (auto& a : repo::find_attributi(c, beamtime_id, domain::AssociatedTable::run, ids))
    types.emplace(a.id, std::move(a.type));
  std::set<std::int64_t> chemicals;
  bool chemicals_loaded = false;
  std::set<std::int64_t> seen;
  for (auto& w : values) {
    const auto type = types.find(w.attributo_id);
    if (type == types.end()) {
      throw BadRequest(
          fmt::format("attributo with ID {} not found in list of run attributi", w.attributo_id));
    }
    if (!seen.insert(w.attributo_id).second) {
      throw BadRequest(
          fmt::format("error validating attributi: attributo {} is given twice", w.attributo_id));
    }
    try {
      w.value = domain::validate_value(type->second, std::move(w.value));
    } catch (const domain::ValueError& e) {
      throw BadRequest(
          fmt::format("error validating attributi: attributo {}: {}", w.attributo_id, e.what()));
    }
    if (w.value.chemical) {
      if (!chemicals_loaded) {
        for (const auto id : repo::chemical_ids(c, beamtime_id))
          chemicals.insert(id);
        chemicals_loaded = true;
      }
      if (!chemicals.count(*w.value.chemical)) {
        throw BadRequest(
            fmt::format("error validating attributi: attributo {}: chemical {} does not exist in "
                        "beamtime {}",
                        w.attributo_id, *w.value.chemical, beamtime_id));
      }
    }
  }
  return values;
}

std::set<std::int64_t> changed_attributi(const domain::Run& run,
                                         const std::vector<json::WireValue>& values) {
  std::set<std::int64_t> out;
  for (const auto& w : values) {
    const auto it = run.values.find(w.attributo_id);
    if (it != run.values.end() && !(it->second == w.value)) out.insert(w.attributo_id);
  }
  return out;
}

namespace {

void delete_indexing_result(db::Conn& c, std::int64_t id) {
  long long key = id;
  // The original's ORM deletes linked merge results and the generated
  // geometry along with the result; the database cascades the rest.
  std::vector<long long> merges;
  {
    long long merge = 0;
    soci::statement st =
        (c.sql.prepare << "SELECT merge_result_id FROM \"MergeResultHasIndexingResult\" WHERE "
                          "indexing_result_id = :i AND merge_result_id IS NOT NULL",
         soci::into(merge), soci::use(key));
    st.execute();
    while (st.fetch())
      merges.push_back(merge);
  }
  long long geometry = 0;
  soci::indicator i_geometry = soci::i_null;
  c.sql << "SELECT generated_geometry_id FROM \"IndexingResult\" WHERE id = :i", soci::use(key),
      soci::into(geometry, i_geometry);
  for (auto m : merges)
    c.sql << "DELETE FROM \"MergeResult\" WHERE id = :m", soci::use(m);
  c.sql << "DELETE FROM \"IndexingResult\" WHERE id = :i", soci::use(key);
  if (i_geometry == soci::i_ok)
    c.sql << "DELETE FROM \"Geometry\" WHERE id = :g", soci::use(geometry);
}

}  // namespace

std::int64_t guard_dependent_results(db::Conn& c, const domain::Run& run,
                                     const std::set<std::int64_t>& attributi, bool delete_them) {
  if (attributi.empty()) return 0;
  long long run_id = run.id, attributo = 0, result = 0;
  std::map<std::int64_t, std::set<std::int64_t>> results_by_attributo;
  soci::statement st =
      (c.sql.prepare << "SELECT g.attributo_id, g.indexing_result_id FROM "
                        "\"GeometryTemplateReplacement\" g JOIN \"IndexingResult\" r ON r.id = "
                        "g.indexing_result_id WHERE r.run_id = :r",
       soci::into(attributo), soci::into(result), soci::use(run_id));
  st.execute();
  while (st.fetch()) {
    if (attributi.count(attributo)) results_by_attributo[attributo].insert(result);
  }
  if (results_by_attributo.empty()) return 0;
  std::set<std::int64_t> results;
  std::string names, ids;
  for (const auto& [a, rs] : results_by_attributo) {
    std::string name = std::to_string(a);
    if (const auto attr = repo::find_attributo(c, a)) name = attr->name;
    names += (names.empty() ? "\"" : ", \"") + name + "\"";
    results.insert(rs.begin(), rs.end());
  }
  for (const auto r : results)
    ids += (ids.empty() ? "" : ", ") + std::to_string(r);
  if (!delete_them) {
    throw BadRequest(
        fmt::format("run {}: changing attributo(s) {} would invalidate indexing result(s) {}, "
                    "whose geometry uses them; "
                    "choose to delete dependent objects to change them anyway",
                    run.external_id, names, ids));
  }
  for (const auto r : results)
    delete_indexing_result(c, r);
  return static_cast<std::int64_t>(results.size());
}

domain::ValueMap auto_pilot_values(db::Conn& c, std::int64_t beamtime_id,
                                   const std::set<std::int64_t>& given) {
  domain::ValueMap out;
  const auto latest = repo::latest_run(c, beamtime_id);
  if (!latest) return out;
  for (const auto& a : repo::list_attributi(c, beamtime_id, domain::AssociatedTable::run)) {
    if (a.group != "manual" || given.count(a.id)) continue;
    if (auto it = latest->values.find(a.id); it != latest->values.end()) out[a.id] = it->second;
  }
  return out;
}

void write_run_values(db::Conn& c, std::int64_t run_id, const std::vector<json::WireValue>& values,
                      bool fresh_run) {
  if (fresh_run) {
    std::vector<std::pair<std::int64_t, const domain::AttributoValue*>> rows;
    for (const auto& w : values)
      rows.emplace_back(w.attributo_id, &w.value);
    repo::insert_values(c, repo::ValueTable::run, run_id, rows);
    return;
  }
  for (const auto& w : values)
    repo::write_value(c, repo::ValueTable::run, run_id, w.attributo_id, w.value);
}

}  // namespace amarcord::server
