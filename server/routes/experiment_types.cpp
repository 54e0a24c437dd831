// /api/experiment-types, /api/copy-experiment-types (api-core.md §5.4).
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "domain/errors.hpp"
#include "json/attributo_json.hpp"
#include "json/catalogue_json.hpp"
#include "repo/attributi.hpp"
#include "repo/attributo_values.hpp"
#include "repo/beamtimes.hpp"
#include "repo/catalogue.hpp"
#include "routes/routes.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;

// "1-3", "5" for sorted runs 1, 2, 3, 5.
boost::json::array run_intervals(std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  boost::json::array out;
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1)
      ++j;
    out.emplace_back(i == j ? std::to_string(ids[i]) : fmt::format("{}-{}", ids[i], ids[j]));
    i = j + 1;
  }
  return out;
}

http::HttpResponse create(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto name = r.required_string("name", 255);
  const auto beamtime_id = r.required_int("beamtime_id");
  std::vector<domain::ExperimentTypeMember> members;
  if (const auto* list = r.required_value("attributi")) {
    if (!list->is_array()) {
      errors.add("list_type", r.loc_of("attributi"), "Input should be a valid list", *list);
    } else {
      const auto& items = list->get_array();
      for (std::size_t i = 0; i < items.size(); ++i) {
        json::ObjectReader m(items[i],
                             json::append_loc(r.loc_of("attributi"), static_cast<std::int64_t>(i)),
                             errors);
        const auto id = m.required_int("id");
        const auto role = m.required_literal("role", {"crystal", "solution"});
        if (id && role) members.push_back({*id, *domain::chemical_type_from(*role)});
      }
    }
  }
  errors.raise_if_any();
  const auto id = app.db.write([&](db::Conn& c) {
    if (!repo::beamtime_exists(c, *beamtime_id)) {
      throw BadRequest(fmt::format("beamtime {} does not exist", *beamtime_id));
    }
    std::set<std::int64_t> run_attributi, seen;
    for (const auto& a : repo::list_attributi(c, *beamtime_id, domain::AssociatedTable::run)) {
      run_attributi.insert(a.id);
    }
    for (const auto& m : members) {
      if (!run_attributi.count(m.attributo_id)) {
        throw BadRequest(fmt::format("attributo {} is not a run attributo of beamtime {}",
                                     m.attributo_id, *beamtime_id));
      }
      if (!seen.insert(m.attributo_id).second) {
        throw BadRequest(fmt::format("attributo {} is listed twice", m.attributo_id));
      }
    }
    return repo::insert_experiment_type(c, domain::ExperimentType{0, *beamtime_id, *name, members});
  });
  return http::HttpResponse::json(boost::json::object{{"id", id}});
}

http::HttpResponse change_for_run(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto run_id = r.required_int("run_internal_id");
  const auto type_id = r.optional_int("experiment_type_id");
  errors.raise_if_any();
  // The original has no "unset": without a type nothing changes.
  if (!type_id.value) return http::HttpResponse::json(boost::json::object{{"result", false}});
  app.db.write([&](db::Conn& c) {
    const auto run = repo::find_run(c, *run_id);
    if (!run) throw NotFound(fmt::format("run {} does not exist", *run_id));
    const auto type = repo::find_experiment_type(c, *type_id.value);
    if (!type || type->beamtime_id != run->beamtime_id) {
      throw BadRequest(
          fmt::format("experiment type {} does not exist in the run's beamtime", *type_id.value));
    }
    std::set<std::int64_t> members;
    for (const auto& m : type->attributi)
      members.insert(m.attributo_id);
    for (const auto& a : repo::list_attributi(c, run->beamtime_id, domain::AssociatedTable::run)) {
      if (a.group == "manual" && !members.count(a.id)) {
        repo::delete_value(c, repo::ValueTable::run, run->id, a.id);
      }
    }
    repo::set_run_experiment_type(c, run->id, type->id);
    auto config = repo::current_user_config(c, run->beamtime_id);
    config.current_experiment_type_id = type->id;
    repo::append_user_config(c, run->beamtime_id, config);
  });
  return http::HttpResponse::json(boost::json::object{{"result", true}});
}

