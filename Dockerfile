# skuld as a container image: a static (musl) binary on an empty base, running as a non-root user.
#
#   docker build -t skuld .
#   docker run --rm -v "$PWD:/work" skuld check tenants/
#
# Build stage: Alpine's Rust targets musl, so the binary is statically linked; rustls with its
# bundled root certificates means no CA files are needed at run time (`import graph --live`).
FROM rust:1-alpine AS build
# musl-dev comes with the image's Alpine release; pinning its version would break with the next
# one (the binary's reproducibility comes from Cargo.lock, not from the C headers).
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY grammar ./grammar
COPY policies ./policies
COPY benches ./benches
COPY examples ./examples
COPY README.md ./
RUN cargo build --release --locked --bin skuld \
    && ./target/release/skuld --version

# Final stage: nothing but the binary; no shell, no package manager.
FROM scratch
COPY --from=build /src/target/release/skuld /usr/local/bin/skuld
# 65532: the conventional "nonroot" user of distroless images; files in mounted folders stay
# readable as long as they are world-readable.
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/skuld"]
CMD ["--help"]
