#!/usr/bin/env bash
# docker-compose "certs": a CA and one certificate each for Elasticsearch and
# Kibana, made once with elasticsearch-certutil into the `certs` volume
# (kept across restarts; delete the volume to make new ones). Every other
# service verifies the servers against ca/ca.crt.
#
# Runs as root in the Elasticsearch image; the keys end up readable by group
# root only, which the Elasticsearch and Kibana users (uid 1000, gid 0) are in;
# the certificates, the CA's included, are public and readable by all.
# Usage: make-certs.sh CERTS_DIR   (ELASTIC_PASSWORD, KIBANA_PASSWORD and
#        SHIPPER_PASSWORD set, so a missing .env fails here and not later)
set -euo pipefail
dir=${1:?usage: make-certs.sh CERTS_DIR}
: "${ELASTIC_PASSWORD:?set ELASTIC_PASSWORD in .env}"
: "${KIBANA_PASSWORD:?set KIBANA_PASSWORD in .env}"
: "${SHIPPER_PASSWORD:?set SHIPPER_PASSWORD in .env}"
certutil=/usr/share/elasticsearch/bin/elasticsearch-certutil
cd "$dir"

if [ ! -f ca/ca.crt ]; then
  "$certutil" ca --silent --pem --out ca.zip
  unzip -oq ca.zip && rm ca.zip
  echo "certs: CA made"
fi
if [ ! -f elasticsearch/elasticsearch.crt ]; then
  # The names each server is reached by: its service name inside the
  # compose network, localhost from the host (ports bound to 127.0.0.1).
  cat >instances.yml <<'EOF'
instances:
  - name: elasticsearch
    dns: [elasticsearch, localhost]
    ip: [127.0.0.1]
  - name: kibana
    dns: [kibana, localhost]
    ip: [127.0.0.1]
EOF
  "$certutil" cert --silent --pem --in instances.yml --out certs.zip \
    --ca-cert ca/ca.crt --ca-key ca/ca.key
  unzip -oq certs.zip && rm certs.zip instances.yml
  echo "certs: server certificates made"
fi
chown -R root:root .
find . -type d -exec chmod 755 {} +
find . -type f -name '*.crt' -exec chmod 644 {} +
find . -type f -name '*.key' -exec chmod 640 {} +
echo "certs: ready in $dir (CA: ca/ca.crt)"
