"""Check that the documented per-language examples are the consumer apps' code.

Each consumer app marks the part the docs show with `readme:start` / `readme:end` comment
lines. This script extracts that part and requires the document (the README for TypeScript,
docs/install.md for every language) to contain it verbatim as a fenced code block of that
language, so the docs show only code that CI has run. The TypeScript app
imports the construct from the sources; the README imports it from 'cdk-tap-serverless'.

Usage: python3 check_readme.py <repo root>
"""

import os
import re
import sys

APPS = [
    # (language, fence tag, app file, replacements from the app to the docs, documents showing it)
    ("TypeScript", "ts", "test/consumers/typescript/app.ts", [("'../../../src'", "'cdk-tap-serverless'")], ["README.md", "docs/install.md"]),
    ("Python", "python", "test/consumers/python/app.py", [], ["docs/install.md"]),
    ("Java", "java", "test/consumers/java/src/main/java/com/example/tapconsumer/TapConsumerApp.java", [], ["docs/install.md"]),
    ("Go", "go", "test/consumers/go/main.go", [], ["docs/install.md"]),
]


def example(path, replacements):
    lines, keep = [], False
    with open(path) as f:
        for line in f:
            marker = re.sub(r"^\s*(//|#)\s*", "", line).strip()
            if marker == "readme:start":
                keep = True
            elif marker == "readme:end":
                keep = False
            elif keep:
                lines.append(line)
    text = "".join(lines).strip("\n") + "\n"
    for old, new in replacements:
        text = text.replace(old, new)
    return text


def blocks_of(path):
    with open(path) as f:
        return re.findall(r"^```(\w+)\n(.*?)^```$", f.read(), flags=re.S | re.M)


def main(root):
    failed = False
    for language, fence, app, replacements, documents in APPS:
        code = example(os.path.join(root, app), replacements)
        for document in documents:
            if any(tag == fence and body == code for tag, body in blocks_of(os.path.join(root, document))):
                print(f"ok   {document} shows the {language} consumer app ({app})")
            else:
                failed = True
                print(f"FAIL {document} has no ```{fence} block equal to the readme:start..readme:end part of {app}:")
                print(code)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "."))
