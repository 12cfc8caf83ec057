#!/usr/bin/env bash
# actionlint (pinned, built from the Go module proxy into .tmp/bin on first use) over the GitHub
# workflows projen generates.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
version=v1.7.12
bin=.tmp/bin/actionlint
if ! { [ -x "$bin" ] && [ "$("$bin" -version | head -1)" = "$version" ]; }; then
  mkdir -p .tmp/bin
  GOBIN="$root/.tmp/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
fi
"$bin" .github/workflows/*.yml
echo "actionlint $version: no findings in $(ls .github/workflows/*.yml | wc -l) workflows"
