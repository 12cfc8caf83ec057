"""Check that the Python wheel, the Maven artifact and the Go module each carry the Lambda assets.

jsii packages embed the npm tarball of the library (`*.jsii.tgz` / `*.tgz`), which the jsii runtime
unpacks at run time; the construct finds its function code in that tarball's `assets/`.
Every file under the local `assets/` (built by `npx projen bundle`) must be in each
language's tarball, byte for byte.

Usage: python3 check_packages.py <repo root>
"""

import glob
import hashlib
import io
import os
import re
import sys
import tarfile
import zipfile


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def expected_assets(root):
    base = os.path.join(root, "assets")
    found = {}
    for folder, _dirs, files in os.walk(base):
        if os.path.relpath(folder, base).split(os.sep)[0] == "cli":
            continue  # the operations command, not a function
        for name in files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if re.match(r"assets/images/image-processor\.lambda(-[a-z0-9]+)?/", rel):
                # the sharp-less bundle and the per-architecture folders: only the sources of the zips
                # the construct deploys (assets/images/image-processor.lambda-<cpu>.zip), not shipped
                continue
            with open(path, "rb") as f:
                found["package/" + rel] = sha256(f.read())
    functions = sorted(
        f"{feature}/{name}"
        for feature in (os.listdir(base) if os.path.isdir(base) else [])
        if feature != "cli" and os.path.isdir(os.path.join(base, feature))
        for name in os.listdir(os.path.join(base, feature))
        if not re.fullmatch(r"image-processor\.lambda(-[a-z0-9]+)?", name)
    )
    return found, functions


def tarball_files(data):
    files = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile():
                files[member.name] = sha256(tar.extractfile(member).read())
    return files


def one(pattern):
    matches = sorted(glob.glob(pattern))
    if len(matches) != 1:
        raise SystemExit(f"check_packages: expected exactly one file matching {pattern}, found {matches}")
    return matches[0]


def tarball_in_zip(archive, suffix):
    with zipfile.ZipFile(archive) as z:
        names = [n for n in z.namelist() if n.endswith(suffix)]
        if len(names) != 1:
            raise SystemExit(f"check_packages: expected one *{suffix} in {archive}, found {names}")
        return names[0], z.read(names[0])


def main(root):
    expected, functions = expected_assets(root)
    if len(functions) < 3 or not expected:
        raise SystemExit(f"check_packages: assets/ holds the functions {functions}: run `npx projen bundle` first")

    packages = []
    wheel = one(os.path.join(root, "dist", "python", "*.whl"))
    name, data = tarball_in_zip(wheel, ".jsii.tgz")
    packages.append(("python", f"{os.path.relpath(wheel, root)}!{name}", data))

    jar = one(os.path.join(root, "dist", "java", "io", "github", "tapserverless", "cdk-tap-serverless", "*", "cdk-tap-serverless-*[0-9].jar"))
    name, data = tarball_in_zip(jar, ".jsii.tgz")
    packages.append(("java", f"{os.path.relpath(jar, root)}!{name}", data))

    tgz = one(os.path.join(root, "dist", "go", "cdktapserverless", "jsii", "*.tgz"))
    with open(tgz, "rb") as f:
        packages.append(("go", os.path.relpath(tgz, root), f.read()))

    failed = False
    for language, where, data in packages:
        files = tarball_files(data)
        missing = sorted(p for p in expected if p not in files)
        changed = sorted(p for p in expected if p in files and files[p] != expected[p])
        if missing or changed:
            failed = True
            print(f"FAIL {language}: {where}")
            for p in missing:
                print(f"  missing {p}")
            for p in changed:
                print(f"  differs from the local build: {p}")
        else:
            print(f"ok   {language}: {where} carries all {len(expected)} asset files of {', '.join(functions)}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "."))
