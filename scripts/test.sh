#!/usr/bin/env bash
# Installs what is missing, configures, builds and runs the whole test suite.
#   scripts/test.sh                 Release build with tests in build/
#   XDRSYNC_WERROR=ON scripts/test.sh   warnings are errors (CI)
#   XDRSYNC_SANITIZE=address,undefined XDRSYNC_BUILD_DIR=build-asan scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
xdrsync_install_deps

build_dir=${XDRSYNC_BUILD_DIR:-build}
jobs=${XDRSYNC_JOBS:-$(nproc)}
cmake_args=(
  -S . -B "$build_dir" -G Ninja
  -DCMAKE_BUILD_TYPE="${XDRSYNC_BUILD_TYPE:-RelWithDebInfo}"
  -DXDRSYNC_WERROR="${XDRSYNC_WERROR:-OFF}"
  -DXDRSYNC_SANITIZE="${XDRSYNC_SANITIZE:-}"
  -DXDRSYNC_WITH_CPPREST="${XDRSYNC_WITH_CPPREST:-ON}"
)
cmake "${cmake_args[@]}"
cmake --build "$build_dir" -j "$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" ${XDRSYNC_CTEST_ARGS:-}
