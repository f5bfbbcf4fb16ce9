#!/usr/bin/env bash
# Installs the Debian packages the integration tests need: OpenSSH server
# (a private loopback sshd plays the controller) and PostgreSQL (for the
# loopback Mattermost server), plus python3 for the simulator's script shims.
# Idempotent; needs root on Debian. Elsewhere it says what is missing.
set -euo pipefail
need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v jq >/dev/null 2>&1 || need+=(jq)
if [ ${#need[@]} -eq 0 ]; then
  echo "install-test-deps: everything present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: missing ${need[*]}; install them (Debian: apt-get install ${need[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
for i in 1 2 3; do
  if apt-get install -y --no-install-recommends "${need[@]}"; then exit 0; fi
  apt-get update || true
  sleep $((i * 5))
done
echo "install-test-deps: apt-get install ${need[*]} failed" >&2
exit 1
