"""Compare the templates the consumer apps synthesized with the TypeScript reference.

Usage: python3 compare_templates.py <out dir> <language>...

<out dir>/typescript is the reference cloud assembly; <out dir>/<language> is each other app's.
Every stack template of the reference, and its asset manifest (which names the Lambda code assets
by content hash), must exist in each language's assembly and be equal to it as JSON (key order is
not significant in JSON objects; array order is). Before comparing, only the values listed in
NORMALIZATIONS are removed; each names why it may legitimately differ. Any other difference fails,
printed as a unified diff.
"""

import difflib
import json
import os
import sys

# (JSON path pattern, why the value may legitimately differ between languages). `*` matches one
# key. Kept empty on purpose while the templates are byte-for-byte the same data: the jsii
# runtime runs the same aws-cdk-lib JavaScript for every language, and an app run without the CDK
# CLI adds neither CDKMetadata (analytics, which would name the language) nor aws:asset:* metadata.
NORMALIZATIONS = []


def matches(path, pattern):
    return len(path) == len(pattern) and all(p == "*" or p == k for k, p in zip(path, pattern))


def normalize(value, path=()):
    removed = []

    def walk(node, at):
        if isinstance(node, dict):
            for key in list(node):
                here = at + (key,)
                if any(matches(here, pattern) for pattern, _why in NORMALIZATIONS):
                    removed.append("/".join(here))
                    del node[key]
                else:
                    walk(node[key], here)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, at + (str(i),))

    walk(value, path)
    return value, removed


def stack_templates(assembly):
    """Stack templates and asset manifests of a cloud assembly: {artifact id: file}."""
    with open(os.path.join(assembly, "manifest.json")) as f:
        manifest = json.load(f)
    templates = {}
    for name, artifact in manifest.get("artifacts", {}).items():
        if artifact.get("type") == "aws:cloudformation:stack":
            templates[name] = artifact["properties"]["templateFile"]
        elif artifact.get("type") == "cdk:asset-manifest":
            templates[name] = artifact["properties"]["file"]
    return templates


def load(path):
    with open(path) as f:
        return json.load(f)


def canonical(value):
    return json.dumps(value, indent=2, sort_keys=True).splitlines()


def main(out, languages):
    reference_dir = os.path.join(out, "typescript")
    reference = stack_templates(reference_dir)
    if not reference:
        raise SystemExit(f"compare_templates: no stack in {reference_dir}")
    if NORMALIZATIONS:
        print("normalized before comparing (removed from every template):")
        for pattern, why in NORMALIZATIONS:
            print(f"  {'/'.join(pattern)}: {why}")
    else:
        print("normalized before comparing: nothing (templates compared whole, as JSON)")

    failed = False
    for language in languages:
        assembly = os.path.join(out, language)
        stacks = stack_templates(assembly)
        if sorted(stacks) != sorted(reference):
            failed = True
            print(f"FAIL {language}: stacks {sorted(stacks)}, the TypeScript app has {sorted(reference)}")
            continue
        for stack, template_file in sorted(reference.items()):
            expected, _ = normalize(load(os.path.join(reference_dir, template_file)))
            actual, _ = normalize(load(os.path.join(assembly, stacks[stack])))
            if expected == actual:
                resources = len(expected.get("Resources", {}))
                what = f"template ({resources} resources)" if "Resources" in expected else "asset manifest"
                print(f"ok   {language}: {stack} {what} equals the TypeScript one")
            else:
                failed = True
                print(f"FAIL {language}: {stack} ({template_file}) differs from the TypeScript one:")
                diff = difflib.unified_diff(canonical(expected), canonical(actual),
                                            f"typescript/{template_file}", f"{language}/{stacks[stack]}", lineterm="")
                for line in list(diff)[:200]:
                    print("  " + line)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2:])
