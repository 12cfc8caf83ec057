#!/usr/bin/env bash
# Creates (or reuses) a project-local Python virtual environment with pinned tools, and prints the
# path of its bin directory. Default: .venv with scripts/requirements.txt (moto, cfn-lint).
# Usage: scripts/python-env.sh [<requirements file> <venv dir>]   (paths relative to the repository)
# Idempotent: reinstalls only when the requirements file changed. No global installs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/${2:-.venv}"
req="$root/${1:-scripts/requirements.txt}"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "python-env: installing $(grep -cv '^\s*\(#\|$\)' "$req") pinned tools into $venv" >&2
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  echo "$want" > "$stamp"
fi
echo "$venv/bin"
