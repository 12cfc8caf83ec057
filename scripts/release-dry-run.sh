#!/usr/bin/env bash
# A release without publishing: bump the version from the conventional commits (0.x: breaking
# changes bump the minor version), write the changelog, build the four language artifacts with that
# version, check them, then put the version back. Leaves the working tree as it found it.
# Without a release tag yet (before the first release), the version is computed from a temporary
# v0.0.0 tag on the first commit, removed at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export RELEASE=true MAJOR=0
tree_before="$(git status --porcelain --untracked-files=no; git diff --ignore-space-at-eol)"

temp_tag=""
if [ -z "$(git tag --list 'v0.*')" ]; then
  temp_tag=v0.0.0
  git tag "$temp_tag" "$(git rev-list --max-parents=0 HEAD | tail -1)"
fi
cleanup() {
  npx projen unbump > /dev/null 2>&1 || true
  if [ -n "$temp_tag" ]; then git tag -d "$temp_tag" > /dev/null; fi
}
trap cleanup EXIT

rm -rf dist
npx projen bump
version="$(cat dist/version.txt)"
fail() { echo "release dry run: $*" >&2; exit 1; }
[ "$version" != "0.0.0" ] || fail "the bump left the version at 0.0.0"
grep -q "^## \[\?$version\]\?" dist/changelog.md || fail "dist/changelog.md has no entry for $version"

npx projen pre-compile
npx projen compile
# One jsii-pacmak run for the four languages: each run cleans dist/ (the release workflow packs
# each language in its own job), so the changelog and version files are kept aside meanwhile.
mkdir -p .tmp/release
cp dist/changelog.md dist/version.txt dist/releasetag.txt .tmp/release/
npx jsii-pacmak -v --target js --target python --target java --target go
cp .tmp/release/* dist/

check() { compgen -G "$1" > /dev/null || fail "missing $1"; echo "  $1"; }
echo "release dry run: version $version"
check "dist/js/cdk-tap-serverless@$version.jsii.tgz"
check "dist/python/cdk_tap_serverless-$version-py3-none-any.whl"
check "dist/java/io/github/tapserverless/cdk-tap-serverless/$version/cdk-tap-serverless-$version.pom"
check "dist/java/io/github/tapserverless/cdk-tap-serverless/$version/cdk-tap-serverless-$version.jar"
check "dist/go/cdktapserverless/go.mod"
grep -q "$version" dist/go/cdktapserverless/version || fail "the Go module does not carry $version"
echo "  dist/changelog.md: $(grep -c '^\* ' dist/changelog.md) entries under $version"

npx projen unbump
[ "$(git status --porcelain --untracked-files=no; git diff --ignore-space-at-eol)" = "$tree_before" ] ||
  fail "the release left changes in the working tree: $(git status --porcelain --untracked-files=no)"
echo "release dry run: artifacts of $version built and checked; working tree clean"
