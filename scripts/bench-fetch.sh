#!/usr/bin/env bash
# bench-fetch.sh — reproduce the controller fetch figures: round trips per
# poll and bytes fetched over a whole 500-host run relative to the
# artifacts' bytes (BenchmarkFetch500Hosts). As root the benchmark runs
# over a private OpenSSH server on 127.0.0.1 (scripts/sshd-up.sh, as the
# non-root test user); otherwise over the local transport.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go test ./controller -run '^$' -bench 'BenchmarkFetch500Hosts' -benchtime "${BENCHTIME:-1x}" -count "${COUNT:-1}" -v "$@"
