"""Zips a Lambda asset folder into <folder>.zip, byte for byte the same on every build.

Usage: python3 scripts/zip-asset.py <folder>...

Entries are sorted, dated 1980-01-01, deflated at level 9, with their Unix mode (files readable by
all, executables keep their x bits). The same folder always gives the same zip, so the zip's hash
(assets/asset-hashes.json) changes only when a file of the folder does. The construct deploys the
zip as it is: the CDK copies one 9 MB file into cdk.out at synth instead of 128 files (21 MB),
and uploads it without zipping the folder at deploy.
"""

import os
import stat
import sys
import zipfile

EPOCH = (1980, 1, 1, 0, 0, 0)


def entries(folder):
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in dirs + files:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, folder).replace(os.sep, "/")
            found.append((rel + "/" if os.path.isdir(full) and not os.path.islink(full) else rel, full))
    return sorted(found)


def zip_folder(folder, out):
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for rel, full in entries(folder):
            if os.path.islink(full):
                raise SystemExit(f"zip-asset: {full} is a symbolic link; a Lambda asset must hold real files")
            info = zipfile.ZipInfo(rel, date_time=EPOCH)
            info.create_system = 3  # Unix: external_attr carries the mode
            mode = os.stat(full).st_mode
            if rel.endswith("/"):
                info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
                archive.writestr(info, b"")
            else:
                info.external_attr = (stat.S_IFREG | (0o755 if mode & 0o111 else 0o644)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(full, "rb") as f:
                    archive.writestr(info, f.read(), compresslevel=9)
    os.replace(tmp, out)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for folder in sys.argv[1:]:
        folder = folder.rstrip("/")
        if not os.path.isfile(os.path.join(folder, "index.js")):
            raise SystemExit(f"zip-asset: {folder}/index.js is missing; run the bundle task first")
        zip_folder(folder, folder + ".zip")
        print(f"zip-asset: {folder}.zip ({os.path.getsize(folder + '.zip') / 1e6:.1f} MB)", file=sys.stderr)
