#!/usr/bin/env bash
# The public API's changes since a commit: builds that commit's jsii assembly in a temporary worktree
# (with this checkout's node_modules) and compares it with this checkout's (`npx projen compile`
# first) using jsii-diff. Every change it reports as incompatible must be in the migration table of
# docs/release-notes.md. Usage: bash scripts/api-diff.sh <commit>
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?usage: bash scripts/api-diff.sh <commit>}"
[ -f .jsii ] || { echo "api-diff: no .jsii here: run npx projen compile first" >&2; exit 2; }
work="$(mktemp -d)"
trap 'git worktree remove --force "$work/base" > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --quiet --detach "$work/base" "$base"
ln -s "$PWD/node_modules" "$work/base/node_modules"
(cd "$work/base" && npx jsii --silence-warnings=reserved-word > "$work/jsii.log" 2>&1) || { cat "$work/jsii.log" >&2; exit 1; }
# jsii-diff exits non-zero when it finds an incompatible change: that is the report asked for.
npx jsii-diff "$work/base" . --keys 2>&1 | grep -v '^!!' || true
