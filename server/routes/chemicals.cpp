// /api/chemicals, /api/all-chemicals, /api/copy-chemical (api-core.md §5.3).
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "domain/errors.hpp"
#include "json/attributo_json.hpp"
#include "json/beamtime_json.hpp"
#include "json/catalogue_json.hpp"
#include "repo/attributi.hpp"
#include "repo/attributo_values.hpp"
#include "repo/beamtimes.hpp"
#include "repo/chemicals.hpp"
#include "repo/files.hpp"
#include "routes/routes.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;
constexpr std::size_t kVarchar = 255;

struct ChemicalInput {
  std::optional<std::int64_t> id;
  std::int64_t beamtime_id = 0;
  domain::Chemical chemical;
  std::vector<json::WireValue> values;
  std::vector<std::int64_t> file_ids;
};

ChemicalInput read_chemical(const boost::json::value& body, const domain::TimeZone& tz,
                            bool with_id) {
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  ChemicalInput in;
  std::optional<std::int64_t> id;
  if (with_id) id = r.required_int("id");
  const auto beamtime_id = r.required_int("beamtime_id");
  const auto name = r.required_string("name", kVarchar);
  const auto person = r.required_string("responsible_person", kVarchar);
  const auto type = r.required_literal("chemical_type", {"crystal", "solution"});
  auto values = json::read_value_list(r, "attributi", tz, true);
  auto files = r.required_int_list("file_ids");
  errors.raise_if_any();
  in.id = id;
  in.beamtime_id = *beamtime_id;
  in.chemical.beamtime_id = *beamtime_id;
  in.chemical.name = *name;
  in.chemical.responsible_person = *person;
  in.chemical.type = *domain::chemical_type_from(*type);
  in.values = std::move(*values);
  in.file_ids = std::move(*files);
  return in;
}

