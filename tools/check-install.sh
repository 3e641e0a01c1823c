#!/usr/bin/env bash
# Checks the install of docs/install.md end to end (run by .ci/run): tools/install.sh into a temporary tool path and
# package folder, then the installed dpsharp prints --help, evaluates a model, says how to get training, and no
# package holds Windows or macOS native files.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
tools/install.sh --tool-path "$tmp/tools" --feed "$tmp/feed"
echo "install: $(( $(date +%s) - start )) s"
dpsharp="$tmp/tools/dpsharp"
"$dpsharp" --help | grep -q "Usage:"
"$dpsharp" eval potentials/test-models/deeppot_sea.yaml examples/water/water.lmp --type-map O,H | tee "$tmp/eval.txt"
grep -Eq "^energy +-29759\.04" "$tmp/eval.txt"
if "$dpsharp" train input.json 2> "$tmp/train.txt"; then echo "dpsharp train should refuse in this install" >&2; exit 1; fi
grep -q "tools/install.sh --with-training" "$tmp/train.txt"
/usr/bin/python3 - "$tmp"/feed/*.nupkg <<'PY'
import sys, zipfile
bad = [f"{p}: {n}" for p in sys.argv[1:] for n in zipfile.ZipFile(p).namelist()
       if any(s in n.lower() for s in ("runtimes/win", "runtimes/osx", "libtorch"))]
if bad:
    sys.exit("packages hold Windows/macOS natives or libtorch:\n" + "\n".join(bad[:20]))
print(f"{len(sys.argv) - 1} packages, no Windows/macOS natives and no libtorch")
PY
du -sh "$tmp/tools" "$tmp"/feed/dpsharp.*.nupkg
echo "install check passed"
