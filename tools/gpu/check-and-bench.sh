#!/usr/bin/env bash
# One command for the GPU machine, run from the repository root with .devicebuild/app.tar.xz carried
# (made by tools/gpu/pack.sh). Writes everything under $OUT (default ./gpu-out).
#
#   bash tools/gpu/check-and-bench.sh                 # check, then bench at 12k, 100k, 1M, 10M atoms
#   bash tools/gpu/check-and-bench.sh check           # only the correctness checks (GPU vs CPU backend)
#   bash tools/gpu/check-and-bench.sh md-check        # only the 1000-step NVE comparison, device loop vs host loop
#   bash tools/gpu/check-and-bench.sh bench 8x8x8     # only the bench, at the given replications of the 192-atom water cell
#   bash tools/gpu/check-and-bench.sh deck            # examples/water/in.water through dpsharp run, host loop vs device loop
#
# Sizes: 4x4x4 = 12,288 atoms; 8x8x8 = 98,304; 18x18x16 = 995,328; 37x37x38 = 9,994,752.
# The bench times whole MD steps with the atoms on the device (dpsharp bench --device gpu: device neighbor list with
# a 2 Å skin, rebuilds amortised over the timed steps, NVE), float32 on the compressed model and float64 on both.
# Each step has its own time limit (STEP_TIMEOUT, default 240 s; the 1000-step comparison MD_TIMEOUT, default 540 s)
# so one slow or out-of-memory size does not eat the whole device call (10 minutes per call, 30 per session).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-./gpu-out}
STEP_TIMEOUT=${STEP_TIMEOUT:-240}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
APP=${APP:-/tmp/dpsharp-app}
if [ ! -x "$APP/dpsharp" ]; then
  mkdir -p "$APP" && tar -xJf .devicebuild/app.tar.xz -C "$APP" || { echo "no .devicebuild/app.tar.xz: run tools/gpu/pack.sh and carry .devicebuild" >&2; exit 1; }
fi
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
DP="$APP/dpsharp"
MODEL=potentials/test-models/water-example-float32.dp
STRUCT=examples/water/water.lmp
COMPRESSED="$OUT/water-compressed.dp"
mode=${1:-all}
shift || true
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(4x4x4 8x8x8 18x18x16 37x37x38)

run() { # name, command...
  local name=$1; shift
  echo "== $name: $*" | tee -a "$OUT/summary.txt"
  timeout "$STEP_TIMEOUT" "$@" > "$OUT/$name.txt" 2>&1
  local rc=$?
  cat "$OUT/$name.txt"
  echo "== $name: exit $rc" | tee -a "$OUT/summary.txt"
}

{ nvidia-smi || true; } > "$OUT/nvidia-smi.txt" 2>&1
run info "$DP" info "$MODEL"
[ -f "$COMPRESSED" ] || run compress "$DP" compress "$MODEL" "$COMPRESSED" --min-nbor-dist 0.85

if [ "$mode" = all ] || [ "$mode" = check ]; then
  # GPU against the CPU backend (itself tested equal to the reference to 1e-10) on 12,288 atoms.
  run check-uncompressed "$DP" bench --model "$MODEL" --structure "$STRUCT" --replicate 4x4x4 --steps 1 \
    --backend gpu-f64,gpu-f32 --compare-with cpu-f64
  run check-compressed "$DP" bench --model "$COMPRESSED" --structure "$STRUCT" --replicate 4x4x4 --steps 1 \
    --backend gpu-f64,gpu-f32 --compare-with cpu-f64
fi

if [ "$mode" = all ] || [ "$mode" = md-check ]; then
  # 1000 NVE steps of 12,288 water atoms: device-resident loop (f64, f32) vs the host loop on cpu-f64; prints the
  # divergence after 1, 10, 100 and 1000 steps.
  STEP_TIMEOUT=${MD_TIMEOUT:-540} run md-check "$DP" bench --device gpu --model "$MODEL" --structure "$STRUCT" --replicate 4x4x4 \
    --md-compare "${MD_STEPS:-1000}" --precision f64,f32 --compare-with cpu-f64
fi

if [ "$mode" = all ] || [ "$mode" = bench ]; then
  for rep in "${sizes[@]}"; do
    case "$rep" in 37x37x38) steps=10 ;; 18x18x16) steps=30 ;; *) steps=100 ;; esac
    run "bench-md-compressed-$rep" "$DP" bench --device gpu --model "$COMPRESSED" --structure "$STRUCT" --replicate "$rep" --steps "$steps" --precision f32,f64
    run "bench-md-f64-$rep" "$DP" bench --device gpu --model "$MODEL" --structure "$STRUCT" --replicate "$rep" --steps "$steps" --precision f64
  done
fi
if [ "$mode" = all ] || [ "$mode" = deck ]; then
  # The shipped water deck (192 atoms, NVT) through `dpsharp run`: the run goes to the device loop with
  # DPSHARP_BACKEND=gpu-f64 (the log names it), on the host with cpu-f64; thermo lines should agree to round-off growth.
  mkdir -p "$OUT/deck-gpu" "$OUT/deck-cpu"
  cp examples/water/in.water examples/water/water.lmp "$OUT/deck-gpu/" && cp examples/water/in.water examples/water/water.lmp "$OUT/deck-cpu/"
  sed -i "s#pair_style deepmd .*#pair_style deepmd $PWD/$MODEL#" "$OUT/deck-gpu/in.water" "$OUT/deck-cpu/in.water"
  (cd "$OUT/deck-gpu" && DPSHARP_BACKEND=gpu-f64 run deck-gpu "$DP" run in.water)
  (cd "$OUT/deck-cpu" && DPSHARP_BACKEND=cpu-f64 run deck-cpu "$DP" run in.water)
fi
echo "results in $OUT"
