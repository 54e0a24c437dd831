// /api/data-sets (api-core.md §5.5).
#include <fmt/format.h>
#include <boost/json.hpp>

#include <map>

#include "domain/errors.hpp"
#include "json/attributo_json.hpp"
#include "json/catalogue_json.hpp"
#include "repo/attributi.hpp"
#include "repo/attributo_values.hpp"
#include "repo/catalogue.hpp"
#include "repo/chemicals.hpp"
#include "routes/routes.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;

std::int64_t required_id(http::RequestContext& req, const char* key) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto id = r.required_int(key);
  errors.raise_if_any();
  return *id;
}

http::HttpResponse from_run(AppContext& app, http::RequestContext& req) {
  const auto run_id = required_id(req, "run_internal_id");
  const auto id = app.db.write([&](db::Conn& c) {
    const auto run = repo::find_run(c, run_id);
    if (!run) throw NotFound(fmt::format("run {} does not exist", run_id));
    const auto type = repo::find_experiment_type(c, run->experiment_type_id);
    if (!type) throw BadRequest(fmt::format("run {} has no valid experiment type", run_id));
    const auto values = repo::read_values_of(c, repo::ValueTable::run, run->id);
    const auto id = repo::insert_data_set(c, type->id);
    for (const auto& m : type->attributi) {
      if (auto it = values.find(m.attributo_id); it != values.end()) {
        repo::write_value(c, repo::ValueTable::data_set, id, m.attributo_id, it->second);
      }
    }
    return id;
  });
  return http::HttpResponse::json(boost::json::object{{"data_set_id", id}});
}

http::HttpResponse create(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto type_id = r.required_int("experiment_type_id");
  auto values = json::read_value_list(r, "attributi", app.tz, false);
  errors.raise_if_any();
  if (values->empty()) throw BadRequest("a data set needs at least one attributo value");
  const auto id = app.db.write([&](db::Conn& c) {
    const auto type = repo::find_experiment_type(c, *type_id);
    if (!type) throw BadRequest(fmt::format("experiment type {} does not exist", *type_id));
    // Concurrent identical data sets: the duplicate check runs one at a time.
    c.lock_row("ExperimentType", type->id);
    std::map<std::int64_t, domain::AttributoType> types;
    for (auto& a : repo::list_attributi(c, type->beamtime_id))
      types.emplace(a.id, std::move(a.type));
    domain::ValueMap wanted;
    for (const auto& m : type->attributi) {
      const auto type_of = types.find(m.attributo_id);
      const auto given = std::find_if(values->begin(), values->end(), [&](const auto& w) {
        return w.attributo_id == m.attributo_id;
      });
      if (given != values->end() && !given->value.empty()) {
        try {
          wanted[m.attributo_id] = type_of == types.end()
                                       ? given->value
                                       : domain::validate_value(type_of->second, given->value);
        } catch (const domain::ValueError& e) {
          throw BadRequest(fmt::format("error validating attributi: attributo {}: {}",
                                       m.attributo_id, e.what()));
        }
      } else if (type_of != types.end() &&
                 std::holds_alternative<domain::BooleanType>(type_of->second)) {
        wanted[m.attributo_id].boolean = false;  // booleans default to false
      } else {
        throw BadRequest(
            fmt::format("attributo {} does from the experiment type does  not appear in the data "
                        "set to be created!",
                        m.attributo_id));
      }
    }
    for (const auto& existing : repo::data_sets_of_type(c, type->id)) {
      if (domain::values_match(types, wanted, existing.values)) {
        throw BadRequest(fmt::format(
            "A data set with compatible values already exists, and its ID is {}", existing.id));
      }
    }
    const auto id = repo::insert_data_set(c, type->id);
    for (const auto& [attributo_id, v] : wanted) {
      repo::write_value(c, repo::ValueTable::data_set, id, attributo_id, v);
    }
    return id;
  });
  return http::HttpResponse::json(boost::json::object{{"id", id}});
}

http::HttpResponse list(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  auto [data_sets, chemicals, attributi, types] = app.db.read([&](db::Conn& c) {
    return std::make_tuple(repo::list_data_sets(c, beamtime_id),
                           repo::list_chemicals(c, beamtime_id),
                           repo::list_attributi(c, beamtime_id, domain::AssociatedTable::run),
                           repo::list_experiment_types(c, beamtime_id));
  });
  boost::json::array ds, chems, attrs, ts;
  for (const auto& d : data_sets)
    ds.push_back(json::data_set_to_json(d, beamtime_id, app.tz));
  for (const auto& chem : chemicals)
    chems.push_back(json::chemical_to_json(chem, app.tz, true));
  for (const auto& a : attributi)
    attrs.push_back(json::attributo_to_json(a));
  for (const auto& t : types)
    ts.push_back(json::experiment_type_to_json(t));
  return http::HttpResponse::json(boost::json::object{{"data_sets", std::move(ds)},
                                                      {"chemicals", std::move(chems)},
                                                      {"attributi", std::move(attrs)},
                                                      {"experiment_types", std::move(ts)}});
}

http::HttpResponse remove(AppContext& app, http::RequestContext& req) {
  const auto id = required_id(req, "id");
  app.db.write([&](db::Conn& c) { repo::delete_data_set(c, id); });
  return http::HttpResponse::json(boost::json::object{{"result", true}});
}

}  // namespace

void add_data_set_routes(http::Router& router, AppContext& app) {
  router.add(verb::post, "/api/data-sets/from-run",
             [&app](http::RequestContext& req) { return from_run(app, req); });
  router.add(verb::post, "/api/data-sets",
             [&app](http::RequestContext& req) { return create(app, req); });
  router.add(verb::get, "/api/data-sets/{beamtimeId}",
             [&app](http::RequestContext& req) { return list(app, req); });
  router.add(verb::delete_, "/api/data-sets",
             [&app](http::RequestContext& req) { return remove(app, req); });
}

}  // namespace amarcord::server
