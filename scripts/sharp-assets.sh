#!/usr/bin/env bash
# Builds the image processor's per-architecture Lambda assets:
#   <bundle-dir>-arm64/ and <bundle-dir>-x64/, each = the esbuild bundle (index.js, sharp external)
#   + node_modules with sharp <version> and its linux-glibc native binaries for that CPU.
# npm installs the foreign architecture's optional @img/* packages thanks to --os/--cpu/--libc, from
# the committed lockfile scripts/sharp-asset/package-lock.json (`npm ci`): the same files, and so
# the same asset hash, on every build, whatever sharp's dependencies publish later.
# Incremental: a folder whose sharp already has <version> and its binary package is not reinstalled.
# Usage: scripts/sharp-assets.sh assets/images/image-processor.lambda 0.35.5
set -euo pipefail
bundle_dir="$1"
version="$2"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
locked="$(node -p "require('./scripts/sharp-asset/package.json').dependencies.sharp")"
[ "$locked" = "$version" ] || {
  echo "sharp-assets: scripts/sharp-asset/package.json pins sharp $locked but the project uses $version;" \
    "update it and run 'npm install --package-lock-only' in scripts/sharp-asset" >&2
  exit 1
}
[ -f "$bundle_dir/index.js" ] || { echo "sharp-assets: $bundle_dir/index.js is missing; run the bundle task first" >&2; exit 1; }

for cpu in arm64 x64; do
  out="$bundle_dir-$cpu"
  mkdir -p "$out"
  cp "$bundle_dir/index.js" "$out/index.js"
  installed="$(node -p "try { require('./$out/node_modules/sharp/package.json').version } catch { '' }")"
  if [ "$installed" = "$version" ] && [ -d "$out/node_modules/@img/sharp-linux-$cpu" ] && [ -d "$out/node_modules/@img/sharp-libvips-linux-$cpu" ] \
    && cmp -s scripts/sharp-asset/package-lock.json "$out/node_modules/.tap-lock.json"; then
    echo "sharp-assets: $out has sharp@$version for linux-$cpu (glibc)"
    continue
  fi
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  cp scripts/sharp-asset/package.json scripts/sharp-asset/package-lock.json "$tmp/"
  echo "sharp-assets: installing sharp@$version for linux-$cpu (glibc) into $out" >&2
  (cd "$tmp" && npm ci --no-audit --no-fund --ignore-scripts --no-bin-links \
    --os=linux --cpu="$cpu" --libc=glibc >&2)
  for pkg in "@img/sharp-linux-$cpu" "@img/sharp-libvips-linux-$cpu"; do
    [ -d "$tmp/node_modules/$pkg" ] || { echo "sharp-assets: npm did not install $pkg" >&2; exit 1; }
  done
  rm -rf "$out/node_modules"
  mv "$tmp/node_modules" "$out/node_modules"
  # npm's own install record is not code; the lockfile copy marks what was installed (incremental builds).
  rm -f "$out/node_modules/.package-lock.json"
  cp scripts/sharp-asset/package-lock.json "$out/node_modules/.tap-lock.json"
  rm -rf "$tmp"
  trap - EXIT
done
