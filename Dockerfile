# The rover simulator (capcom-sim, the sim/ crate), for docker-compose.yml. Two stages: the
# build, then a slim runtime with only the binary and curl (for the healthcheck).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p capcom-sim

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/capcom-sim /usr/local/bin/capcom-sim
USER 65534:65534
EXPOSE 9184
ENTRYPOINT ["capcom-sim"]
CMD ["--metrics-listen", "0.0.0.0:9184"]
