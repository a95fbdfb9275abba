# syntax=docker/dockerfile:1
# One image for every service; INVENTORY_TARGET (or serve --target) picks what a container runs:
#   docker run -e INVENTORY_TARGET=catalog … inventory-tracker
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin inventory-tracker \
    && cp target/release/inventory-tracker /usr/local/bin/inventory-tracker

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --create-home shop
COPY --from=build /usr/local/bin/inventory-tracker /usr/local/bin/inventory-tracker
USER shop
WORKDIR /data
# Listen on every interface inside the container; the data folder is a volume.
ENV INVENTORY_HOST=0.0.0.0 \
    INVENTORY_DATA_DIR=/data \
    INVENTORY_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 3000 8000 8001 8002 8003 8004
# Ready when every service this container runs (INVENTORY_TARGET) answers /health/ready.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
    CMD ["inventory-tracker", "health"]
ENTRYPOINT ["inventory-tracker"]
CMD ["serve"]
