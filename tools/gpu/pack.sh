#!/usr/bin/env bash
# Publishes dpsharp self-contained for linux-x64 (no TorchSharp: the CLI does not reference the Training project)
# into the ignored folder .devicebuild/, packed as .devicebuild/app.tar.xz for the GPU machine (which has no .NET SDK).
# Then, on the device (carry: [".devicebuild"]):  bash tools/gpu/check-and-bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if grep -rq TorchSharp src/DeepMD.Sharp.Cli/*.csproj; then
  echo "pack.sh: the CLI references TorchSharp; libtorch cannot travel to the device" >&2
  exit 1
fi
rm -rf .devicebuild/app .devicebuild/app.tar.xz
mkdir -p .devicebuild
dotnet publish src/DeepMD.Sharp.Cli/DeepMD.Sharp.Cli.csproj -c Release -r linux-x64 --self-contained \
  -p:DebugType=none -p:GenerateDocumentationFile=false -o .devicebuild/app
tar -cJf .devicebuild/app.tar.xz -C .devicebuild/app .
rm -rf .devicebuild/app
ls -l .devicebuild/app.tar.xz
