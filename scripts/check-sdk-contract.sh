#!/usr/bin/env bash
# The emulator against Microsoft's own SDKs (tests/sdk-contract): @azure/identity signs in through
# the emulator's discovery and token endpoints over TLS, then @azure/arm-securityinsight and
# @microsoft/microsoft-graph-client run every route the daemon uses, checking each reply against
# the SDKs' models. Uses the machine's node/npm when present, else Debian's nodejs and npm
# (Node 18; every pinned package runs on it).
#   scripts/check-sdk-contract.sh          (XDRSYNC_BUILD_DIR, default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${XDRSYNC_BUILD_DIR:-build}
start=$SECONDS
say() { printf 'check-sdk-contract: %s (%ds)\n' "$*" $((SECONDS - start)); }

source scripts/deps.sh
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  XDRSYNC_PACKAGES+=(nodejs npm)
fi
xdrsync_install_deps
say "node $(node --version), npm $(npm --version)"

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build_dir" --target xdrsync-emulator
emulator=$(cd "$build_dir" && pwd)/tools/emulator/xdrsync-emulator

cd tests/sdk-contract
# The lock file pins every package; ci installs exactly it (and fails if package.json disagrees).
npm ci --no-audit --no-fund --loglevel=error
say "npm ci done"
timeout 120 node run.js "$emulator"
say "passed"
