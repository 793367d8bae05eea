#!/usr/bin/env bash
# Runs the benchmark harness at its reduced sizes (docs/performance.md): the real daemon against
# the real emulator, every measurement, in about 3 minutes. It prints the table; timing never fails
# it. It fails only when the harness could not take a measurement (a process died, a change never
# reached the other side) or the JSON lacks a key the issue's readers rely on.
#   scripts/check-bench.sh          (XDRSYNC_BUILD_DIR, default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${XDRSYNC_BUILD_DIR:-build}
start=$SECONDS
say() { printf 'check-bench: %s (%ds)\n' "$*" $((SECONDS - start)); }
fail() { printf 'check-bench: FAIL: %s\n' "$*" >&2; exit 1; }

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build_dir" --target xdrsync-bench xdrsync xdrsync-emulator xdrsync-store-bench xdrsync-reconcile-bench
# The in-process halves of "reconcile + store per changed incident", at small sizes (seconds).
"$build_dir/bench/xdrsync-reconcile-bench" --pairs 100 --rounds 5 || fail "xdrsync-reconcile-bench exited $?"
"$build_dir/bench/xdrsync-store-bench" --pairs 1000 --changes 200 --per-cycle 100 || fail "xdrsync-store-bench exited $?"
out=$(mktemp --suffix=.json)
trap 'rm -f "$out"' EXIT
"$build_dir/bench/xdrsync-bench" --reduced --json "$out" || fail "xdrsync-bench exited $?"
for key in '"latency"' '"2"' '"5"' '"15"' '"p99_seconds"' '"defender_to_sentinel"' '"sentinel_to_defender"' \
           '"idle_writes"' '"backlog_latency"' '"cold_start"' '"steady_state"' '"many_links"'; do
  grep -q "$key" "$out" || fail "the JSON has no $key"
done
say "idle_writes $(sed -n 's/^  "idle_writes": \([0-9]*\).*/\1/p' "$out"); JSON complete"
