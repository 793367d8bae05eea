#!/usr/bin/env bash
# Builds the .deb with CPack from an existing build tree, unpacks it into a scratch root, and checks
# its file list, its Depends (computed by dpkg-shlibdeps) and that the installed binary runs.
#   scripts/check-packaging.sh          (XDRSYNC_BUILD_DIR, default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${XDRSYNC_BUILD_DIR:-build}
start=$SECONDS
say() { printf 'check-packaging: %s (%ds)\n' "$*" $((SECONDS - start)); }
fail() { printf 'check-packaging: FAIL: %s\n' "$*" >&2; exit 1; }

source scripts/deps.sh
XDRSYNC_PACKAGES+=(dpkg-dev file)
xdrsync_install_deps

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build_dir" --target xdrsync xdrsync_man
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$build_dir" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log" >&2; fail "cpack"; }
deb=$(ls "$out"/xdrsync_*.deb)
say "built $(basename "$deb") ($(du -k "$deb" | cut -f1) kB)"

# Files: exactly what operators and the docs expect, at the unit's ExecStart path.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#' >"$out/files"
for f in /usr/bin/xdrsync /usr/lib/systemd/system/xdrsync.service /usr/share/man/man1/xdrsync.1.gz \
         /usr/share/doc/xdrsync/copyright /usr/share/doc/xdrsync/README.md /usr/share/doc/xdrsync/operations.md \
         /usr/share/doc/xdrsync/examples/xdrsync.example.json; do
  grep -qx "$f" "$out/files" || fail "the package lacks $f"
done
grep -E '^/(usr/local|home|tmp|work)' "$out/files" && fail "files outside the package's prefix"
grep -q '^ExecStart=/usr/bin/xdrsync ' <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/xdrsync.service) ||
  fail "the unit's ExecStart is not the packaged binary /usr/bin/xdrsync"

# Depends: the package of every library the binary links directly (NEEDED) is named there, by its
# name or by a name it Provides (libspdlog1.10 provides libspdlog1.10-fmt9). Indirect libraries come
# with those packages' own Depends.
depends=$(dpkg-deb -f "$deb" Depends)
say "Depends: $depends"
dep_names=$(sed 's/([^)]*)//g; s/|/,/g' <<<"$depends" | tr ',' '\n' | tr -d ' ')
binary=$build_dir/src/cli/xdrsync
for soname in $(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  path=$(ldd "$binary" | awk -v n="$soname" '$1 == n {print $3}')
  [ -n "$path" ] || fail "cannot resolve $soname"
  path=$(readlink -f "$path")
  # dpkg -S knows some libraries by their pre-usrmerge path, /lib/... rather than /usr/lib/....
  pkg=$({ dpkg -S "$path" 2>/dev/null || dpkg -S "${path#/usr}"; } | head -1 | cut -d: -f1)
  names="$pkg $(dpkg-query -W -f='${Provides}' "$pkg" | sed 's/([^)]*)//g; s/,/ /g')"
  found=
  for n in $names; do
    grep -qxF "$n" <<<"$dep_names" && found=$n
  done
  [ -n "$found" ] || fail "Depends lacks $pkg (the binary links $soname from it)"
done
grep -qxF ca-certificates <<<"$dep_names" || fail "Depends lacks ca-certificates"

# Installed into a scratch root, the binary runs and the man page is readable.
dpkg -x "$deb" "$out/root"
version=$("$out/root/usr/bin/xdrsync" --version) || fail "the installed binary does not run"
"$out/root/usr/bin/xdrsync" --config "$out/root/usr/share/doc/xdrsync/examples/xdrsync.example.json" check-config \
  >/dev/null || fail "check-config of the packaged example configuration"
zcat "$out/root/usr/share/man/man1/xdrsync.1.gz" | grep -q '^\.SH DESCRIPTION' || fail "man page"
say "installed binary: $version"
if [ -n "${XDRSYNC_DEB_OUT:-}" ]; then cp "$deb" "$XDRSYNC_DEB_OUT"; fi
say "ok"
