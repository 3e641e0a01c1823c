#!/usr/bin/env bash
# Installs dpsharp as a .NET tool (docs/install.md): packs the libraries and the dpsharp tool into a local NuGet
# folder, then installs the tool from it.
#   tools/install.sh                     dpsharp on the PATH (dotnet tool --global; ~/.dotnet/tools), without training
#   tools/install.sh --with-training     the same with `dpsharp train`/`freeze` (TorchSharp + libtorch, ~450 MB more)
#   tools/install.sh --tool-path DIR     install into DIR instead of globally
#   tools/install.sh --feed DIR          the local package folder (default ~/.dpsharp/packages)
# Scripts can then use `#:package DeepMD.Sharp@VERSION` with that folder as a package source.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

feed="${HOME}/.dpsharp/packages"
training=false
where=(--global)
while [ $# -gt 0 ]; do
  case "$1" in
    --with-training) training=true ;;
    --tool-path) where=(--tool-path "$2"); shift ;;
    --feed) feed="$2"; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
  esac
  shift
done
mkdir -p "$feed"
feed="$(cd "$feed" && pwd)"
version="$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)"
# A separate build folder, so this build (without training) never mixes with the repository's bin/ and obj/.
artifacts="$(pwd)/artifacts/install"

libraries=(Core Domains IO Models Cpu Dynamics Input Gpu)
$training && libraries+=(Training)
for p in "${libraries[@]}"; do
  dotnet pack "src/DeepMD.Sharp.$p" -c Release -o "$feed" --artifacts-path "$artifacts" -v q -nologo
done
dotnet pack src/DeepMD.Sharp -c Release -o "$feed" --artifacts-path "$artifacts" -v q -nologo
dotnet pack src/DeepMD.Sharp.Cli -c Release -o "$feed" --artifacts-path "$artifacts" -p:DpsharpTraining=$training -v q -nologo

# NuGet caches a package by id and version: drop our own earlier copies so a reinstall of the same version takes
# the packages just made.
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
rm -rf "$cache/dpsharp/$version" "$cache"/deepmd.sharp*/"$version"
# `update` installs the tool when it is not installed yet and replaces an earlier version otherwise.
dotnet tool update "${where[@]}" --add-source "$feed" --version "$version" dpsharp
echo "dpsharp $version installed (training: $training); packages in $feed"
