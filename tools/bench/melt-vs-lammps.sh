#!/usr/bin/env bash
# LAMMPS' melt example enlarged to 20x20x20 fcc cells (32,000 atoms, lj/cut 2.5, nve, 1000 steps) run by LAMMPS (one
# rank, one OpenMP thread) and by dpsharp (1 thread and all cores), interleaved, several times; prints the run loop's
# µs per atom-step of each (median over the repeats) and the ratios. Process CPU seconds are printed too: on a busy
# machine they are the fairer single-thread figure.
#
#   tools/bench/melt-vs-lammps.sh [--cells 20] [--steps 1000] [--repeats 3] [--threads N]
#
# Needs lmp on PATH (or LMP=/path/to/lmp) and LAMMPS' examples (Debian: lammps-examples; or MELT=/path/to/in.melt).
set -euo pipefail

cells=20 steps=1000 repeats=3 threads=$(nproc)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cells) cells=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "dpsharp: error: unknown option '$1' (see --help)" >&2; exit 1 ;;
  esac
done

root=$(cd "$(dirname "$0")/../.." && pwd)
lmp=${LMP:-$(command -v lmp || true)}
melt=${MELT:-/usr/share/lammps/examples/melt/in.melt}
[[ -x "$lmp" ]] || { echo "dpsharp: error: LAMMPS (lmp) not found; install it (apt-get install lammps) or set LMP" >&2; exit 1; }
[[ -f "$melt" ]] || { echo "dpsharp: error: $melt not found; install lammps-examples or set MELT" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
deck="$work/in.melt-big"
sed -E -e "s/region([[:space:]]+)box([[:space:]]+)block[[:space:]]+0 10 0 10 0 10/region\1box\2block 0 $cells 0 $cells 0 $cells/" \
       -e "s/^run[[:space:]]+250/run $steps/" -e "s/^thermo[[:space:]]+50/thermo $((steps / 10))/" "$melt" > "$deck"
grep -q "block 0 $cells 0 $cells 0 $cells" "$deck" || { echo "dpsharp: error: could not enlarge the region in $melt" >&2; exit 1; }
grep -q "^run $steps" "$deck" || { echo "dpsharp: error: could not set the step count in $melt" >&2; exit 1; }
atoms=$((4 * cells * cells * cells))

echo "building dpsharp (Release) ..."
dotnet build "$root/src/DeepMD.Sharp.Cli" -c Release -v quiet -nologo > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dpsharp="$root/src/DeepMD.Sharp.Cli/bin/Release/net10.0/dpsharp.dll"

# run NAME COMMAND...: runs in $work, appends "loop_seconds cpu_seconds" to $work/NAME.times, keeps the screen output.
run() {
  local name=$1; shift
  local out="$work/$name.out"
  local start_cpu end_cpu
  start_cpu=$(cat /proc/$$/stat | awk '{print $16 + $17}')
  (cd "$work" && "$@" > "$out" 2>&1) || { echo "dpsharp: error: $name failed:" >&2; tail -20 "$out" >&2; exit 1; }
  end_cpu=$(cat /proc/$$/stat | awk '{print $16 + $17}')
  local loop
  loop=$(awk '/^Loop time of/ {print $4; exit}' "$out")
  [[ -n "$loop" ]] || { echo "dpsharp: error: no 'Loop time' line in $name's output ($out)" >&2; exit 1; }
  echo "$loop $(( end_cpu - start_cpu ))" >> "$work/$name.times"
}

ticks=$(getconf CLK_TCK)
echo "deck: $melt with region 0 $cells ($atoms atoms), $steps steps; $repeats repeats, interleaved; dpsharp threads: 1 and $threads"
for ((r = 1; r <= repeats; r++)); do
  echo "  repeat $r/$repeats ..."
  run lammps env OMP_NUM_THREADS=1 "$lmp" -in "$deck" -log none -echo none
  run dpsharp-1 env DPSHARP_THREADS=1 dotnet "$dpsharp" run "$deck" --log none
  run dpsharp-n env DPSHARP_THREADS="$threads" dotnet "$dpsharp" run "$deck" --log none
done

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
us() { awk -v s="$1" -v n="$atoms" -v k="$steps" 'BEGIN {printf "%.3f", s * 1e6 / (n * k)}'; }
declare -A wall cpu
for name in lammps dpsharp-1 dpsharp-n; do
  wall[$name]=$(awk '{print $1}' "$work/$name.times" | median)
  cpu[$name]=$(awk -v t="$ticks" '{print $2 / t}' "$work/$name.times" | median)
done

printf '\n%-26s %22s %26s\n' "program" "loop µs/atom-step" "process CPU µs/atom-step"
printf '%-26s %22s %26s\n' "LAMMPS (1 rank)" "$(us "${wall[lammps]}")" "$(us "${cpu[lammps]}")"
printf '%-26s %22s %26s\n' "dpsharp (1 thread)" "$(us "${wall[dpsharp-1]}")" "$(us "${cpu[dpsharp-1]}")"
printf '%-26s %22s %26s\n' "dpsharp ($threads threads)" "$(us "${wall[dpsharp-n]}")" "$(us "${cpu[dpsharp-n]}")"
awk -v l="${wall[lammps]}" -v a="${wall[dpsharp-1]}" -v b="${wall[dpsharp-n]}" -v lc="${cpu[lammps]}" -v ac="${cpu[dpsharp-1]}" 'BEGIN {
  printf "\ndpsharp 1 thread / LAMMPS: %.2f (loop time), %.2f (CPU time; includes dpsharp start-up and JIT)\n", a / l, ac / lc
  printf "dpsharp all threads / LAMMPS: %.2f (loop time)\n", b / l
  printf "dpsharp speed-up 1 -> all threads: %.2f\n", a / b }'
echo
echo "last thermo line (LAMMPS, then dpsharp 1 thread, then dpsharp all threads; chaos makes them drift apart late in the run):"
for name in lammps dpsharp-1 dpsharp-n; do awk -v s="$steps" '$1 == s && NF >= 6 {print "  " $0}' "$work/$name.out" | tail -1; done
