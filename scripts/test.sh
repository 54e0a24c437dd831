#!/usr/bin/env bash
# Sets up and runs every test: installs packages (including PostgreSQL and
# MariaDB), builds once, starts both database servers on loopback, and runs
# ctest: unit tests plus the end-to-end suite on SQLite, PostgreSQL and
# MariaDB. A database server that cannot be started fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
bash scripts/build.sh
# An assignment keeps the script's exit status, so a database server that
# cannot be started stops the run here (set -e) instead of being skipped.
db_env=$(bash scripts/start-test-databases.sh)
eval "$db_env"
ctest --test-dir build --output-on-failure -j2 --timeout 1200 "$@"
