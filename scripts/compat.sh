#!/usr/bin/env bash
# The jsii API compatibility check (jsii-diff, projen's `compat` task) against the newest release on
# npm: in 0.x a breaking API change is allowed, but it must be seen — it is listed with `!` in the
# commit and in the README's changelog, and reported here. Before the first release there is
# nothing to compare with, and the check says so.
set -euo pipefail
cd "$(dirname "$0")/.."
name="$(node -p "require('./package.json').name")"
if ! released="$(npm view "$name" version 2> /dev/null)"; then
  echo "compat: $name has no release on npm yet: nothing to compare the API with"
  exit 0
fi
echo "compat: comparing the API with $name@$released"
npx projen compat
