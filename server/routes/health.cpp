// GET /api/health: for nginx and systemd probes (not in the original API).
#include <boost/json.hpp>

#include "routes/routes.hpp"

namespace amarcord::server {

void add_health_routes(http::Router& router, AppContext& app) {
  router.add(boost::beast::http::verb::get, "/api/health", [&app](http::RequestContext&) {
    boost::json::object o;
    if (app.db.ping()) {
      o["status"] = "ok";
      o["database"] = "ok";
      return http::HttpResponse::json(o);
    }
    o["status"] = "unavailable";
    o["database"] = "unreachable";
    o["detail"] = "database unreachable";
    auto r = http::HttpResponse::json(o, 503);
    r.headers.emplace_back("Retry-After", "5");
    return r;
  });
}

}  // namespace amarcord::server
