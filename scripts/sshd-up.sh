#!/usr/bin/env bash
# sshd-up.sh — start/stop a private OpenSSH sshd on loopback for atvmbot's
# controller integration tests (go test ./controller starts it from TestMain).
#
# No systemd needed: runs /usr/sbin/sshd -D in the background (setsid), with its own
# sshd_config, host key, client key pair, authorized_keys, known_hosts, log and pid file, all in
# STATE_DIR. Idempotent: a second start on the same STATE_DIR reuses the running instance and
# its keys; stop is a no-op when nothing runs. Several STATE_DIRs can run side by side
# (give each its own SSHD_PORT, or SSHD_PORT=0).
#
# Usage:
#   sshd-up.sh STATE_DIR               same as: sshd-up.sh start STATE_DIR
#   sshd-up.sh start  STATE_DIR        start (or reuse) and print KEY=VALUE lines on stdout
#   sshd-up.sh status STATE_DIR        print KEY=VALUE lines if running (exit 0), else exit 3
#   sshd-up.sh stop   STATE_DIR        kill by pid file, plus its connection processes and every
#                                      process whose environment carries this instance's tag
#                                      (commands run through it, detached ones included)
#
# stdout of start/status (also written to STATE_DIR/env, which a shell can source):
#   SSH_ADDR=127.0.0.1:2222  SSH_HOST=127.0.0.1  SSH_PORT=2222  SSH_USER=sshtest
#   SSH_KEY=STATE_DIR/id_ed25519  SSH_KNOWN_HOSTS=STATE_DIR/known_hosts
#   SSHD_PID=...  SSHD_PIDFILE=...  SSHD_LOG=...  SSHD_STATE_DIR=...
# Diagnostics go to stderr. Exit status: 0 ok, 1 failure, 2 usage, 3 (status) not running.
#
# Environment knobs:
#   SSHD_PORT          port (default 2222); 0 or "auto" = pick a free one
#   SSHD_LISTEN        listen address (default 127.0.0.1)
#   SSHD_USER          login user. As root the default is "sshtest", a dedicated non-root user
#                      created here if missing (quick shell start-up; and session "signal"
#                      requests work: sshd refuses them on root logins). "root" is allowed.
#                      When not run as root: the current user (sshd can only log in as itself).
#   SSHD_MAX_SESSIONS  MaxSessions, sessions per connection (default 10 = OpenSSH's)
#   SSHD_MAX_STARTUPS  MaxStartups, concurrent unauthenticated connections (default
#                      10:30:100 = OpenSSH's; raise it if tests dial more than 10 at once)
#   SSHD_EXTRA_CONFIG  extra sshd_config lines, appended verbatim
#   SSHD_INSTALL       1 (default): if sshd is missing and we are root, apt-get install
#                      openssh-server (~11 s); 0: fail instead
#   SSHD_VERIFY        1 (default): after start, log in once with the OpenSSH client
#   SSHD_START_TIMEOUT seconds to wait for sshd's pid file (default 10)
set -euo pipefail

SSHD_BIN=${SSHD_BIN:-/usr/sbin/sshd}
PROG=${0##*/}

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

mode=start
case "${1:-}" in
  start|stop|status) mode=$1; shift ;;
  -h|--help|help|"") usage ;;
esac
[ $# -eq 1 ] || usage

# ---------------------------------------------------------------- state dir
if [ ! -d "$1" ]; then
  case $mode in
    stop)   log "no state dir $1: nothing to stop"; exit 0 ;;
    status) log "no state dir $1: not running"; exit 3 ;;
  esac
  mkdir -p -- "$1"
