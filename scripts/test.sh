#!/usr/bin/env bash
# Runs every test of the project: gofmt check, go vet, then go test -race
# over all packages. When this machine can run the real servers (root on
# Debian), it starts a loopback Mattermost server for the bot's integration
# tests; the sshd the controller tests need is started by those tests
# themselves through scripts/sshd-up.sh. With ATVMBOT_REQUIRE_SSHD=1 /
# ATVMBOT_REQUIRE_MM=1 (as CI sets) a missing server fails the run instead
# of skipping its tests.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

mm_state="${ATVMBOT_MM_STATE:-/tmp/atvmbot-mm-it}"
mm_started=0
cleanup() {
  if [ "$mm_started" = 1 ]; then
    MM_IT_STATE="$mm_state" bash scripts/mattermost-up.sh down >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

if [ -x scripts/mattermost-up.sh ] && [ "${ATVMBOT_SKIP_MM:-0}" != 1 ]; then
  if [ "$(id -u)" = 0 ] || [ "${ATVMBOT_REQUIRE_MM:-0}" = 1 ]; then
    echo "== starting a loopback Mattermost server (first build takes a few minutes)"
    if MM_IT_STATE="$mm_state" bash scripts/mattermost-up.sh up > "$mm_state.up.log" 2>&1; then
      mm_started=1
      export ATVMBOT_MM_ENV="$mm_state/mm-it.env"
    else
      echo "mattermost-up failed; last lines:"; tail -20 "$mm_state.up.log"
      [ "${ATVMBOT_REQUIRE_MM:-0}" = 1 ] && exit 1
    fi
  fi
fi

export ATVMBOT_IT_LOG="${TMPDIR:-/tmp}/atvmbot-it.$$.log"
: > "$ATVMBOT_IT_LOG"
# The end-to-end suite stops and restarts the shared Mattermost server
# (outage test): it runs after every other package, never beside them.
echo "== go test -race (all packages but e2e)"
status=0
go test -race -count=1 -timeout 45m $(go list ./... | grep -v '/e2e$') || status=$?
echo "== go test -race ./e2e"
export ATVMBOT_E2E_FIGURES="${TMPDIR:-/tmp}/atvmbot-e2e-figures.$$.txt"
go test -race -count=1 -timeout 45m ./e2e || status=$?
if [ -s "$ATVMBOT_E2E_FIGURES" ]; then
  echo "== end-to-end figures"
  cat "$ATVMBOT_E2E_FIGURES"
fi
rm -f "$ATVMBOT_E2E_FIGURES"

echo "== integration tests passed against real servers"
for kind in sshd mattermost e2e; do
  printf '  %-10s %s\n' "$kind" "$(grep "^$kind " "$ATVMBOT_IT_LOG" | sort -u | wc -l)"
done
rm -f "$ATVMBOT_IT_LOG"
exit "$status"
