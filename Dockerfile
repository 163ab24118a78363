# syntax=docker/dockerfile:1
# Khabar: release build in one stage, a small non-root runtime in the next.
# Dependencies are built in their own layer (cargo-chef) so code changes rebuild only Khabar.

ARG RUST_VERSION=1.95
FROM rust:${RUST_VERSION}-bookworm AS chef
# pq-sys builds libpq from source and links the system OpenSSL: it needs headers and pkg-config.
RUN apt-get update \
 && apt-get install -y --no-install-recommends pkg-config libssl-dev \
 && rm -rf /var/lib/apt/lists/* \
 && cargo install cargo-chef --locked
WORKDIR /build

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /build/recipe.json recipe.json
RUN cargo chef cook --release --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked --bin khabar \
 && strip target/release/khabar

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/khabar --create-home khabar
COPY --from=builder /build/target/release/khabar /usr/local/bin/khabar
USER khabar
WORKDIR /var/lib/khabar
# SQLite by default (kept in the /var/lib/khabar volume); set DATABASE_URL=postgres://… and
# KHABAR_JWT_SECRET for PostgreSQL deployments.
ENV DATABASE_URL=sqlite:///var/lib/khabar/khabar.db \
    KHABAR_MEDIA_DIR=/var/lib/khabar/media \
    KHABAR_BIND=0.0.0.0:8080 \
    KHABAR_LOG=info \
    KHABAR_LOG_FORMAT=json
VOLUME ["/var/lib/khabar"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${KHABAR_BIND##*:}/healthz" >/dev/null || exit 1
ENTRYPOINT ["/usr/local/bin/khabar"]
CMD ["serve"]
