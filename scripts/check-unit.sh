#!/usr/bin/env bash
# Verifies the systemd unit as installed: `cmake --install` into a scratch root (so the binary sits
# at the unit's ExecStart path exactly as the package puts it), then `systemd-analyze verify` there
# and `systemd-analyze security`, whose exposure must stay at or below 2.0 (docs/operations.md).
#   scripts/check-unit.sh          (XDRSYNC_BUILD_DIR, default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${XDRSYNC_BUILD_DIR:-build}
start=$SECONDS
say() { printf 'check-unit: %s (%ds)\n' "$*" $((SECONDS - start)); }
fail() { printf 'check-unit: FAIL: %s\n' "$*" >&2; exit 1; }

source scripts/deps.sh
XDRSYNC_PACKAGES+=(systemd)
xdrsync_install_deps

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build_dir" --target xdrsync xdrsync_man
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
DESTDIR=$root cmake --install "$build_dir" --prefix /usr >/dev/null
unit=/usr/lib/systemd/system/xdrsync.service
[ -f "$root$unit" ] || fail "the install rules put no unit at $unit"
exec_path=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$root$unit")
[ -x "$root$exec_path" ] || fail "ExecStart=$exec_path is not installed there"
# verify resolves the unit's dependencies (sysinit.target, ...) inside the root: give it the
# distribution's units.
mkdir -p "$root/usr/lib/systemd"
cp -an /lib/systemd/system/. "$root/usr/lib/systemd/system/"
systemd-analyze verify --root="$root" "$unit" 2>&1 | tee "$root/verify.log"
[ -s "$root/verify.log" ] && fail "systemd-analyze verify reported problems"
say "systemd-analyze verify: clean (ExecStart=$exec_path)"

exposure=$(systemd-analyze security --offline=yes --root="$root" "$unit" 2>/dev/null |
           sed -n 's/.*Overall exposure level for xdrsync.service: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] || fail "systemd-analyze security gave no score"
say "systemd-analyze security: exposure $exposure"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "exposure $exposure is above 2.0"
say "ok"
