#include "app.hpp"

#include <soci/soci.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "db/migrator.hpp"
#include "http/server.hpp"
#include "repo/files.hpp"
#include "routes/routes.hpp"
#include "service/sd_notify.hpp"
#include "util/log.hpp"

namespace amarcord::server {
namespace {

// Startup problems that are the operator's to fix: logged, exit status 1.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

db::DbUrl prepare_database_url(const config::Settings& s) {
  db::DbUrl url;
  try {
    url = db::parse_db_url(s.db_url);
  } catch (const db::DbUrlError& e) {
    throw config::ConfigError(std::string("invalid value for --db-url: ") + e.what());
  }
  std::error_code ec;
  std::filesystem::create_directories(s.data_dir, ec);
  if (ec) {
    throw StartupError("cannot create data directory " + s.data_dir.string() + ": " + ec.message());
  }
  if (url.backend == db::Backend::sqlite && url.path != ":memory:") {
    const auto parent = std::filesystem::path(url.path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  return url;
}

// Migrates (or, with --no-migrate, only checks) the schema on its own session.
void bring_schema_up_to_date(db::Database& database, bool migrate) {
  std::unique_ptr<soci::session> session;
  try {
    session = database.pool().open_session();
  } catch (const std::exception& e) {
    throw StartupError("cannot connect to the database " + database.pool().url().redacted() + ": " +
                       e.what());
  }
  db::Migrator migrator(*session, database.backend());
  if (migrate) {
    const auto applied = migrator.migrate();
    log::info("database schema at version {} ({} migration(s) applied)",
              db::latest_schema_version(database.backend()), applied.size());
    return;
  }
  const auto status = migrator.inspect();
  if (!status.pending.empty()) {
    throw StartupError(
        "the database schema is not up to date and --no-migrate is set; run `amarcord-server "
        "migrate` with the same --db-url first");
  }
}

void write_port_file(const std::filesystem::path& path, std::uint16_t port) {
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
  }
  std::filesystem::rename(tmp, path);
}

template <typename F>
int guarded(F&& f) {
  try {
    return f();
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "amarcord-server: %s\n", e.what());
    return 2;
  } catch (const db::MigrationError& e) {
    log::error("{}", e.what());
    return 1;
  } catch (const StartupError& e) {
    log::error("{}", e.what());
    return 1;
  } catch (const std::exception& e) {
    log::error("startup failed: {}", e.what());
    return 1;
  }
}

domain::TimeZone load_zone(const config::Settings& s) {
  try {
    return domain::TimeZone::load(s.time_zone);
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError(std::string("invalid value for --tz/AMARCORD_TZ: ") + e.what());
  }
}

void apply_log_level(const config::Settings& s) {
  log::Level level = log::Level::info;
  log::parse_level(s.log_level, level);
  log::set_level(level);
}

}  // namespace

void register_routes(http::Router& router, AppContext& app) {
  add_health_routes(router, app);
  add_beamtime_routes(router, app);
  add_attributi_routes(router, app);
  add_chemical_routes(router, app);
  add_experiment_type_routes(router, app);
  add_data_set_routes(router, app);
  add_user_config_routes(router, app);
  add_unit_routes(router, app);
  add_schedule_routes(router, app);
  add_file_routes(router, app);
  add_run_routes(router, app);
  add_run_table_routes(router, app);
  add_runs_overview_routes(router, app);
  add_event_routes(router, app);
  add_live_stream_routes(router, app);
  add_web_routes(router, app);
  // Last: "/api/{beamtimeId}/spreadsheet.zip" starts with a parameter.
  add_spreadsheet_routes(router, app);
}

int run_migrate(const config::Settings& settings) {
  return guarded([&] {
    apply_log_level(settings);
    load_zone(settings);
    db::Database database(prepare_database_url(settings), 1, settings.db_acquire_timeout);
    bring_schema_up_to_date(database, true);
    return 0;
  });
}

int run_serve(const config::Settings& settings) {
  return guarded([&] {
    apply_log_level(settings);
    const domain::TimeZone zone = load_zone(settings);
    db::Database database(prepare_database_url(settings), settings.db_pool_size,
                          settings.db_acquire_timeout);
    storage::BlobStore store(settings.data_dir);
    storage::LiveImages live(settings.data_dir);
    AppContext app{database, zone, settings, store, live};
    bring_schema_up_to_date(app.db, settings.migrate);

    http::Router router;
    register_routes(router, app);

    http::ServerOptions options;
    options.host = settings.listen_host;
    options.port = settings.listen_port;
    options.io_threads = settings.threads;
    options.worker_threads = settings.db_pool_size;
    options.shutdown_grace = settings.shutdown_grace;
    options.cors_origins = settings.cors_origins;
    options.limits.header_timeout = settings.header_timeout;
    options.limits.idle_timeout = settings.idle_timeout;
    options.limits.body_timeout = settings.body_timeout;
    options.limits.body_limit = settings.max_body_bytes;
    std::unique_ptr<http::HttpServer> server;
    try {
      server = std::make_unique<http::HttpServer>(options, router);
    } catch (const std::exception& e) {
      throw StartupError("cannot listen on " + settings.listen_host + ":" +
                         std::to_string(settings.listen_port) + ": " + e.what());
    }
    if (settings.blob_sweep_interval.count() > 0) {
      // Blobs younger than an hour may belong to an upload whose row is not
      // written yet.
      server->every(std::chrono::minutes(10), settings.blob_sweep_interval, [&app] {
        const auto referenced =
            app.db.read([](db::Conn& c) { return repo::referenced_digests(c); });
        const auto removed =
            app.store.sweep([&](const std::string& sha) { return referenced.count(sha) > 0; },
                            std::chrono::hours(1));
        if (removed > 0) log::info("blob sweep removed {} unreferenced blob(s)", removed);
      });
    }
    server->run([&] {
      if (!settings.port_file.empty()) write_port_file(settings.port_file, server->port());
      log::info("listening on http://{}:{} (database {}, time zone {})", settings.listen_host,
                server->port(), app.db.pool().url().redacted(), app.tz.name());
      service::sd_notify("READY=1\nSTATUS=serving");
    });
    return 0;
  });
}

}  // namespace amarcord::server
