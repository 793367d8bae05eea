#!/usr/bin/env bash
# Installs the Debian 12 packages xdrsync needs to build and test, if any are missing.
# Sourced by scripts/test.sh and scripts/demo.sh; safe to run again (installs nothing when complete).
set -euo pipefail

XDRSYNC_PACKAGES=(
  g++ cmake ninja-build ccache pkg-config ca-certificates
  libcpprest-dev libboost-system-dev nlohmann-json3-dev libspdlog-dev libsqlite3-dev
  libgtest-dev libgmock-dev libsystemd-dev libssl-dev
)

xdrsync_install_deps() {
  local missing=()
  local p
  for p in "${XDRSYNC_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "xdrsync: installing missing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "xdrsync: these packages are missing and this user is not root and has no sudo:" >&2
      echo "  apt-get install -y ${missing[*]}" >&2
      echo "xdrsync: run that as root, then run this script again." >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
