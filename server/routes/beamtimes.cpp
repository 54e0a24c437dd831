// /api/beamtimes (api-core.md §5.1).
#include <fmt/format.h>
#include <boost/json.hpp>

#include "domain/errors.hpp"
#include "json/beamtime_json.hpp"
#include "repo/beamtimes.hpp"
#include "routes/routes.hpp"

namespace amarcord::server {
namespace verb = boost::beast::http;

void add_beamtime_routes(http::Router& router, AppContext& app) {
  router.add(verb::verb::post, "/api/beamtimes", [&app](http::RequestContext& req) {
    const auto in = json::beamtime_input_from_json(req.json_body(), app.tz);
    domain::Beamtime b;
    b.fields = in.fields;
    b.id = app.db.write([&](db::Conn& c) { return repo::insert_beamtime(c, in.fields); });
    return http::HttpResponse::json(json::beamtime_to_json(b, app.tz));
  });

  // Full replacement despite the method; chemical_names is always [] here, as
  // in the original.
  router.add(verb::verb::patch, "/api/beamtimes", [&app](http::RequestContext& req) {
    const auto in = json::beamtime_input_from_json(req.json_body(), app.tz);
    const bool found =
        app.db.write([&](db::Conn& c) { return repo::update_beamtime(c, in.id, in.fields); });
    if (!found) throw NotFound(fmt::format("beamtime {} does not exist", in.id));
    domain::Beamtime b;
    b.id = in.id;
    b.fields = in.fields;
    return http::HttpResponse::json(json::beamtime_to_json(b, app.tz));
  });

  router.add(verb::verb::get, "/api/beamtimes", [&app](http::RequestContext&) {
    const auto beamtimes = app.db.read([](db::Conn& c) { return repo::list_beamtimes(c); });
    boost::json::array list;
    for (const auto& b : beamtimes)
      list.push_back(json::beamtime_to_json(b, app.tz));
    boost::json::object out;
    out["beamtimes"] = std::move(list);
    return http::HttpResponse::json(out);
  });

  router.add(verb::verb::get, "/api/beamtimes/{beamtimeId}", [&app](http::RequestContext& req) {
    const auto id = req.path_int("beamtimeId");
    const auto b = app.db.read([&](db::Conn& c) { return repo::find_beamtime(c, id); });
    if (!b) throw NotFound(fmt::format("beamtime {} does not exist", id));
    return http::HttpResponse::json(json::beamtime_to_json(*b, app.tz));
  });
}

}  // namespace amarcord::server
