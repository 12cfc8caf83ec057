#!/usr/bin/env bash
# Builds the image processor's per-architecture Lambda assets:
#   <bundle-dir>-arm64/ and <bundle-dir>-x64/, each = the esbuild bundle (index.js, sharp external)
#   + node_modules with sharp <version> and its linux-glibc native binaries for that CPU.
# npm installs the foreign architecture's optional @img/* packages thanks to --os/--cpu/--libc.
# Incremental: a folder whose sharp already has <version> and its binary package is not reinstalled.
# Usage: scripts/sharp-assets.sh assets/functions/image-processor.lambda 0.35.5
set -euo pipefail
bundle_dir="$1"
version="$2"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ -f "$bundle_dir/index.js" ] || { echo "sharp-assets: $bundle_dir/index.js is missing; run the bundle task first" >&2; exit 1; }

for cpu in arm64 x64; do
  out="$bundle_dir-$cpu"
  mkdir -p "$out"
  cp "$bundle_dir/index.js" "$out/index.js"
  installed="$(node -p "try { require('./$out/node_modules/sharp/package.json').version } catch { '' }")"
  if [ "$installed" = "$version" ] && [ -d "$out/node_modules/@img/sharp-linux-$cpu" ] && [ -d "$out/node_modules/@img/sharp-libvips-linux-$cpu" ]; then
    echo "sharp-assets: $out has sharp@$version for linux-$cpu (glibc)"
    continue
  fi
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo '{"name":"image-processor-asset","private":true}' > "$tmp/package.json"
  echo "sharp-assets: installing sharp@$version for linux-$cpu (glibc) into $out" >&2
  (cd "$tmp" && npm install --no-save --no-audit --no-fund --no-package-lock --ignore-scripts \
    --no-bin-links --os=linux --cpu="$cpu" --libc=glibc "sharp@$version" >&2)
  for pkg in "@img/sharp-linux-$cpu" "@img/sharp-libvips-linux-$cpu"; do
    [ -d "$tmp/node_modules/$pkg" ] || { echo "sharp-assets: npm did not install $pkg" >&2; exit 1; }
  done
  rm -rf "$out/node_modules"
  mv "$tmp/node_modules" "$out/node_modules"
  rm -rf "$tmp"
  trap - EXIT
done
