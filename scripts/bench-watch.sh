#!/usr/bin/env bash
# bench-watch.sh — reproduce the watch-loop figures: the 500-host synthetic
# run fed to a controller folder in 50 increments, one poll through the
# bot's own path after each (BenchmarkWatchLoop), then 10 polls with
# nothing new. Reports the bot's CPU per poll (first 10, last 10, idle; the
# idle part spent in the controller's round trips apart), state-file writes
# of an idle poll and peak RSS.
#   SSH=1      poll over a private OpenSSH server on 127.0.0.1 (needs root)
#   LOG_MB=N   the runner log's size (default 200; 1000 for the 1 GB run)
#   COUNT=N    repetitions (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
export ATVMBOT_BENCH_SSH="${SSH:-}" ATVMBOT_BENCH_LOG_MB="${LOG_MB:-200}"
exec go test ./bot/runner -run '^$' -bench 'BenchmarkWatchLoop' -benchtime 1x -count "${COUNT:-5}" -timeout 60m "$@"
