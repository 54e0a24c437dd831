// One file per resource; each adds its routes to the router. The URL prefix
// names the file: /api/beamtimes -> beamtimes.cpp.
#pragma once

#include "app.hpp"
#include "http/router.hpp"

namespace amarcord::server {

void add_attributi_routes(http::Router& router, AppContext& app);
void add_beamtime_routes(http::Router& router, AppContext& app);
void add_chemical_routes(http::Router& router, AppContext& app);
void add_data_set_routes(http::Router& router, AppContext& app);
void add_event_routes(http::Router& router, AppContext& app);
void add_experiment_type_routes(http::Router& router, AppContext& app);
void add_file_routes(http::Router& router, AppContext& app);
void add_schedule_routes(http::Router& router, AppContext& app);
void add_unit_routes(http::Router& router, AppContext& app);
void add_user_config_routes(http::Router& router, AppContext& app);
void add_health_routes(http::Router& router, AppContext& app);
void add_live_stream_routes(http::Router& router, AppContext& app);
void add_run_routes(http::Router& router, AppContext& app);
void add_run_table_routes(http::Router& router, AppContext& app);
void add_runs_overview_routes(http::Router& router, AppContext& app);
void add_spreadsheet_routes(http::Router& router, AppContext& app);
void add_web_routes(http::Router& router, AppContext& app);

}  // namespace amarcord::server
