// One file per resource; each adds its routes to the router. The URL prefix
// names the file: /api/beamtimes -> beamtimes.cpp.
#pragma once

#include "app.hpp"
#include "http/router.hpp"

namespace amarcord::server {

void add_beamtime_routes(http::Router& router, AppContext& app);
void add_health_routes(http::Router& router, AppContext& app);
void add_web_routes(http::Router& router, AppContext& app);

}  // namespace amarcord::server
