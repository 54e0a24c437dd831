// /api/user-config (api-core.md §5.6): per-beamtime switches kept as an
// append-only history; the newest row is the current configuration.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "domain/errors.hpp"
#include "json/catalogue_json.hpp"
#include "json/fields.hpp"
#include "repo/beamtimes.hpp"
#include "repo/catalogue.hpp"
#include "routes/routes.hpp"

namespace amarcord::server {
namespace {

using boost::beast::http::verb;

[[noreturn]] void unknown_key(std::string_view key) {
  throw BadRequest(
      fmt::format("unknown configuration key \"{}\" (known: auto-pilot, online-crystfel, "
                  "current-experiment-type-id)",
                  key));
}

http::HttpResponse read_parameters(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  auto [params, geometries] = app.db.read([&](db::Conn& c) {
    const auto config = repo::current_user_config(c, beamtime_id);
    std::optional<domain::IndexingParameters> p;
    if (config.current_online_indexing_parameters_id) {
      p = repo::find_indexing_parameters(c, *config.current_online_indexing_parameters_id);
    }
    if (!p) p = domain::default_online_indexing_parameters();
    return std::make_pair(*p, repo::list_geometries(c, beamtime_id));
  });
  boost::json::array gs;
  for (const auto& g : geometries)
    gs.push_back(json::geometry_meta_to_json(g, app.tz));
  return http::HttpResponse::json(boost::json::object{
      {"parameters", json::indexing_parameters_to_json(params)}, {"geometries", std::move(gs)}});
}

http::HttpResponse read_key(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  const std::string key(req.path_param("key"));
  if (key != "auto-pilot" && key != "online-crystfel" && key != "current-experiment-type-id")
    unknown_key(key);
  const auto config =
      app.db.read([&](db::Conn& c) { return repo::current_user_config(c, beamtime_id); });
  boost::json::object out;
  if (key == "auto-pilot")
    out["value_bool"] = config.auto_pilot;
  else if (key == "online-crystfel")
    out["value_bool"] = config.use_online_crystfel;
  else if (config.current_experiment_type_id)
    out["value_int"] = *config.current_experiment_type_id;
  return http::HttpResponse::json(out);
}

void require_beamtime(db::Conn& c, std::int64_t id) {
  if (!repo::beamtime_exists(c, id))
    throw BadRequest(fmt::format("beamtime {} does not exist", id));
}

http::HttpResponse update_parameters(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  const auto body = req.json_body();
  json::FieldErrors errors;
  json::ObjectReader r(body, json::Loc{"body"}, errors);
  const auto command_line = r.required_string("command_line");
  const auto geometry_id = r.required_int("geometry_id");
  const auto source = r.required_string("source", 255);
  errors.raise_if_any();
  app.db.write([&](db::Conn& c) {
    require_beamtime(c, beamtime_id);
    const auto geometries = repo::list_geometries(c, beamtime_id);
    if (std::none_of(geometries.begin(), geometries.end(),
                     [&](const auto& g) { return g.id == *geometry_id; })) {
      throw BadRequest(
          fmt::format("geometry {} does not exist in beamtime {}", *geometry_id, beamtime_id));
    }
    // A new parameters row every time; the previous one stays for history.
    const auto params_id = repo::insert_indexing_parameters(
        c, domain::IndexingParameters{std::nullopt, true, std::string(), *command_line, *source,
                                      *geometry_id});
    auto config = repo::current_user_config(c, beamtime_id);
    config.current_online_indexing_parameters_id = params_id;
    repo::append_user_config(c, beamtime_id, config);
  });
  return http::HttpResponse::json(boost::json::object{{"success", true}});
}

http::HttpResponse update_key(AppContext& app, http::RequestContext& req) {
  const auto beamtime_id = req.path_int("beamtimeId");
  const std::string key(req.path_param("key"));
  const std::string value(req.path_param("value"));
  if (key != "auto-pilot" && key != "online-crystfel" && key != "current-experiment-type-id")
    unknown_key(key);
  std::optional<std::int64_t> type_id;
  if (key == "current-experiment-type-id") type_id = req.path_int("value");
  // Only the exact text "True" is true, as in the original (Python's str(True)).
  const bool flag = value == "True";
  app.db.write([&](db::Conn& c) {
    require_beamtime(c, beamtime_id);
    auto config = repo::current_user_config(c, beamtime_id);
    if (key == "auto-pilot") {
      config.auto_pilot = flag;
    } else if (key == "online-crystfel") {
      config.use_online_crystfel = flag;
    } else {
      const auto type = repo::find_experiment_type(c, *type_id);
      if (!type || type->beamtime_id != beamtime_id) {
        throw BadRequest(
            fmt::format("experiment type {} does not exist in beamtime {}", *type_id, beamtime_id));
      }
      config.current_experiment_type_id = *type_id;
    }
    repo::append_user_config(c, beamtime_id, config);
  });
  boost::json::object out;
  if (type_id)
    out["value_int"] = *type_id;
  else
    out["value_bool"] = flag;
  return http::HttpResponse::json(out);
}

}  // namespace

void add_user_config_routes(http::Router& router, AppContext& app) {
  router.add(verb::get, "/api/user-config/{beamtimeId}/online-indexing-parameters",
             [&app](http::RequestContext& req) { return read_parameters(app, req); });
  router.add(verb::get, "/api/user-config/{beamtimeId}/{key}",
             [&app](http::RequestContext& req) { return read_key(app, req); });
  router.add(verb::patch, "/api/user-config/{beamtimeId}/online-indexing-parameters",
             [&app](http::RequestContext& req) { return update_parameters(app, req); });
  router.add(verb::patch, "/api/user-config/{beamtimeId}/{key}/{value}",
             [&app](http::RequestContext& req) { return update_key(app, req); });
}

}  // namespace amarcord::server
