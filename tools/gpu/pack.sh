#!/usr/bin/env bash
# Publishes dpsharp self-contained for linux-x64 without the Training project (-p:DpsharpTraining=false: no TorchSharp)
# into the ignored folder .devicebuild/, packed as .devicebuild/app.tar.xz for the GPU machine (which has no .NET SDK).
# Then, on the device (carry: [".devicebuild"]):  bash tools/gpu/check-and-bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .devicebuild/app .devicebuild/app.tar.xz
mkdir -p .devicebuild
dotnet publish src/DeepMD.Sharp.Cli/DeepMD.Sharp.Cli.csproj -c Release -r linux-x64 --self-contained \
  -p:DpsharpTraining=false -p:DebugType=none -p:GenerateDocumentationFile=false -o .devicebuild/app
if ls .devicebuild/app | grep -qi torch; then
  echo "pack.sh: the published CLI contains TorchSharp/libtorch; it cannot travel to the device" >&2
  exit 1
fi
tar -cJf .devicebuild/app.tar.xz -C .devicebuild/app .
rm -rf .devicebuild/app
ls -l .devicebuild/app.tar.xz
