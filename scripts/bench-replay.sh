#!/usr/bin/env bash
# Reproduces the replay benchmark: `atvmbot replay` of a synthetic
# categorized run (500 hosts × scale, 10 groups, ~200 MB × scale runner log,
# 2,000 × scale artifacts) against `cat` of the same files, at 1×, 2× and 4×.
#
#   scripts/bench-replay.sh            # SCALES="1 2 4" RUNS=7
#   SCALES=1 RUNS=9 BENCH_DIR=/var/tmp/b scripts/bench-replay.sh
#
# cat and replay run in turn (cat, replay, cat, replay, …), so each pair sees
# the same machine; a ratio is taken per pair and the median of the RUNS
# ratios is printed. Per scale it prints the median wall time of each, the
# median wall and CPU (user+sys) ratios, replay's largest peak RSS, the run
# state and host count replay reported with a digest of its whole output
# (for comparing verdicts between versions), and the wall and CPU ms per MB:
# for the first scale the mean, for the next ones the marginal against the
# scale before (linearity: the marginals should agree). CPU and RSS come
# from GNU time (10 ms resolution); wall time from the shell's clock.
#
# The synthetic trees are generated once and kept in BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_DIR:-${TMPDIR:-/tmp}/atvmbot-bench}
SCALES=${SCALES:-"1 2 4"}
RUNS=${RUNS:-7}
mkdir -p "$OUT"
go build -o "$OUT/atvmbot" ./cmd/atvmbot

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# run CMD…: runs it once, output discarded; prints "wall_ms cpu_s rss_kb".
run() {
  local t0 t1 tf="$OUT/time.out"
  t0=$(date +%s%N)
  /usr/bin/time -o "$tf" -f '%U %S %M' "$@" > /dev/null 2>&1
  t1=$(date +%s%N)
  awk -v w="$(( (t1 - t0) / 1000 ))" '{ printf "%.3f %.2f %d\n", w / 1000, $1 + $2, $3 }' "$tf"
}

printf '%-6s %7s %6s %7s %9s %6s %9s %8s %7s %7s %9s  %s\n' \
  scale MB files cat_ms replay_ms ratio cpu_ratio cpu_ms RSS_MB ms/MB cpu_ms/MB 'state hosts digest'
prev_mb='' prev_ms='' prev_cpu=''
for s in $SCALES; do
  d="$OUT/x$s"
  if [ ! -f "$d/args" ]; then
    rm -rf "$d"
    go run ./internal/synth/mkbench -scale "$s" -out "$d" > "$OUT/x$s.args"
    mv "$OUT/x$s.args" "$d/args"
  fi
  mapfile -t args < "$d/args"
  find "$d/atvm" "$d/tmp" -type f > "$d/files"
  files=$(wc -l < "$d/files")
  bytes=$(xargs -a "$d/files" -d '\n' cat | wc -c) # also warms the page cache
  "$OUT/atvmbot" replay "${args[@]}" > "$d/status.json"   # warm-up, and the verdict
  state=$(grep -m1 -o '"state": "[A-Z_]*"' "$d/status.json" | cut -d'"' -f4)
  hosts=$(awk '/^  "hosts": \[/ { h = 1; next } h && /^  \]/ { h = 0 } h && /^      "name": / { n++ } END { print n + 0 }' "$d/status.json")
  digest=$(grep -v '^  "version": ' "$d/status.json" | sha256sum | cut -c1-12) # the build's version aside

  : > "$d/pairs"
  for _ in $(seq "$RUNS"); do
    read -r cw cc _ < <(run xargs -a "$d/files" -d '\n' cat)
    read -r rw rc rr < <(run "$OUT/atvmbot" replay "${args[@]}")
    echo "$cw $cc $rw $rc $rr" >> "$d/pairs"
  done
  c=$(awk '{ print $1 }' "$d/pairs" | median)
  r=$(awk '{ print $3 }' "$d/pairs" | median)
  rc=$(awk '{ print $4 * 1000 }' "$d/pairs" | median)
  ratio=$(awk '{ print $3 / $1 }' "$d/pairs" | median)
  cpu=$(awk '$2 > 0 { print $4 / $2 }' "$d/pairs" | median)
  rss=$(awk '{ print $5 }' "$d/pairs" | sort -n | tail -1)
  mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  # ms/MB: marginal against the previous scale (linearity), else the mean.
  read -r per cper < <(awk -v r="$r" -v p="$prev_ms" -v c="$rc" -v pc="$prev_cpu" -v m="$mb" -v q="$prev_mb" 'BEGIN {
    if (q == "") printf "%.3f %.3f\n", r / m, c / m; else printf "%.3f %.3f\n", (r - p) / (m - q), (c - pc) / (m - q) }')
  awk -v s="$s" -v mb="$mb" -v f="$files" -v c="$c" -v r="$r" -v ra="$ratio" -v cpu="$cpu" -v rc="$rc" -v m="$rss" \
    -v per="$per" -v cper="$cper" -v v="$state $hosts $digest" 'BEGIN {
    printf "%-6s %7.1f %6d %7.1f %9.1f %6.2f %9.2f %8.0f %7.1f %7.3f %9.3f  %s\n", s "x", mb, f, c, r, ra, cpu, rc, m / 1024, per, cper, v }'
  prev_mb=$mb prev_ms=$r prev_cpu=$rc
done
