#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build and run amarcord-server.
# With --test also the database servers and tools the test suite needs.
# Does nothing when everything is already installed (so it works offline then).
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config clang-format
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libsoci-dev libfmt-dev catch2 libturbojpeg0-dev libcurl4-openssl-dev zlib1g-dev
  libsqlite3-dev libpq-dev libmariadb-dev libudunits2-dev libmagic-dev tzdata ca-certificates curl
  libxlsxwriter-dev libzip-dev libexpat1-dev
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(postgresql mariadb-server mariadb-client wrk)
  # The web UI's browser tests drive Debian's Chromium (server/web/e2e).
  packages+=(chromium)
fi
# The web UI is built with Node.js and npm. Debian's packages only when no
# node/npm is on PATH (the machine may bring a newer Node.js of its own).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
