#!/usr/bin/env bash
# Installs LocalStack (localstack-core, the open-source edition, pinned) into a virtual environment
# under $TAP_LOCAL_AWS_CACHE (outside the clone: reused by later runs) and prints its python.
#
# localstack-core 2026.3.0 needs Python >= 3.12 (3.13 is used when found: on PATH or in pyenv); its
# dependencies are resolved as of its release day (uv --exclude-newer), so that a newer release of
# one of them cannot change a run.
#
# LocalStack starts each Lambda function's container with its "runtime init" (/var/rapid/init), which
# it otherwise downloads from GitHub on first use. Offline, give a build of
# localstack/lambda-runtime-init (release v0.1.41-pre, linux/amd64) in LAMBDA_INIT_BIN: it is placed
# where LocalStack looks for it, so nothing is downloaded.
set -euo pipefail
LOCALSTACK_VERSION=2026.3.0
RELEASED=2026-03-25
UV_VERSION=0.9.7
INIT_RELEASE=v0.1.41-pre

cache="${TAP_LOCAL_AWS_CACHE:-$HOME/.cache/tap-serverless-local-aws}"
venv="$cache/localstack-$LOCALSTACK_VERSION"
log() { printf '[localstack] %s\n' "$*" >&2; }

find_python() {
  for candidate in python3.13 python3.12 "$HOME/.pyenv/versions/3.13.0/bin/python3" "$(ls -d "$HOME"/.pyenv/versions/3.1[23]*/bin/python3 2>/dev/null | tail -1)"; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 || continue
    "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && { command -v "$candidate"; return; }
  done
  return 1
}

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import localstack, importlib.metadata as m; assert m.version('localstack-core') == '$LOCALSTACK_VERSION'" 2>/dev/null; then
  python="$(find_python)" || { log "LocalStack $LOCALSTACK_VERSION needs Python 3.12 or newer (python3.13 on PATH, or pyenv install 3.13)"; exit 1; }
  log "installing localstack-core $LOCALSTACK_VERSION with $python into $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  "$venv/bin/uv" pip install --quiet --python "$venv/bin/python" --exclude-newer "$RELEASED" "localstack-core[runtime]==$LOCALSTACK_VERSION"
fi

# LocalStack's own file system (its packages, state, temporary files), beside the venv.
fs_root="$cache/localstack-filesystem"
init="$fs_root/var/lib/localstack/lib/lambda-runtime/$INIT_RELEASE/x86_64/var/rapid/init"
if [ -n "${LAMBDA_INIT_BIN:-}" ] && ! cmp -s "$LAMBDA_INIT_BIN" "$init" 2>/dev/null; then
  log "Lambda runtime init from $LAMBDA_INIT_BIN"
  mkdir -p "$(dirname "$init")"
  install -m 0755 "$LAMBDA_INIT_BIN" "$init"
fi
echo "$venv/bin/python"
