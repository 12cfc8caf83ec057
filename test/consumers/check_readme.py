"""Check that the README's per-language examples are the consumer apps' code.

Each consumer app marks the part the README shows with `readme:start` / `readme:end` comment
lines. This script extracts that part and requires the README to contain it verbatim as a fenced
code block of that language, so the README shows only code that CI has run. The TypeScript app
imports the construct from the sources; the README imports it from 'cdk-tap-serverless'.

Usage: python3 check_readme.py <repo root>
"""

import os
import re
import sys

APPS = [
    # (language, fence tag, app file, replacements from the app to the README)
    ("TypeScript", "ts", "test/consumers/typescript/app.ts", [("'../../../src'", "'cdk-tap-serverless'")]),
    ("Python", "python", "test/consumers/python/app.py", []),
    ("Java", "java", "test/consumers/java/src/main/java/com/example/tapconsumer/TapConsumerApp.java", []),
    ("Go", "go", "test/consumers/go/main.go", []),
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


def main(root):
    with open(os.path.join(root, "README.md")) as f:
        readme = f.read()
    blocks = re.findall(r"^```(\w+)\n(.*?)^```$", readme, flags=re.S | re.M)
    failed = False
    for language, fence, app, replacements in APPS:
        code = example(os.path.join(root, app), replacements)
        if any(tag == fence and body == code for tag, body in blocks):
            print(f"ok   README shows the {language} consumer app ({app})")
        else:
            failed = True
            print(f"FAIL README has no ```{fence} block equal to the readme:start..readme:end part of {app}:")
            print(code)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "."))
