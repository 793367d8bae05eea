#!/usr/bin/env bash
# Installs what is missing, builds xdrsync and runs `xdrsync demo`: the built-in emulator of
# Defender XDR and Sentinel in-process, a realistic scenario, and the daemon syncing it, narrated.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
xdrsync_install_deps

build_dir=${XDRSYNC_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${XDRSYNC_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build_dir" -j "${XDRSYNC_JOBS:-$(nproc)}" --target xdrsync
exec "$build_dir/src/cli/xdrsync" demo
