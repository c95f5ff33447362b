# Build: a Swift 6 image with the headers of SQLite, libxml2, Poppler (GLib) and OpenBLAS; the Swift runtime is linked in statically.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-dev libxml2-dev libpoppler-glib-dev zlib1g-dev libopenblas-dev pkg-config python3 python3-pip \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# The tokenizer's rank files and the embedding model, fetched and checked by the project's setup script.
COPY scripts ./scripts
RUN scripts/setup.sh
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Public ./Public
RUN swift build -c release --static-swift-stdlib --product switchboard

# Run: a slim Debian with the SQLite, libxml2, Poppler and OpenBLAS libraries and CA certificates, as a user without
# privileges.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-0 libxml2 libpoppler-glib8 zlib1g libopenblas0 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /app --uid 10001 switchboard
WORKDIR /app
COPY --from=build /build/.build/release/switchboard /app/switchboard
COPY --from=build /build/Public /app/Public
COPY --from=build /build/data/tokenizer /app/tokenizer
COPY --from=build /build/data/embedding/all-MiniLM-L6-v2 /app/embedding-model
ENV SWITCHBOARD_TOKENIZER_DATA=/app/tokenizer SWITCHBOARD_EMBEDDING_MODEL=/app/embedding-model
RUN mkdir -p /app/data && chown switchboard:switchboard /app/data
USER switchboard
VOLUME ["/app/data"]
EXPOSE 8080
ENTRYPOINT ["/app/switchboard"]
CMD ["serve", "--hostname", "0.0.0.0"]