// Checks values against the chemical attributi of the beamtime; returns
// them as they will be stored. Throws BadRequest in the original's words.
std::vector<json::WireValue> validated_values(db::Conn& c, std::int64_t beamtime_id,
                                              std::vector<json::WireValue> values) {
  std::map<std::int64_t, domain::AttributoType> types;
  for (auto& a : repo::list_attributi(c, beamtime_id, domain::AssociatedTable::chemical)) {
    types.emplace(a.id, std::move(a.type));
  }
  std::set<std::int64_t> seen;
  for (auto& w : values) {
    const auto type = types.find(w.attributo_id);
    if (type == types.end()) {
      throw BadRequest(
          fmt::format("error validating attributi: attributo with ID {} not found in list of "
                      "chemical attributi",
                      w.attributo_id));
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
  }
  return values;
}

http::HttpResponse create(AppContext& app, http::RequestContext& req) {
  auto in = read_chemical(req.json_body(), app.tz, false);
  const auto id = app.db.write([&](db::Conn& c) {
    if (!repo::beamtime_exists(c, in.beamtime_id)) {
      throw BadRequest(fmt::format("beamtime {} does not exist", in.beamtime_id));
    }
    const auto values = validated_values(c, in.beamtime_id, std::move(in.values));
    in.chemical.modified = domain::now();
    const auto id = repo::insert_chemical(c, in.chemical);
    for (const auto& w : values)
      repo::write_value(c, repo::ValueTable::chemical, id, w.attributo_id, w.value);
    repo::set_chemical_files(c, id, in.file_ids);
    return id;
  });
  return http::HttpResponse::json(boost::json::object{{"id", id}});
}

http::HttpResponse update(AppContext& app, http::RequestContext& req) {
  auto in = read_chemical(req.json_body(), app.tz, true);
  app.db.write([&](db::Conn& c) {
    const auto existing = repo::find_chemical(c, *in.id);
    if (!existing) throw NotFound(fmt::format("chemical {} does not exist", *in.id));
    // The beamtime of a chemical never changes; the body's beamtime_id is ignored.
    const auto values = validated_values(c, existing->beamtime_id, std::move(in.values));
    in.chemical.id = *in.id;
    in.chemical.modified = domain::now();
    repo::update_chemical_row(c, in.chemical);
    // Values are merged by attributo; the file list is replaced.
    for (const auto& w : values) {
      repo::write_value(c, repo::ValueTable::chemical, *in.id, w.attributo_id, w.value);
    }
    repo::set_chemical_files(c, *in.id, in.file_ids);
  });
  return http::HttpResponse::json(boost::json::object{{"id", *in.id}});
}

http::HttpResponse remove(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto id = r.required_int("id");
  errors.raise_if_any();
  app.db.write([&](db::Conn& c) { repo::delete_chemical(c, *id); });
  return http::HttpResponse::json(boost::json::object{{"id", *id}});
}

http::HttpResponse list(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  auto [chemicals, attributi] = app.db.read([&](db::Conn& c) {
    return std::make_pair(repo::list_chemicals(c, beamtime_id),
                          repo::list_attributi(c, beamtime_id, domain::AssociatedTable::chemical));
  });
  boost::json::array chems, attrs;
  for (const auto& chem : chemicals)
    chems.push_back(json::chemical_to_json(chem, app.tz, true));
  for (const auto& a : attributi)
    attrs.push_back(json::attributo_to_json(a));
  return http::HttpResponse::json(
      boost::json::object{{"chemicals", std::move(chems)}, {"attributi", std::move(attrs)}});
}

http::HttpResponse list_all(AppContext& app, http::RequestContext&) {
  auto [chemicals, beamtimes, attributi] = app.db.read([&](db::Conn& c) {
    return std::make_tuple(repo::list_all_chemicals(c), repo::list_beamtimes(c),
                           repo::list_all_chemical_attributi(c));
  });
  std::stable_sort(chemicals.begin(), chemicals.end(), [](const auto& a, const auto& b) {
    if (a.name != b.name) return a.name < b.name;  // binary order, as the original's database
    return a.beamtime_id > b.beamtime_id;
  });
  std::sort(beamtimes.begin(), beamtimes.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  boost::json::array chems, bts, names;
  for (const auto& chem : chemicals)
    chems.push_back(json::chemical_to_json(chem, app.tz, true));
  for (auto& b : beamtimes) {
    b.chemical_names.clear();  // the original sends [] here
    bts.push_back(json::beamtime_to_json(b, app.tz));
  }
  for (const auto& a : attributi)
    names.push_back(json::attributo_name_to_json(a));
  return http::HttpResponse::json(boost::json::object{{"chemicals", std::move(chems)},
                                                      {"beamtimes", std::move(bts)},
                                                      {"attributi_names", std::move(names)}});
}

http::HttpResponse copy(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto chemical_id = r.required_int("chemical_id");
  const auto target = r.required_int("target_beamtime_id");
  const auto create_attributi = r.required_bool("create_attributi");
  errors.raise_if_any();
  const auto new_id = app.db.write([&](db::Conn& c) {
    const auto source = repo::find_chemical(c, *chemical_id);
    if (!source) throw NotFound(fmt::format("chemical {} does not exist", *chemical_id));
    if (!repo::beamtime_exists(c, *target)) {
      throw BadRequest(fmt::format("beamtime {} does not exist", *target));
    }
    domain::Chemical copy = *source;
    copy.beamtime_id = *target;
    copy.modified = domain::now();
    const auto id = repo::insert_chemical(c, copy);
    for (const auto& [attributo_id, value] : source->values) {
      const auto original = repo::find_attributo(c, attributo_id);
      if (!original) continue;
      // Values go to the chemical attributo of the same name in the target.
      std::optional<std::int64_t> target_attributo;
      for (const auto& a : repo::list_attributi(c, *target, domain::AssociatedTable::chemical)) {
        if (a.name == original->name) target_attributo = a.id;
      }
      if (!target_attributo && *create_attributi) {
        domain::Attributo created = *original;
        created.beamtime_id = *target;
        created.associated_table = domain::AssociatedTable::chemical;
        target_attributo = repo::insert_attributo(c, created);
      }
      if (target_attributo)
        repo::write_value(c, repo::ValueTable::chemical, id, *target_attributo, value);
    }
    std::vector<std::int64_t> files;
    for (const auto& f : source->files)
      files.push_back(f.id);
    repo::set_chemical_files(c, id, files);
    return id;
  });
  return http::HttpResponse::json(boost::json::object{{"new_chemical_id", new_id}});
}

}  // namespace

void add_chemical_routes(http::Router& router, AppContext& app) {
  router.add(verb::post, "/api/chemicals",
             [&app](http::RequestContext& req) { return create(app, req); });
  router.add(verb::patch, "/api/chemicals",
             [&app](http::RequestContext& req) { return update(app, req); });
  router.add(verb::delete_, "/api/chemicals",
             [&app](http::RequestContext& req) { return remove(app, req); });
  router.add(verb::get, "/api/chemicals/{beamtimeId}",
             [&app](http::RequestContext& req) { return list(app, req); });
  router.add(verb::get, "/api/all-chemicals",
             [&app](http::RequestContext& req) { return list_all(app, req); });
  router.add(verb::post, "/api/copy-chemical",
             [&app](http::RequestContext& req) { return copy(app, req); });
}

}  // namespace amarcord::server
