#!/usr/bin/env bash
# Checks the packed npm tarball (dist/js/*.tgz, written by jsii-pacmak):
# - it carries the image processor's zips (what the construct deploys) with sharp's binaries for both
#   architectures, the arm64 one really an aarch64 ELF object (it cannot run here; the x64 one is
#   unzipped and run on an x86-64 machine);
# - its assets/asset-hashes.json is the one of the assets packed beside it, recomputed with the packed
#   library's own code (a stale manifest would deploy changed code under an old asset hash).
# Usage: scripts/check-package-assets.sh dist/js
set -euo pipefail
dir="${1:-dist/js}"
tarball="$(ls -t "$dir"/*.tgz | head -1)"
listing="$(tar -tzf "$tarball")"
status=0
for want in package/assets/asset-hashes.json package/assets/images/image-processor.lambda-arm64.zip package/assets/images/image-processor.lambda-x64.zip; do
  grep -qxF "$want" <<<"$listing" || { echo "check-package-assets: $tarball lacks $want" >&2; status=1; }
done
if grep -q '^package/assets/images/image-processor\.lambda' <<<"$listing" && grep '^package/assets/images/image-processor\.lambda' <<<"$listing" | grep -qv '\.zip$'; then
  echo "check-package-assets: $tarball carries an image processor folder besides the zips (npmignore it: the construct deploys the zips)" >&2
  status=1
fi
[ "$status" = 0 ] || exit 1
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tarball" -C "$tmp"
for cpu in arm64 x64; do
  zip="$tmp/package/assets/images/image-processor.lambda-$cpu.zip"
  out="$tmp/unzipped-$cpu"
  python3 -m zipfile -e "$zip" "$out"
  for want in index.js node_modules/sharp/package.json "node_modules/@img/sharp-libvips-linux-$cpu/lib/libvips-cpp.so"; do
    if ! compgen -G "$out/$want*" >/dev/null; then
      echo "check-package-assets: $(basename "$zip") lacks $want*" >&2
      status=1
    fi
  done
  node_file="$(ls "$out"/node_modules/@img/sharp-linux-$cpu/lib/*.node)"
  description="$(file -b "$node_file")"
  echo "check-package-assets: $cpu: ${node_file#"$out/"}: $description"
  case "$cpu" in
    arm64) expected='ARM aarch64' ;;
    x64) expected='x86-64' ;;
  esac
  grep -qF "$expected" <<<"$description" || { echo "check-package-assets: expected $expected for $cpu" >&2; exit 1; }
done
[ "$status" = 0 ] || exit 1
# The packed x64 asset must actually load sharp and make an image on this (x86-64) machine: a file
# missing from the zip would only show at run time in Lambda.
if [ "$(uname -m)" = "x86_64" ]; then
  node -e '
    const sharp = require(process.argv[1] + "/node_modules/sharp");
    sharp({ create: { width: 8, height: 8, channels: 3, background: "#08f" } }).webp().toBuffer()
      .then((b) => console.log("check-package-assets: x64: the packed asset loads sharp " + sharp.versions.sharp + " and encodes (" + b.length + " bytes of WebP)"))
      .catch((e) => { console.error("check-package-assets: the packed x64 asset cannot use sharp: " + e.message); process.exit(1); });
  ' "$tmp/unzipped-x64" || exit 1
fi
# The shipped manifest against a fresh computation over the shipped assets, by the shipped code.
node -e '
  const path = require("path");
  const root = process.argv[1];
  const { hashAsset, ASSET_HASHES_FILE } = require(path.join(root, "lib", "construct", "asset-hash.js"));
  const manifest = require(path.join(root, "assets", ASSET_HASHES_FILE));
  let stale = 0;
  for (const [key, entry] of Object.entries(manifest.assets)) {
    const fresh = hashAsset(path.join(root, "assets", ...key.split("/")));
    if (JSON.stringify(fresh) !== JSON.stringify(entry)) { console.error("check-package-assets: " + key + ": the shipped hash is stale"); stale++; }
  }
  if (stale) process.exit(1);
  console.log("check-package-assets: assets/" + ASSET_HASHES_FILE + " matches the " + Object.keys(manifest.assets).length + " packed assets");
' "$tmp/package"
echo "check-package-assets: $tarball carries sharp for linux-arm64 and linux-x64 ($(tar -tzvf "$tarball" | awk '/image-processor.lambda-(arm64|x64).zip/{s+=$3} END{printf "%.1f MB", s/1e6}') of image processor zips)"
