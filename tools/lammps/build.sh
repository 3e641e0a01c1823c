#!/usr/bin/env bash
# Builds LAMMPS (Debian bookworm's source package, with the PLUGIN package and MPI) and our pair style plugin
# dpsharpplugin.so (pair_style deepmd, tools/lammps/pair_deepmd.cpp over the C ABI native/dpsharp.h).
# Usage: bash tools/lammps/build.sh        Ends by printing exactly two lines: lmp=<path> and plugin=<path>.
# Cache: ${DPSHARP_CACHE:-~/.cache/dpsharp}/lammps-<version>/ (LAMMPS build, reused while the version is the same) and
#        .../plugin-<hash of the plugin source and C ABI header>/ (the plugin); a second run takes seconds.
# Needs: root or sudo for apt (deb-src line, cmake, g++, Open MPI dev), the .NET SDK (libdpsharp.so is built by
# `dotnet build` of src/DeepMD.Sharp.Native; this script builds it with tools/native/build.sh if it is missing).
# Progress goes to stderr; the LAMMPS build log is lammps-<version>/build.log.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
version=20220106
cache="${DPSHARP_CACHE:-$HOME/.cache/dpsharp}"
ldir="$cache/lammps-$version"
jobs="${DPSHARP_LAMMPS_JOBS:-2}"
log() { echo "tools/lammps/build.sh: $*" >&2; }
SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo -n"

need_pkgs=()
command -v cmake >/dev/null || need_pkgs+=(cmake)
command -v g++ >/dev/null || need_pkgs+=(g++)
# mpicxx alone is not enough (openmpi-bin ships it without the headers): check that mpi.h compiles.
{ command -v mpicxx >/dev/null && echo '#include <mpi.h>' | mpicxx -x c++ -E - >/dev/null 2>&1; } || need_pkgs+=(openmpi-bin libopenmpi-dev)
command -v make >/dev/null || need_pkgs+=(make)

# ---- LAMMPS (once per version) ----
if [ ! -x "$ldir/build/lmp" ] || [ ! -f "$ldir/build/.dpsharp-complete" ]; then
  start=$(date +%s)
  if [ ${#need_pkgs[@]} -gt 0 ]; then
    log "installing ${need_pkgs[*]}"
    $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
  fi
  mkdir -p "$ldir"
  if [ ! -f "$ldir/src/cmake/CMakeLists.txt" ]; then
    # A plain deb-src line clashes with the machine's Signed-By setting: name the same keyring.
    if ! grep -rqs '^deb-src .*bookworm main\|^Types:.*deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      log "adding a deb-src line for bookworm"
      echo 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main' \
        | $SUDO tee /etc/apt/sources.list.d/dpsharp-deb-src.list >/dev/null
      $SUDO apt-get update -qq >&2
    fi
    command -v dpkg-source >/dev/null || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dpkg-dev >&2
    tmp="$(mktemp -d "$ldir/fetch.XXXXXX")"
    log "apt-get source lammps=$version (into $tmp)"
    (cd "$tmp" && apt-get source -qq "lammps" >&2)
    srcdir="$(ls -d "$tmp"/lammps-*/ | head -1)"
    rm -rf "$ldir/src"; mv "$srcdir" "$ldir/src"; rm -rf "$tmp"
  fi
  got="$(grep -o 'LAMMPS_VERSION "[^"]*"' "$ldir/src/src/version.h" || true)"
  log "LAMMPS source: $got"
  rm -rf "$ldir/build"; mkdir -p "$ldir/build"   # no stale CMake cache from an interrupted or failed configure
  log "configuring and building LAMMPS with make -j$jobs (several minutes; log: $ldir/build.log)"
  ( cd "$ldir/build" && \
    cmake ../src/cmake -D PKG_PLUGIN=on -D PKG_MANYBODY=on -D BUILD_SHARED_LIBS=on -D BUILD_MPI=on -D BUILD_OMP=off \
      -D CMAKE_BUILD_TYPE=Release -D LAMMPS_SIZES=smallbig && \
    nice make -j"$jobs" ) >"$ldir/build.log" 2>&1 || { tail -30 "$ldir/build.log" >&2; log "LAMMPS build failed"; exit 1; }
  touch "$ldir/build/.dpsharp-complete"
  log "LAMMPS built in $(( $(date +%s) - start )) s"
fi
[ "${DPSHARP_LAMMPS_ONLY:-0}" = 1 ] && { echo "lmp=$ldir/build/lmp"; exit 0; }

# ---- libdpsharp.so (the C ABI host) ----
native="$here/src/DeepMD.Sharp.Native/bin/Release/net10.0"
if [ ! -f "$native/DeepMD.Sharp.Native.dll" ]; then
  log "building src/DeepMD.Sharp.Native (Release)"
  dotnet build "$here/src/DeepMD.Sharp.Native" -c Release >&2
fi
[ -f "$native/libdpsharp.so" ] || bash "$here/tools/native/build.sh" "$native/" >&2

# ---- the plugin (once per plugin source; it links libdpsharp.so of this clone, whose path is part of the key) ----
hash="$( (cat "$here/tools/lammps/pair_deepmd.cpp" "$here/tools/lammps/pair_deepmd.h" "$here/tools/lammps/dpsharpplugin.cpp" \
  "$here/native/dpsharp.h" "$0"; echo "$native") | sha256sum | cut -c1-16)"
pdir="$cache/plugin-$version-$hash"
if [ ! -f "$pdir/dpsharpplugin.so" ]; then
  log "building dpsharpplugin.so"
  mkdir -p "$pdir"
  mpicxx -O2 -g -std=c++11 -fPIC -shared -DLAMMPS_SMALLBIG -Wall \
    -I"$ldir/src/src" -I"$ldir/build/styles" -I"$here/native" -I"$here/tools/lammps" \
    -o "$pdir/dpsharpplugin.so.tmp" "$here/tools/lammps/dpsharpplugin.cpp" "$here/tools/lammps/pair_deepmd.cpp" \
    -L"$native" -ldpsharp -Wl,-rpath,"$native" >&2
  mv "$pdir/dpsharpplugin.so.tmp" "$pdir/dpsharpplugin.so"
fi
echo "lmp=$ldir/build/lmp"
echo "plugin=$pdir/dpsharpplugin.so"
