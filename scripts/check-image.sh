#!/usr/bin/env bash
# Builds the Dockerfile for real and runs the binary inside the runtime stage. No registry is
# reachable in CI, so the debian:bookworm and debian:bookworm-slim base images are made locally with
# debootstrap (minbase; the tarball is cached under /var/cache/xdrsync-ci, the imported image stays
# in podman's storage, so reruns reuse the layer cache and the ccache mount of the build stage).
#   scripts/check-image.sh                   as root (CI)
#   XDRSYNC_IMAGE_CONTEXT=/path scripts/check-image.sh   build another source tree
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
context=${XDRSYNC_IMAGE_CONTEXT:-$repo}
cache=${XDRSYNC_CI_CACHE:-/var/cache/xdrsync-ci}
image=localhost/xdrsync:ci
start=$SECONDS
say() { printf 'check-image: %s (%ds)\n' "$*" $((SECONDS - start)); }
fail() { printf 'check-image: FAIL: %s\n' "$*" >&2; exit 1; }

source scripts/deps.sh
XDRSYNC_PACKAGES=(podman buildah runc debootstrap uidmap fuse-overlayfs)
xdrsync_install_deps

# runc, not crun: crun refuses hybrid cgroup v1/v2 hosts. Limits no higher than this host allows
# (podman's defaults are higher, and setrlimit fails without CAP_SYS_RESOURCE).
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=1048576
podman_opts=(--runtime runc --cgroup-manager cgroupfs)
limits=(--ulimit "nofile=$nofile:$nofile" --ulimit nproc=4096:4096)

base_tar=$cache/debian-bookworm-minbase.tar
if ! podman "${podman_opts[@]}" image exists docker.io/library/debian:bookworm ||
   ! podman "${podman_opts[@]}" image exists docker.io/library/debian:bookworm-slim; then
  mkdir -p "$cache"
  if [ ! -s "$base_tar" ]; then
    say "debootstrap bookworm (minbase), once"
    root=$(mktemp -d "$cache/rootfs.XXXXXX")
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 ||
      { tail -20 "$cache/debootstrap.log" >&2; fail "debootstrap"; }
    # Like the official images: no package lists or caches in the base.
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
    tar -C "$root" -cf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
    rm -rf "$root"
  fi
  say "importing the base image"
  podman "${podman_opts[@]}" import --change 'CMD ["bash"]' "$base_tar" docker.io/library/debian:bookworm >/dev/null
  podman "${podman_opts[@]}" tag docker.io/library/debian:bookworm docker.io/library/debian:bookworm-slim
fi

say "building the image from $context"
# docker format keeps HEALTHCHECK (the OCI image format has no field for it).
podman "${podman_opts[@]}" build --pull=never --format docker --network host "${limits[@]}" \
  -f "$repo/Dockerfile" -t "$image" "$context" >"$cache/build.log" 2>&1 ||
  { tail -40 "$cache/build.log" >&2; fail "podman build (full log: $cache/build.log)"; }
say "built $image"

run=(podman "${podman_opts[@]}" run --rm --network none --no-healthcheck "${limits[@]}")
version=$("${run[@]}" "$image" --version) || fail "xdrsync --version in the image"
say "xdrsync --version: $version"
"${run[@]}" "$image" --config /etc/xdrsync/xdrsync.example.json check-config >/dev/null ||
  fail "check-config of the example configuration in the image"
say "check-config of /etc/xdrsync/xdrsync.example.json: ok"

# The image's contract: non-root user, exec-form entrypoint through tini, the volume, a healthcheck.
inspect() { podman "${podman_opts[@]}" image inspect --format "$1" "$image"; }
[ "$(inspect '{{.Config.User}}')" = 10001:10001 ] || fail "USER is not 10001:10001"
[ "$(inspect '{{index .Config.Entrypoint 0}}')" = /usr/bin/tini ] || fail "ENTRYPOINT does not start tini"
inspect '{{json .Config.Volumes}}' | grep -q '"/var/lib/xdrsync"' || fail "no /var/lib/xdrsync volume"
inspect '{{json .Config.Healthcheck}}' | grep -q healthcheck || fail "no HEALTHCHECK running xdrsync healthcheck"
"${run[@]}" --entrypoint /usr/bin/id "$image" -u | grep -qx 10001 || fail "the process does not run as 10001"

# The runtime package list is exactly what the binary needs: nothing missing, nothing extra.
# (dpkg -S knows some libraries by their pre-usrmerge path, /lib/... rather than /usr/lib/....)
needed=$("${run[@]}" --entrypoint /bin/sh "$image" -c \
  'for f in $(ldd /usr/bin/xdrsync | awk "/=>/ {print \$3}" | xargs -n1 readlink -f); do
     dpkg -S "$f" 2>/dev/null || dpkg -S "${f#/usr}"; done | cut -d: -f1 | sort -u')
"${run[@]}" --entrypoint /bin/sh "$image" -c 'ldd /usr/bin/xdrsync' | grep 'not found' && fail "libraries missing"
listed=$(sed -n '/^FROM debian:bookworm-slim/,/^COPY/p' "$repo/Dockerfile" | grep -v '^#' | tr ' \\' '\n\n' | grep -E '^lib[a-z0-9.+-]+$' | sort -u)
for p in $listed; do
  grep -qx "$p" <<<"$needed" || fail "runtime package $p is installed but the binary does not need it"
done
say "runtime libraries match the binary's needs: $(echo $listed)"

# The healthcheck subcommand exists in the image: with nothing listening it must say so and exit 1.
set +e
hc=$("${run[@]}" "$image" --config /etc/xdrsync/xdrsync.example.json healthcheck 2>&1); rc=$?
set -e
[ "$rc" = 1 ] || fail "healthcheck with no daemon exited $rc, expected 1: $hc"
say "healthcheck without a daemon: exit 1 ($hc)"

say "size $(inspect '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}')"
say "ok"
