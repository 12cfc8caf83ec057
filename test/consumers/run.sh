#!/usr/bin/env bash
# `npx projen test:consumers`: prove the Python, Java and Go packages with a consumer app each.
#
#  1. rebuild the library (bundle, jsii) and the Python wheel, the Maven repository and the Go module
#     into dist/ (`npx projen package:python`, `package:go`; the java target of jsii-pacmak as in
#     `package:java`, with the run's Maven cache);
#  2. check that each package carries the three Lambda assets (check_packages.py);
#  3. synthesize the TypeScript reference app, then the Python, Java and Go apps, each installed from
#     the package just built (wheel from dist/python, Maven repository dist/java, Go module dist/go);
#  4. compare every template and asset manifest with the TypeScript one (compare_templates.py): any
#     difference fails;
#  5. check that the documented examples (README.md, docs/install.md) are the apps' code (check_readme.py).
#
# Work files and dependency caches (pip, Maven, Go) live in .tmp/consumers (git-ignored), so a clean
# clone downloads what it needs from the registries and nothing is taken from a previous machine.
# Options: --skip-build reuses lib/ and dist/ (local iteration only; CI always rebuilds).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
HERE="$ROOT/test/consumers"
WORK="$ROOT/.tmp/consumers"
CACHE="$WORK/cache"

SKIP_BUILD=0
for arg in "$@"; do
  case "$arg" in
    --skip-build) SKIP_BUILD=1 ;;
    *) echo "run.sh: unknown argument '$arg' (known: --skip-build)" >&2; exit 2 ;;
  esac
done
if [[ "${CI:-}" == "true" && $SKIP_BUILD == 1 ]]; then
  echo "run.sh: --skip-build is ignored under CI=true: the packages are always rebuilt" >&2
  SKIP_BUILD=0
fi

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# Dependency caches inside the run.
export PIP_CACHE_DIR="$CACHE/pip" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
export GOMODCACHE="$CACHE/go-mod" GOCACHE="$CACHE/go-build" GOFLAGS="-modcacherw -buildvcs=false" GOTOOLCHAIN=local
M2="$CACHE/m2"
MVN=(mvn --batch-mode --no-transfer-progress "-Dmaven.repo.local=$M2")

OUT="$WORK/out"
rm -rf "$OUT" "$WORK/venv" "$HERE/java/target"
mkdir -p "$OUT" "$CACHE"

step() { printf '\n---- %s ----\n' "$*"; STEP_START=$SECONDS; }
took() { printf -- '---- %s: %ds\n' "$1" $((SECONDS - STEP_START)); TIMES+=("$1: $((SECONDS - STEP_START))s"); }
TIMES=()

if [[ $SKIP_BUILD == 0 ]]; then
  step "library: bundle the functions, compile with jsii"
  rm -rf lib dist assets
  npx projen bundle
  npx projen compile
  took "library (bundle + jsii)"

  step "package: Python wheel (dist/python)"
  npx projen package:python
  took "package:python"
  # package:java's command, plus the run's Maven cache (jsii-pacmak otherwise downloads into a
  # throw-away repository, and the Java app would download everything again).
  step "package: Maven repository (dist/java)"
  npx jsii-pacmak -v --target java --maven-local-repository "$M2"
  took "package:java"
  step "package: Go module (dist/go)"
  npx projen package:go
  took "package:go"
fi

step "packages carry the Lambda assets"
python3 "$HERE/check_packages.py" "$ROOT"
took "check packages"

step "TypeScript reference app (test/consumers/typescript)"
# Each app runs from its own folder (its schemas/ links to examples/schema).
(cd "$HERE/typescript" && CDK_OUTDIR="$OUT/typescript" npx ts-node --project "$ROOT/test/tsconfig.json" app.ts)
took "synth:typescript"

step "Python app (test/consumers/python): the wheel from dist/python in a fresh venv"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet -r "$HERE/python/requirements.txt" "$(ls "$ROOT"/dist/python/*.whl)"
(cd "$HERE/python" && CDK_OUTDIR="$OUT/python" "$WORK/venv/bin/python" app.py)
took "synth:python"

step "Java app (test/consumers/java): cdk-tap-serverless from the Maven repository dist/java"
# A release version is cached in the local repository for good: drop the previous build's copy so
# that Maven takes the artifact just built from dist/java.
rm -rf "$M2/io/github/tapserverless"
CDK_OUTDIR="$OUT/java" "${MVN[@]}" --quiet -f "$HERE/java/pom.xml" compile exec:exec
took "synth:java"

step "Go app (test/consumers/go): the Go module in dist/go through a replace"
(cd "$HERE/go" && CDK_OUTDIR="$OUT/go" go run .)
took "synth:go"

step "templates: every language equals TypeScript"
python3 "$HERE/compare_templates.py" "$OUT" python java go
# The comparison itself must catch a difference: a copy of the reference with one value changed fails.
rm -rf "$OUT/tampered" && cp -r "$OUT/typescript" "$OUT/tampered"
python3 - "$OUT/tampered/TapConsumer.template.json" <<'PY'
import json, sys
path = sys.argv[1]
template = json.load(open(path))
template["Outputs"]["ApiUrl"]["Description"] = "tampered"
json.dump(template, open(path, "w"))
PY
if python3 "$HERE/compare_templates.py" "$OUT" tampered >/dev/null; then
  echo "compare_templates.py passed a template that differs from the reference" >&2
  exit 1
fi
echo "ok   a template with one changed value fails the comparison"
took "compare"

step "documented examples are the consumer apps"
python3 "$HERE/check_readme.py" "$ROOT"
took "check README"

printf '\n==== test:consumers timings ====\n'; printf '%s\n' "${TIMES[@]}"
