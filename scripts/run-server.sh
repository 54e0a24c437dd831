#!/usr/bin/env bash
# Installs dependencies, builds, and runs amarcord-server with its defaults:
# embedded SQLite in ./amarcord-data, listening on 127.0.0.1:8080.
# Extra arguments go to the server, e.g. --listen 0.0.0.0:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec build/bin/amarcord-server "$@"
