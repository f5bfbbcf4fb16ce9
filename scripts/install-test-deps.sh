#!/usr/bin/env bash
# Installs the Debian packages the integration tests need: OpenSSH server
# (a private loopback sshd plays the controller) and PostgreSQL (for the
# loopback Mattermost server), plus python3 for the simulator's script shims.
# Idempotent; needs root on Debian. Elsewhere it says what is missing.
set -euo pipefail

# The SSH tests log in as root and as a dedicated non-root user "sshtest"
# (the controller tests ask for it by name, so sshd-up.sh does not make it
# for them): create it here, once, so no test depends on which ran first.
ensure_test_user() {
  [ "$(id -u)" = 0 ] || return 0
  getent passwd sshtest >/dev/null && return 0
  command -v useradd >/dev/null 2>&1 || return 0
  # --password '*': no password login, but not "locked" ('!'), which sshd refuses without PAM
  useradd --create-home --shell /bin/bash --password '*' --comment "sshd-up test user" sshtest
  echo "install-test-deps: created the sshtest user"
}

need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v jq >/dev/null 2>&1 || need+=(jq)
if [ ${#need[@]} -eq 0 ]; then
  ensure_test_user
  echo "install-test-deps: everything present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: missing ${need[*]}; install them (Debian: apt-get install ${need[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
for i in 1 2 3; do
  if apt-get install -y --no-install-recommends "${need[@]}"; then ensure_test_user; exit 0; fi
  apt-get update || true
  sleep $((i * 5))
done
echo "install-test-deps: apt-get install ${need[*]} failed" >&2
exit 1
