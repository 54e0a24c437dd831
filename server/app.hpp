// Wires settings, database, routes and the HTTP server together.
#pragma once

#include "config/settings.hpp"
#include "db/database.hpp"
#include "domain/time.hpp"
#include "http/router.hpp"
#include "storage/blob_store.hpp"
#include "storage/live_images.hpp"

namespace amarcord::server {

// What route handlers need besides the request.
struct AppContext {
  db::Database& db;
  domain::TimeZone tz;
  const config::Settings& settings;
  storage::BlobStore& store;
  storage::LiveImages& live;
};

void register_routes(http::Router& router, AppContext& app);

// The two commands of amarcord-server. Both return the process exit status.
int run_serve(const config::Settings& settings);
int run_migrate(const config::Settings& settings);

}  // namespace amarcord::server
