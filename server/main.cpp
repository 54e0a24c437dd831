// amarcord-server: the AMARCORD HTTP API server.
#include <cstdio>

#include "app.hpp"
#include "config/settings.hpp"
#include "db/session_pool.hpp"

#ifndef AMARCORD_VERSION
#define AMARCORD_VERSION "dev"
#endif

int main(int argc, char** argv) {
  using namespace amarcord;
  // Before any database connection exists (see the function's comment).
  db::use_sqlite_multithread_mode();
  config::Invocation inv;
  try {
    inv = config::parse_invocation(argc, argv, config::process_environment());
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "amarcord-server: %s\n", e.what());
    return 2;
  }
  switch (inv.command) {
    case config::Command::help:
      std::fputs(inv.help_text.c_str(), stdout);
      return 0;
    case config::Command::version:
      std::puts("amarcord-server " AMARCORD_VERSION);
      return 0;
    case config::Command::migrate:
      return server::run_migrate(inv.settings);
    case config::Command::serve:
      return server::run_serve(inv.settings);
  }
  return 0;
}
