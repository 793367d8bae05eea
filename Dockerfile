# syntax=docker/dockerfile:1
# xdrsync container image. Build from the repository root:
#   docker build -t xdrsync .
# The configuration is mounted at /etc/xdrsync/xdrsync.json; the state lives on the volume.
# CI builds this file for real with podman (scripts/check-image.sh).

FROM debian:bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      g++ cmake ninja-build ccache pkg-config ca-certificates \
      libcpprest-dev libboost-system-dev libssl-dev libspdlog-dev nlohmann-json3-dev \
      libsqlite3-dev libsystemd-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Only the daemon, no tests. The ccache directory is a build cache mount: a rebuild after a source
# change recompiles only what changed.
RUN --mount=type=cache,target=/root/.cache/ccache \
    cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXDRSYNC_BUILD_TESTS=OFF \
 && cmake --build /build --target xdrsync \
 && strip --strip-debug -o /xdrsync /build/src/cli/xdrsync \
 && /xdrsync --version

FROM debian:bookworm-slim
# Exactly the shared libraries the binary needs (ldd + dpkg -S, re-checked by
# scripts/check-image.sh), CA certificates for TLS, and tini as PID 1: it forwards SIGTERM to the
# daemon and reaps (Container Apps has no --init).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libcpprest2.10 libssl3 libspdlog1.10 libfmt9 libsqlite3-0 libsystemd0 \
      ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 xdrsync \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/xdrsync --shell /usr/sbin/nologin xdrsync \
 && install -d -o xdrsync -g xdrsync -m 0700 /var/lib/xdrsync \
 && install -d -m 0755 /etc/xdrsync
COPY --from=build /xdrsync /usr/bin/xdrsync
COPY config/xdrsync.example.json /etc/xdrsync/xdrsync.example.json
USER 10001:10001
VOLUME ["/var/lib/xdrsync"]
# Set "listen": "0.0.0.0:9464" in the configuration so probes from outside the container reach it.
EXPOSE 9464
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/bin/xdrsync", "--config", "/etc/xdrsync/xdrsync.json", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/bin/xdrsync"]
CMD ["--config", "/etc/xdrsync/xdrsync.json", "run"]
