# The setup jobs of docker-compose.yml (integration/elastic/setup-*.sh): curl
# and jq on Debian. Its own file, so building it never builds c2sieve.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl jq ca-certificates && \
    rm -rf /var/lib/apt/lists/*