fi
DIR=$(cd -P -- "$1" && pwd)
# sshd_config quoting and %-token expansion make these unsafe; Go's t.TempDir() never uses them.
case $DIR in
  *[[:space:]\"\'\\%\$\`]*) die "state dir path must not contain whitespace, quotes, backslash, %, \$ or backtick: $DIR" ;;
esac

CFG=$DIR/sshd_config
PIDFILE=$DIR/sshd.pid
PIDINFO=$DIR/sshd.pidinfo          # "PID STARTTIME" guards against pid reuse
LOGFILE=$DIR/sshd.log
HOSTKEY=$DIR/ssh_host_ed25519_key
CKEY=$DIR/id_ed25519
AUTHKEYS=$DIR/authorized_keys
KNOWN=$DIR/known_hosts
ENVFILE=$DIR/env
TAG="SSHD_UP_STATE=$DIR"           # put in every session's environment (sshd SetEnv); used by stop

# serialise start/stop/status on the same state dir
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DIR/.lock"
  flock -w 60 9 || die "could not lock $DIR/.lock within 60 s"
fi

# ---------------------------------------------------------------- /proc helpers
stat_fields() { # stat_fields PID -> "state ppid starttime" (fields 3, 4, 22 of /proc/PID/stat)
  local s
  { read -r s < "/proc/$1/stat"; } 2>/dev/null || return 1
  s=${s##*) }           # comm may contain spaces and ')': cut after the last ") "
  # shellcheck disable=SC2086
  set -- $s
  printf '%s %s %s\n' "$1" "$2" "${20}"
}
is_live() { # PID exists and is not a zombie
  local f
  f=$(stat_fields "$1") || return 1
  case ${f%% *} in Z|X|x) return 1 ;; esac
}
pid_is_ours() { # PID is our sshd listener
  local pid=$1 f start cmd
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  f=$(stat_fields "$pid") || return 1
  case ${f%% *} in Z|X|x) return 1 ;; esac
  start=${f##* }
  if [ -s "$PIDINFO" ] && [ "$(cut -d' ' -f1 "$PIDINFO")" = "$pid" ]; then
    [ "$(cut -d' ' -f2 "$PIDINFO")" = "$start" ] || return 1
    cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *sshd* ]]
  else
    cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *sshd* && $cmd == *" -f $CFG"* ]]
  fi
}
running_pid() {
  local pid
  [ -s "$PIDFILE" ] || return 1
  pid=$(head -n1 "$PIDFILE" | tr -dc 0-9)
  pid_is_ours "$pid" || return 1
  printf '%s\n' "$pid"
}
kids() { # direct children of PID
  local want=$1 p f
  for p in /proc/[0-9]*; do
    f=$(stat_fields "${p#/proc/}") || continue
    f=${f#* }
    [ "${f%% *}" = "$want" ] && printf '%s\n' "${p#/proc/}"
  done
  return 0
}
tagged() { # processes whose (initial) environment has our tag: session commands and descendants
  local f pid
  grep -lzxF -- "$TAG" /proc/[0-9]*/environ 2>/dev/null | while IFS= read -r f; do
    pid=${f#/proc/}; pid=${pid%/environ}
    case $pid in "$$"|"$BASHPID") continue ;; esac
    is_live "$pid" && printf '%s\n' "$pid"
  done
  return 0
}
any_live() { local p; for p in "$@"; do is_live "$p" && return 0; done; return 1; }
kill_and_wait() { # TERM, wait up to 5 s, then KILL
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  for _ in $(seq 1 50); do any_live "$@" || return 0; sleep 0.1; done
  log "still alive after SIGTERM, sending SIGKILL: $*"
  kill -KILL "$@" 2>/dev/null || true
  for _ in $(seq 1 20); do any_live "$@" || return 0; sleep 0.1; done
  log "WARNING: could not kill: $*"
}

cfg_user() { sed -n 's/^# sshd-up user: //p' "$CFG" 2>/dev/null | head -n1; }
cfg_listen() { awk '$1=="ListenAddress" {print $2; exit}' "$CFG" 2>/dev/null; }

print_env() {
  local pid=$1 listen host port
  listen=$(cfg_listen); host=${listen%:*}; port=${listen##*:}
  {
    echo "SSH_ADDR=$host:$port"
    host=${host#[}; echo "SSH_HOST=${host%]}"
    echo "SSH_PORT=$port"
    echo "SSH_USER=$(cfg_user)"
    echo "SSH_KEY=$CKEY"
    echo "SSH_KNOWN_HOSTS=$KNOWN"
    echo "SSHD_PID=$pid"
    echo "SSHD_PIDFILE=$PIDFILE"
    echo "SSHD_LOG=$LOGFILE"
    echo "SSHD_STATE_DIR=$DIR"
  } > "$ENVFILE.tmp"
  mv -f "$ENVFILE.tmp" "$ENVFILE"
  cat "$ENVFILE"
}

# ---------------------------------------------------------------- stop
if [ "$mode" = stop ]; then
  victims=()
  if pid=$(running_pid); then
    mapfile -t conns < <(kids "$pid")          # per-connection "sshd: user@notty" processes
    victims+=("$pid" "${conns[@]}")
  elif [ -s "$PIDFILE" ]; then
    log "pid file $PIDFILE names pid $(head -n1 "$PIDFILE"), which is not our sshd: not killing it"
  fi
  mapfile -t tagged_pids < <(tagged)
  victims+=("${tagged_pids[@]}")
  if [ ${#victims[@]} -gt 0 ]; then
    log "stopping sshd ${pid:-(not running)}; killing pids: ${victims[*]}"
    kill_and_wait "${victims[@]}"
  else
    log "not running"
  fi
  rm -f "$PIDFILE" "$PIDINFO" "$ENVFILE"
  exit 0
fi

# ---------------------------------------------------------------- status
if [ "$mode" = status ]; then
  if pid=$(running_pid); then print_env "$pid"; exit 0; fi
  log "not running ($DIR)"; exit 3
fi

# ---------------------------------------------------------------- start
IS_ROOT=0; [ "$(id -u)" = 0 ] && IS_ROOT=1
ensure_privsep_dir() {
  # Made by systemd (RuntimeDirectory=sshd) or the init script, neither of which runs here.
  # Without it: "Missing privilege separation directory: /run/sshd" (sshd -t and start-up), and
  # a running sshd fails each new connection. /run is a tmpfs: gone after a reboot.
  if [ $IS_ROOT = 1 ] && [ ! -d /run/sshd ]; then
    mkdir -p /run/sshd && chown root:root /run/sshd && chmod 0755 /run/sshd
  fi
}
if pid=$(running_pid); then
  ensure_privsep_dir
  log "already running (pid $pid); reusing it"
  print_env "$pid"
  exit 0
fi
rm -f "$PIDFILE" "$PIDINFO"

# 1. sshd binary (a fresh Debian machine has only openssh-client, if that)
if [ ! -x "$SSHD_BIN" ]; then
  if [ "${SSHD_INSTALL:-1}" != 1 ] || [ $IS_ROOT != 1 ] || ! command -v apt-get >/dev/null; then
    die "$SSHD_BIN missing: apt-get install -y openssh-server"
  fi
  log "$SSHD_BIN missing: apt-get install openssh-server"
  (
    if command -v flock >/dev/null; then exec 8>/var/lock/sshd-up-apt.lock; flock -w 600 8; fi
    [ -x "$SSHD_BIN" ] && exit 0
    export DEBIAN_FRONTEND=noninteractive
    opts=(-y -q -o DPkg::Lock::Timeout=300)
    apt-get install "${opts[@]}" openssh-server >&2 \
      || { apt-get update -q >&2 && apt-get install "${opts[@]}" openssh-server >&2; }
  ) || die "apt-get install openssh-server failed"
  [ -x "$SSHD_BIN" ] || die "$SSHD_BIN still missing after install"
fi
command -v ssh-keygen >/dev/null || die "ssh-keygen missing (package openssh-client)"

# 2. privilege separation dir and user
if [ $IS_ROOT = 1 ]; then
  ensure_privsep_dir
  # must be root-owned and not group/world-writable
  chown root:root /run/sshd && chmod 0755 /run/sshd
  getent passwd sshd >/dev/null || die "privilege separation user 'sshd' missing (reinstall openssh-server)"
fi

# 3. login user
if [ $IS_ROOT = 1 ]; then
  USER_NAME=${SSHD_USER:-sshtest}
  if [ "$USER_NAME" != root ]; then
    if ! getent passwd "$USER_NAME" >/dev/null; then
      [ -z "${SSHD_USER:-}" ] || die "user $USER_NAME does not exist"
      (
        if command -v flock >/dev/null; then exec 8>/var/lock/sshd-up-user.lock; flock -w 60 8; fi
        getent passwd "$USER_NAME" >/dev/null && exit 0
        log "creating user $USER_NAME"
        # --password '*': no password login, but not "locked" ('!'), which sshd refuses without PAM
        useradd --create-home --shell /bin/bash --password '*' --comment "sshd-up test user" "$USER_NAME"
      ) || die "useradd $USER_NAME failed"
    fi
    # With UsePAM no, sshd refuses a password field starting with '!': "User X not allowed because account is locked"
    if [ "$(getent shadow "$USER_NAME" | cut -d: -f2 | cut -c1)" = '!' ]; then
      if [ -z "${SSHD_USER:-}" ]; then usermod --password '*' "$USER_NAME"
      else log "WARNING: $USER_NAME's password field starts with '!': sshd will refuse it (fix: usermod -p '*' $USER_NAME)"; fi
    fi
    # without a home dir each session prints "Could not chdir to home directory ..." on stderr
    home=$(getent passwd "$USER_NAME" | cut -d: -f6)
    if [ -n "$home" ] && [ ! -d "$home" ]; then
      mkdir -p "$home" && chown "$USER_NAME": "$home" && chmod 0755 "$home"
    fi
  fi
else
  USER_NAME=$(id -un)
  if [ -n "${SSHD_USER:-}" ] && [ "$SSHD_USER" != "$USER_NAME" ]; then
    die "not root: sshd can only log in as the current user ($USER_NAME), not $SSHD_USER"
  fi
fi

# 4. keys, kept across restarts so that known_hosts stays valid
if [ ! -s "$HOSTKEY" ]; then rm -f "$HOSTKEY" "$HOSTKEY.pub"; ssh-keygen -q -t ed25519 -N '' -C sshd-up-host -f "$HOSTKEY"; fi
[ -s "$HOSTKEY.pub" ] || ssh-keygen -y -f "$HOSTKEY" > "$HOSTKEY.pub"
if [ ! -s "$CKEY" ]; then rm -f "$CKEY" "$CKEY.pub"; ssh-keygen -q -t ed25519 -N '' -C sshd-up-client -f "$CKEY"; fi
[ -s "$CKEY.pub" ] || ssh-keygen -y -f "$CKEY" > "$CKEY.pub"
chmod 0600 "$HOSTKEY" "$CKEY"        # the OpenSSH client refuses group/world-readable keys
cp -f "$CKEY.pub" "$AUTHKEYS.tmp" && chmod 0644 "$AUTHKEYS.tmp" && mv -f "$AUTHKEYS.tmp" "$AUTHKEYS"

# 5. config + start, retrying on another port when the port is taken and SSHD_PORT is 0/auto
LISTEN=${SSHD_LISTEN:-127.0.0.1}
case $LISTEN in *:*) LHOST="[$LISTEN]" ;; *) LHOST=$LISTEN ;; esac   # IPv6 needs brackets
REQ_PORT=${SSHD_PORT:-2222}
CAT_BIN=$(readlink -f "$(command -v cat)")

port_busy() { # something LISTENing on that port (any address)?
  local hex; hex=$(printf '%04X' "$1")
  awk -v h=":$hex" 'FNR>1 && $4=="0A" && substr($2, length($2)-4)==h {f=1} END {exit !f}' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
pick_port() {
  local p
  for _ in $(seq 1 100); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_busy "$p" || { echo "$p"; return 0; }
  done
  return 1
}

write_config() {
  local port=$1 keys
  if [ $IS_ROOT = 1 ]; then
    # root reads the keys through a command: works for any login user even when the state dir
    # is 0700 (t.TempDir()); AuthorizedKeysFile would be opened as the login user.
    keys="AuthorizedKeysFile none
AuthorizedKeysCommand $CAT_BIN \"$AUTHKEYS\"
AuthorizedKeysCommandUser root"
  else
    keys="AuthorizedKeysFile \"$AUTHKEYS\""
  fi
  cat > "$CFG.tmp" <<EOF
# generated by sshd-up.sh: a private test sshd (rewritten on each start)
# sshd-up user: $USER_NAME
ListenAddress $LHOST:$port
HostKey "$HOSTKEY"
PidFile "$PIDFILE"
$keys
AllowUsers $USER_NAME
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
HostbasedAuthentication no
PermitRootLogin prohibit-password
UsePAM no
# StrictModes yes refuses key files below /tmp: "bad ownership or modes for directory /tmp"
StrictModes no
PrintMotd no
PrintLastLog no
X11Forwarding no
UseDNS no
MaxSessions ${SSHD_MAX_SESSIONS:-10}
MaxStartups ${SSHD_MAX_STARTUPS:-10:30:100}
Subsystem sftp internal-sftp
SetEnv $TAG
LogLevel VERBOSE
EOF
  if [ -n "${SSHD_EXTRA_CONFIG:-}" ]; then printf '%s\n' "$SSHD_EXTRA_CONFIG" >> "$CFG.tmp"; fi
  mv -f "$CFG.tmp" "$CFG"
}

write_known_hosts() {
  local port=$1 hk names
  hk=$(cut -d' ' -f1,2 "$HOSTKEY.pub")
  if [ "$port" = 22 ]; then names="$LISTEN"; else names="[$LISTEN]:$port"; fi  # known_hosts syntax
  if [ "$LISTEN" = 127.0.0.1 ]; then
    if [ "$port" = 22 ]; then names="$names,localhost"; else names="$names,[localhost]:$port"; fi
  fi
  printf '%s %s\n' "$names" "$hk" > "$KNOWN.tmp" && mv -f "$KNOWN.tmp" "$KNOWN"
}

start_once() { # start_once PORT -> 0 started (prints pid), 1 port in use, 2 other failure
  local port=$1 pid off err ticks
  write_config "$port"
  if ! err=$("$SSHD_BIN" -t -f "$CFG" 2>&1); then
    log "sshd -t rejected $CFG: $err"; return 2
  fi
  touch "$LOGFILE"
  off=$(( $(stat -c %s "$LOGFILE") + 1 ))
  # -D: stay in the foreground of this background job, so $! is sshd itself and an early exit
  #     (port in use) is seen. sshd's daemon mode forks before binding and always exits 0.
  # -E: log to a file. (-e with LogLevel DEBUG leaks session debug lines into the sessions' stderr.)
  # setsid + </dev/null >/dev/null: detach from the caller's session and pipes; a caller that
  #     reads our stdout to EOF (Go's exec.Cmd.Output) would otherwise wait for sshd to exit.
  #     9>&-: do not let sshd inherit the flock on $DIR/.lock (it would hold it forever).
  setsid "$SSHD_BIN" -D -E "$LOGFILE" -f "$CFG" </dev/null >/dev/null 2>&1 9>&- &
  pid=$!
  ticks=$(( ${SSHD_START_TIMEOUT:-10} * 20 ))
  for _ in $(seq 1 "$ticks"); do
    # the pid file is written after the listen socket is bound
    if [ -s "$PIDFILE" ]; then
      local fpid; fpid=$(tr -dc 0-9 < "$PIDFILE")
      # normally fpid = $!; differs only if setsid had to fork (caller made us a group leader)
      if { [ "$fpid" = "$pid" ] && is_live "$pid"; } || pid_is_ours "$fpid"; then
        printf '%s %s\n' "$fpid" "$(stat_fields "$fpid" | cut -d' ' -f3)" > "$PIDINFO"
        echo "$fpid"
        return 0
      fi
    fi
    if ! is_live "$pid"; then
      wait "$pid" 2>/dev/null || true
      if tail -c +"$off" "$LOGFILE" | grep -q 'Address already in use'; then return 1; fi
      log "sshd exited during start-up: $(tail -c +"$off" "$LOGFILE" | tail -n 5 | tr '\n' ' ')"
      return 2
    fi
    sleep 0.05
  done
  log "sshd (pid $pid) wrote no pid file within ${SSHD_START_TIMEOUT:-10} s; killing it"
  kill -TERM "$pid" 2>/dev/null || true
  return 2
}

case $REQ_PORT in 0|auto) auto=1 ;; *[!0-9]*|'') die "bad SSHD_PORT: $REQ_PORT" ;; *) auto=0 ;; esac
pid=
for _ in 1 2 3 4 5 6 7 8 9 10; do
  if [ $auto = 1 ]; then port=$(pick_port) || die "no free port found"; else port=$REQ_PORT; fi
  rc=0; pid=$(start_once "$port") || rc=$?
  [ $rc = 0 ] && break
  if [ $rc = 1 ]; then
    [ $auto = 1 ] && { log "port $port taken, retrying"; continue; }
    die "$LISTEN:$port is already in use (another sshd-up instance? use SSHD_PORT=0 for a free port)"
  fi
  die "sshd failed to start; see $LOGFILE"
done
[ -n "$pid" ] || die "could not start sshd"
write_known_hosts "$port"

# 6. prove a key login works (catches locked accounts, AllowUsers, key trouble early).
#    curve25519 kex: the client's default sntrup761 hybrid costs ~80 ms more here.
if [ "${SSHD_VERIFY:-1}" = 1 ] && command -v ssh >/dev/null; then
  if ! out=$(ssh -F /dev/null -i "$CKEY" -p "$port" -o BatchMode=yes -o IdentitiesOnly=yes \
      -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$KNOWN" -o ConnectTimeout=5 \
      -o KexAlgorithms=curve25519-sha256 \
      -o LogLevel=ERROR "$USER_NAME@$LISTEN" true 2>&1 </dev/null 9>&-); then
    log "login check failed: $out"
    log "sshd log tail: $(tail -n 5 "$LOGFILE" | tr '\n' ' ')"
    kill -TERM "$pid" 2>/dev/null || true
    rm -f "$PIDFILE" "$PIDINFO"
    die "sshd started but key login as $USER_NAME failed"
  fi
fi

log "sshd pid $pid listening on $LHOST:$port (user $USER_NAME, state $DIR)"
print_env "$pid"
