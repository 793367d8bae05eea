#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (-fsanitize=fuzzer,address,undefined) in
# their own build directory and runs each for a short time, seeded from the bad-input corpus
# (tests/data/bad) and the good examples in the tree. Any crash, leak, sanitizer report or
# timeout fails the script; the input that caused it is left in build-fuzz/artifacts.
#   scripts/check-fuzz.sh                 (XDRSYNC_FUZZ_SECONDS per target, default 10;
#                                          XDRSYNC_FUZZ_BUILD_DIR, default build-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${XDRSYNC_FUZZ_BUILD_DIR:-build-fuzz}
seconds=${XDRSYNC_FUZZ_SECONDS:-10}
start=$SECONDS
say() { printf 'check-fuzz: %s (%ds)\n' "$*" $((SECONDS - start)); }

source scripts/deps.sh
XDRSYNC_PACKAGES+=(clang-14 libclang-rt-14-dev)
xdrsync_install_deps

targets=(fuzz_graph_codec fuzz_arm_codec fuzz_timestamp fuzz_config)
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DXDRSYNC_FUZZ=ON -DXDRSYNC_BUILD_TESTS=OFF -DXDRSYNC_WITH_CPPREST=OFF >/dev/null
fi
cmake --build "$build_dir" --target "${targets[@]}"
say "built ${targets[*]}"

# Seeds: a fresh directory per target (libFuzzer adds what it finds to the first one given).
seed_root=$build_dir/seeds
rm -rf "$seed_root"
mkdir -p "$seed_root"/{json,timestamp,config} "$build_dir/artifacts"
cp tests/data/bad/*.json "$seed_root/json/"
cp config/xdrsync.example.json "$seed_root/config/"
find tests/unit/app -name '*.json' -exec cp {} "$seed_root/config/" \;
# Every timestamp the corpus holds, one per file.
{ grep -aohE '"[0-9]{1,5}-[0-9]{2}-[0-9]{2}[T ][^"]{0,40}"' tests/data/bad/*.json config/*.json || true; } |
  tr -d '"' | sort -u | awk -v d="$seed_root/timestamp" '{ f = d "/ts" NR; printf "%s", $0 > f; close(f) }'
# Inputs that once crashed a target stay among its seeds (tests/fuzz/regressions/<seed dir>/).
for dir in tests/fuzz/regressions/*/; do
  [ -d "$dir" ] && cp "$dir"* "$seed_root/$(basename "$dir")/"
done

run() {
  local target=$1 seeds=$2
  local dict=()
  [ "$target" = fuzz_timestamp ] || dict=(-dict=tests/fuzz/json.dict)
  say "running $target for ${seconds}s"
  "$build_dir/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 "${dict[@]}" -artifact_prefix="$build_dir/artifacts/$target-" \
    "$seeds" 2>"$build_dir/$target.log" || {
    tail -n 60 "$build_dir/$target.log" >&2
    echo "check-fuzz: FAIL: $target found a crash; the input is in $build_dir/artifacts" >&2
    exit 1
  }
  grep -E '^stat::(number_of_executed_units|new_units_added)' "$build_dir/$target.log" | tr '\n' ' '
  echo
}
cp -r "$seed_root/json" "$seed_root/arm"
run fuzz_graph_codec "$seed_root/json"
run fuzz_arm_codec "$seed_root/arm"
run fuzz_timestamp "$seed_root/timestamp"
run fuzz_config "$seed_root/config"
say "no crashes"