http::HttpResponse list(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  auto [types, attributi, runs, config] = app.db.read([&](db::Conn& c) {
    return std::make_tuple(
        repo::list_experiment_types(c, beamtime_id), repo::list_attributi(c, beamtime_id),
        repo::run_external_ids_by_type(c, beamtime_id), repo::current_user_config(c, beamtime_id));
  });
  std::stable_sort(attributi.begin(), attributi.end(),
                   [](const auto& a, const auto& b) { return a.name < b.name; });
  boost::json::array type_list, attributo_list, to_run;
  for (const auto& t : types) {
    type_list.push_back(json::experiment_type_to_json(t));
    const auto it = runs.find(t.id);
    const std::vector<std::int64_t> ids =
        it == runs.end() ? std::vector<std::int64_t>{} : it->second;
    to_run.push_back(
        boost::json::object{{"id", t.id},
                            {"runs", run_intervals(ids)},
                            {"number_of_runs", static_cast<std::int64_t>(ids.size())}});
  }
  for (const auto& a : attributi)
    attributo_list.push_back(json::attributo_to_json(a));
  boost::json::object out{{"experiment_types", std::move(type_list)},
                          {"attributi", std::move(attributo_list)},
                          {"experiment_type_id_to_run", std::move(to_run)}};
  if (config.current_experiment_type_id)
    out["current_experiment_type_id"] = *config.current_experiment_type_id;
  return http::HttpResponse::json(out);
}

http::HttpResponse remove(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto id = r.required_int("id");
  errors.raise_if_any();
  app.db.write([&](db::Conn& c) {
    if (const auto runs = repo::count_runs_of_type(c, *id); runs > 0) {
      const auto type = repo::find_experiment_type(c, *id);
      throw BadRequest(fmt::format(
          "experiment type \"{}\" is used by {} run(s); give them another experiment type first",
          type ? type->name : std::to_string(*id), runs));
    }
    repo::delete_experiment_type(c, *id);
  });
  return http::HttpResponse::json(boost::json::object{{"result", true}});
}

http::HttpResponse copy(AppContext& app, http::RequestContext& req) {
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto from = r.required_int("from_beamtime");
  const auto to = r.required_int("to_beamtime");
  errors.raise_if_any();
  const auto ids = app.db.write([&](db::Conn& c) {
    const auto types = repo::list_experiment_types(c, *from);
    if (!types.empty() && !repo::beamtime_exists(c, *to)) {
      throw BadRequest(fmt::format("beamtime {} does not exist", *to));
    }
    const auto source_attributi = repo::list_attributi(c, *from);
    const auto target_attributi = repo::list_attributi(c, *to, domain::AssociatedTable::run);
    std::vector<std::int64_t> created;
    for (const auto& t : types) {
      domain::ExperimentType copy{0, *to, t.name, {}};
      for (const auto& m : t.attributi) {
        const auto source = std::find_if(source_attributi.begin(), source_attributi.end(),
                                         [&](const auto& a) { return a.id == m.attributo_id; });
        const std::string name = source == source_attributi.end() ? "?" : source->name;
        const auto target = std::find_if(target_attributi.begin(), target_attributi.end(),
                                         [&](const auto& a) { return a.name == name; });
        if (target == target_attributi.end()) {
          throw BadRequest(fmt::format(
              "cannot copy experiment types: experiment type {} has attributo that's not in this "
              "beamtime: {}",
              t.name, name));
        }
        copy.attributi.push_back({target->id, m.role});
      }
      created.push_back(repo::insert_experiment_type(c, copy));
    }
    return created;
  });
  boost::json::array out;
  for (const auto id : ids)
    out.emplace_back(id);
  return http::HttpResponse::json(
      boost::json::object{{"to_beamtime_experiment_type_ids", std::move(out)}});
}

}  // namespace

void add_experiment_type_routes(http::Router& router, AppContext& app) {
  router.add(verb::post, "/api/experiment-types/change-for-run",
             [&app](http::RequestContext& req) { return change_for_run(app, req); });
  router.add(verb::post, "/api/experiment-types",
             [&app](http::RequestContext& req) { return create(app, req); });
  router.add(verb::get, "/api/experiment-types/{beamtimeId}",
             [&app](http::RequestContext& req) { return list(app, req); });
  router.add(verb::delete_, "/api/experiment-types",
             [&app](http::RequestContext& req) { return remove(app, req); });
  router.add(verb::post, "/api/copy-experiment-types",
             [&app](http::RequestContext& req) { return copy(app, req); });
}

}  // namespace amarcord::server
