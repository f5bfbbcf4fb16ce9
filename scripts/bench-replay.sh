#!/usr/bin/env bash
# Reproduces the replay benchmark: `atvmbot replay` of a synthetic
# categorized run (500 hosts × scale, 10 groups, ~200 MB × scale runner log,
# 2,000 × scale artifacts) against `cat` of the same files, at 1×, 2× and 4×,
# with replay's peak RSS.
#
#   scripts/bench-replay.sh            # SCALES="1 2 4" RUNS=3
#   SCALES=1 RUNS=5 BENCH_DIR=/var/tmp/b scripts/bench-replay.sh
#
# The synthetic trees are generated once and kept in BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_DIR:-${TMPDIR:-/tmp}/atvmbot-bench}
SCALES=${SCALES:-"1 2 4"}
RUNS=${RUNS:-3}
mkdir -p "$OUT"
go build -o "$OUT/atvmbot" ./cmd/atvmbot
TIMEFORMAT=%R

best() { sort -n | head -1; }

printf '%-6s %9s %7s %9s %10s %7s %11s %13s\n' scale MB files cat_s replay_s ratio replay_MB/s peak_RSS_MB
for s in $SCALES; do
  d="$OUT/x$s"
  if [ ! -f "$d/args" ]; then
    rm -rf "$d"
    go run ./results/internal/synth/mkbench -scale "$s" -out "$d" > "$OUT/x$s.args"
    mv "$OUT/x$s.args" "$d/args"
  fi
  mapfile -t args < "$d/args"
  find "$d/atvm" "$d/tmp" -type f > "$d/files"
  files=$(wc -l < "$d/files")
  bytes=$(xargs -a "$d/files" -d '\n' cat | wc -c)   # also warms the page cache
  cats=(); reps=(); rss=()
  for _ in $(seq "$RUNS"); do
    cats+=("$( { time xargs -a "$d/files" -d '\n' cat > /dev/null; } 2>&1 )")
    out=$( { /usr/bin/time -f 'RSS %M' "$OUT/atvmbot" replay "${args[@]}" > /dev/null 2> "$d/replay.err"; } 2>&1 ) || true
    reps+=("$( { time "$OUT/atvmbot" replay "${args[@]}" > "$d/status.json"; } 2>&1 )")
    rss+=("$(grep -o 'RSS [0-9]*' "$d/replay.err" | awk '{print $2}')")
  done
  c=$(printf '%s\n' "${cats[@]}" | best)
  r=$(printf '%s\n' "${reps[@]}" | best)
  m=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  awk -v s="$s" -v b="$bytes" -v f="$files" -v c="$c" -v r="$r" -v m="$m" 'BEGIN {
    printf "%-6s %9.1f %7d %9.3f %10.3f %7.2f %11.0f %13.1f\n", s"x", b/1e6, f, c, r, r/c, b/1e6/r, m/1024 }'
done
