#!/usr/bin/env bash
# The local AWS's TLS certificate, issued by a certificate authority of its own.
#   certificate.sh DIR NAME...
# writes DIR/ca.pem (the authority's certificate, which the functions' containers trust) and
# DIR/server.pem (LocalStack's private key and certificate, for NAME..., where a NAME that is an IPv4
# address goes in as an IP address). Both are kept while the names stay the same.
#
# Why: a function's container reaches the local AWS over HTTPS where AWS's own code takes the URL as it
# is. The CDK's Node.js custom-resource handlers send their answer to the ResponseURL's host on port
# 443, whatever its scheme and port; the integ tests' HTTP assertions call the API's
# https://<id>.execute-api.<region>.amazonaws.com URL. The authority's key never leaves DIR and signs
# nothing else.
set -euo pipefail
dir="$1"
shift
log() { printf '[certificate] %s\n' "$*" >&2; }

if ! command -v openssl >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { log "openssl is missing (Debian: apt-get install openssl)"; exit 1; }
  log "installing Debian's openssl"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl >/dev/null
fi

mkdir -p "$dir"
chmod 700 "$dir"
names="$*"
if [ -s "$dir/server.pem" ] && [ -s "$dir/ca.pem" ] && [ "$(cat "$dir/names" 2>/dev/null)" = "$names" ]; then
  exit 0
fi

san=""
for name in "$@"; do
  if [[ "$name" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then san+="IP:$name,"; else san+="DNS:$name,"; fi
done
san="${san%,}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=TapServerless local AWS authority" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost.localstack.cloud" -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' "$san" >"$tmp/ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial -days 825 \
  -extfile "$tmp/ext" -out "$tmp/server.crt" 2>/dev/null
# LocalStack reads its key and certificate from one file.
cat "$tmp/server.key" "$tmp/server.crt" >"$dir/server.pem"
cp "$tmp/ca.pem" "$dir/ca.pem"
chmod 600 "$dir/server.pem"
chmod 644 "$dir/ca.pem"
printf '%s' "$names" >"$dir/names"
log "issued a certificate for $# names (authority: $dir/ca.pem)"
