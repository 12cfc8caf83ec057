#!/usr/bin/env bash
# The container engine the local AWS runs Lambda functions in.
#   docker-engine.sh start   installs Debian's docker.io when dockerd is absent (root, apt), starts dockerd
#                            when no engine answers, and prints the pid of the dockerd it started (or
#                            nothing when an engine was already running: it is left alone)
#   docker-engine.sh stop PID
#                            stops the dockerd this script started, and waits for it
# dockerd listens on its unix socket only (no TCP); its data stays in /var/lib/docker, so the images
# built once are reused by later runs.
set -euo pipefail
log() { printf '[docker] %s\n' "$*" >&2; }

case "${1:-}" in
  start)
    if docker info >/dev/null 2>&1; then
      log "a Docker engine is running: using it"
      exit 0
    fi
    if ! command -v dockerd >/dev/null 2>&1; then
      [ "$(id -u)" = 0 ] || { log "dockerd is not installed and this is not root: install Docker, or run as root"; exit 1; }
      log "installing Debian's docker.io"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends docker.io >/dev/null
    fi
    command -v docker >/dev/null 2>&1 || { log "the docker client is missing (Debian: apt-get install docker.io)"; exit 1; }
    [ "$(id -u)" = 0 ] || { log "no Docker engine answers and starting dockerd needs root"; exit 1; }
    log_file="${TMPDIR:-/tmp}/tap-dockerd.log"
    # setsid: the engine outlives a Ctrl-C in this terminal until `stop` ends it in order.
    setsid dockerd --host=unix:///var/run/docker.sock >"$log_file" 2>&1 < /dev/null &
    pid=$!
    for _ in $(seq 1 60); do
      if docker info >/dev/null 2>&1; then
        log "dockerd started (pid $pid, log $log_file)"
        echo "$pid"
        exit 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    log "dockerd did not start; its log ($log_file):"
    tail -20 "$log_file" >&2 || true
    kill "$pid" 2>/dev/null || true
    exit 1
    ;;
  stop)
    pid="${2:?usage: docker-engine.sh stop PID}"
    kill -0 "$pid" 2>/dev/null || exit 0
    kill "$pid"
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || { log "dockerd stopped"; exit 0; }
      sleep 0.5
    done
    kill -9 "$pid" 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 start | stop PID" >&2
    exit 2
    ;;
esac
