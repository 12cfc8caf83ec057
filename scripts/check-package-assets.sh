#!/usr/bin/env bash
# Checks that the packed npm tarball (dist/js/*.tgz, written by jsii-pacmak) carries the image
# processor's sharp binaries for both architectures, and that the arm64 one really is an
# aarch64 ELF object (it cannot run here; the x64 one is run by the handler tests).
# Usage: scripts/check-package-assets.sh dist/js
set -euo pipefail
dir="${1:-dist/js}"
tarball="$(ls -t "$dir"/*.tgz | head -1)"
listing="$(tar -tzf "$tarball")"
status=0
for cpu in arm64 x64; do
  asset="package/assets/images/image-processor.lambda-$cpu"
  for want in "$asset/index.js" "$asset/node_modules/sharp/package.json" \
    "$asset/node_modules/@img/sharp-linux-$cpu/lib/sharp-linux-$cpu-" "$asset/node_modules/@img/sharp-libvips-linux-$cpu/lib/libvips-cpp.so"; do
    if ! grep -qF "$want" <<<"$listing"; then
      echo "check-package-assets: $tarball lacks $want*" >&2
      status=1
    fi
  done
done
[ "$status" = 0 ] || exit 1
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tarball" -C "$tmp" --wildcards 'package/assets/images/image-processor.lambda-*/node_modules/@img/sharp-linux-*/lib/*.node'
for cpu in arm64 x64; do
  node_file="$(ls "$tmp"/package/assets/images/image-processor.lambda-$cpu/node_modules/@img/sharp-linux-$cpu/lib/*.node)"
  description="$(file -b "$node_file")"
  echo "check-package-assets: $cpu: ${node_file#"$tmp/"}: $description"
  case "$cpu" in
    arm64) expected='ARM aarch64' ;;
    x64) expected='x86-64' ;;
  esac
  grep -qF "$expected" <<<"$description" || { echo "check-package-assets: expected $expected for $cpu" >&2; exit 1; }
done
# The packed x64 asset must actually load sharp and make an image on this (x86-64) machine: a file
# missing from the tarball (e.g. dropped by .npmignore) would only show at run time in Lambda.
if [ "$(uname -m)" = "x86_64" ]; then
  tar -xzf "$tarball" -C "$tmp" 'package/assets/images/image-processor.lambda-x64'
  node -e '
    const sharp = require(process.argv[1] + "/node_modules/sharp");
    sharp({ create: { width: 8, height: 8, channels: 3, background: "#08f" } }).webp().toBuffer()
      .then((b) => console.log("check-package-assets: x64: the packed asset loads sharp " + sharp.versions.sharp + " and encodes (" + b.length + " bytes of WebP)"))
      .catch((e) => { console.error("check-package-assets: the packed x64 asset cannot use sharp: " + e.message); process.exit(1); });
  ' "$tmp/package/assets/images/image-processor.lambda-x64" || exit 1
fi
echo "check-package-assets: $tarball carries sharp for linux-arm64 and linux-x64 ($(tar -tzvf "$tarball" | awk '/image-processor.lambda-(arm64|x64)\//{s+=$3} END{printf "%.1f MB", s/1e6}') of image processor assets)"
