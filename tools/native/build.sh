#!/usr/bin/env bash
# Builds libdpsharp.so (the C ABI host, native/dpsharp.c) into OUTDIR, next to DeepMD.Sharp.Native.dll.
# Usage: bash tools/native/build.sh [OUTDIR]   (default: src/DeepMD.Sharp.Native/bin/Release/net10.0/)
# Needs gcc and the .NET SDK's app host pack (nethost.h, libnethost.so).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$here/src/DeepMD.Sharp.Native/bin/Release/net10.0/}"
# The SDK running the build (passed by the project), else DOTNET_ROOT, else the dotnet on the PATH.
root="${DPSHARP_DOTNET_ROOT:-${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}}"
case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
pack="$(ls -d "$root"/packs/Microsoft.NETCore.App.Host.$rid/*/runtimes/$rid/native 2>/dev/null | sort -V | tail -1)"
if [ -z "$pack" ]; then echo "build.sh: no Microsoft.NETCore.App.Host.$rid pack under $root/packs (is the .NET SDK installed?)" >&2; exit 1; fi
mkdir -p "$out"
gcc -O2 -std=c11 -Wall -Wextra -Wno-format-truncation -fPIC -shared -fvisibility=hidden -I"$pack" -I"$here/native" \
  -o "$out/libdpsharp.so" "$here/native/dpsharp.c" -L"$pack" -lnethost -Wl,-rpath,'$ORIGIN' -ldl -lpthread
# libnethost.so (C++ inside, linked dynamically so that gcc alone suffices) travels next to libdpsharp.so.
cp "$pack/libnethost.so" "$out/"
echo "libdpsharp.so -> $out"
