#!/usr/bin/env bash
# Configures (once) and builds the project in ./build: one -O2 Release build
# that the server command, the tests and the benchmarks all use.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build -j"$(nproc)"
