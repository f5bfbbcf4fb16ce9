package controller

// Remote shell scripts. Each is run as `sh -c SCRIPT NAME ARGS...`: every
// value reaches the script as a quoted positional parameter, never spliced
// into its text. They are POSIX sh (dash on Debian) plus GNU find/ps.

// shStarttime prints field 22 of /proc/PID/stat (start time in clock ticks):
// with the pid it identifies a process across pid reuse. comm may hold
// spaces or ')', so cut after the last ") ".
const shStarttime = `starttime() { s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*") "}; set -- $s; echo "${20}"; }
pstate() { s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*") "}; set -- $s; echo "$1"; }
`

// preflightScript: $1 ATVM root, $2 config file, $3 runner pid file,
// $4 template pid file. Reads the controller clock first (D4).
const preflightScript = shStarttime + `date +%s.%N
echo @@root; if [ -d "$1" ]; then echo present; else echo missing; fi
echo @@config; if [ -f "$2" ]; then echo present; else echo missing; fi
for f in "$3" "$4"; do
  echo "@@pidfile"; echo "$f"
  p=; { read -r p _ < "$f"; } 2>/dev/null
  line=$(cat -- "$f" 2>/dev/null); echo "$line"
  case $p in ''|*[!0-9]*) echo ;; *) starttime "$p" || echo ;; esac
  case $p in ''|*[!0-9]*) echo ;; *) pstate "$p" || echo ;; esac
done
echo @@ps; ps -ww -eo pid,ppid,stat,etimes,args
echo @@cwd
for d in /proc/[0-9]*; do
  case $(tr '\0' ' ' < "$d/cmdline" 2>/dev/null) in
    *--build_name*|*--ci-build-id*) echo "${d#/proc/} $(readlink "$d/cwd" 2>/dev/null)" ;;
  esac
done
`

// templateScript: $1 ATVM root, $2 launch log, $3 template pid file, then
// the template argv. Runs it synchronously in its own process group (so a
// cancel can kill the group from another session), output to the launch log.
const templateScript = shStarttime + `cd -- "$1" || { echo "rc=125"; echo "@@tail"; echo "cannot cd to $1"; exit 0; }
log=$2; pidf=$3; shift 3
rm -f -- "$log"
setsid "$@" > "$log" 2>&1 < /dev/null &
pid=$!
echo "$pid $(starttime "$pid")" > "$pidf"
wait "$pid"; rc=$?
rm -f -- "$pidf"
echo "rc=$rc"
echo @@tail
tail -c 6000 -- "$log" 2>/dev/null
exit 0
`

// runnerScript: $1 ATVM root, $2 runner log, $3 exit-code file, $4 pid
// file, $5 "systemd" or "setsid", $6 unit name, then the runner argv.
// Stale files go before the start (D8); afterwards the live log is never
// touched. The runner gets its own session and process group, ignores
// SIGHUP and holds no pipe of ours, so it outlives the SSH connection and
// the bot; the wrapper writes the exit code beside the log (D16). Under
// systemd the unit's shell gets the log as $0 (its stdout), then the same
// "exit-file argv..." as the setsid wrapper.
const runnerScript = shStarttime + `cd -- "$1" || { echo "error=cannot cd to $1"; exit 0; }
log=$2; ex=$3; pidf=$4; mode=$5; unit=$6; shift 6
rm -f -- "$log" "$ex" "$ex.tmp" "$pidf"
wrap='ex=$1; shift; "$@"; rc=$?; echo "$rc" > "$ex.tmp" && mv -f -- "$ex.tmp" "$ex"'
if [ "$mode" = systemd ]; then
  systemd-run --unit="$unit" --collect --quiet --working-directory="$PWD" --setenv=PYTHONUNBUFFERED=1 \
    /bin/sh -c 'exec > "$0" 2>&1 < /dev/null; '"$wrap" "$log" "$ex" "$@" || { echo "error=systemd-run failed"; exit 0; }
  pid=$(systemctl show --property=MainPID --value "$unit")
else
  PYTHONUNBUFFERED=1 setsid nohup /bin/sh -c "$wrap" runner "$ex" "$@" > "$log" 2>&1 < /dev/null &
  pid=$!
fi
st=$(starttime "$pid")
echo "$pid $st" > "$pidf"
echo "pid=$pid"
echo "start=$st"
`

// inspectScript: $1 runner pid, $2 exit-code file, $3 runner log.
const inspectScript = `echo @@clock; date +%s.%N
echo @@stat; cat "/proc/$1/stat" 2>/dev/null; echo
echo @@exit; cat -- "$2" 2>/dev/null; echo
echo @@log; find "$3" -maxdepth 0 -printf '%s %T@\n' 2>/dev/null
echo @@ps; ps -ww -eo pid,ppid,stat,etimes,args
`

// stopScript: $1 pid (= process group), $2 its start time, $3 seconds to
// wait after TERM. Zombies count as gone. Run in its own session, so it
// works for root logins, where sshd ignores session signals.
const stopScript = shStarttime + `pid=$1; want=$2; wait=$3
case $pid in ''|*[!0-9]*|0|1) echo "result=badpid"; exit 0 ;; esac
st=$(starttime "$pid")
if [ -n "$st" ] && [ -n "$want" ] && [ "$st" != "$want" ]; then echo "result=notours"; exit 0; fi
alive() { ps -eo pgid=,stat= | awk -v g="$pid" '$1==g && $2 !~ /^Z/ {f=1} END {exit !f}'; }
if ! alive; then echo "result=gone"; exit 0; fi
kill -TERM "-$pid" 2>/dev/null
n=$(( wait * 10 )); i=0
while [ "$i" -lt "$n" ]; do
  alive || { echo "result=term"; exit 0; }
  sleep 0.1; i=$((i + 1))
done
kill -KILL "-$pid" 2>/dev/null
i=0
while [ "$i" -lt 50 ]; do
  alive || { echo "result=kill"; exit 0; }
  sleep 0.1; i=$((i + 1))
done
echo "result=alive"
`

// listScript: $1 since (epoch seconds), $2 JUnit dir, $3 JUnit name
// pattern, $4 mochawesome dir, $5 reporter dir, $6.. logs. Prints
// "@@clock" and the controller clock, then "dir-index TAB mtime TAB size TAB relative-path
// NUL" per file changed since $1 (paths relative to the searched dir keep
// the listing small; a log's relative path is empty).
const listScript = `since=$1; jd=$2; jn=$3; md=$4; rd=$5; shift 5
echo "@@clock $(date +%s.%N)"
find "$jd" -maxdepth 1 -type f -name "$jn" -newermt "@$since" -printf '0\t%T@\t%s\t%P\0' 2>/dev/null
find "$md" -maxdepth 1 -type f -name '*.html' -newermt "@$since" -printf '1\t%T@\t%s\t%P\0' 2>/dev/null
find "$rd" -type f \( -name '*.json' -o -name '*.txt' \) -newermt "@$since" -printf '2\t%T@\t%s\t%P\0' 2>/dev/null
i=3
for f in "$@"; do
  find "$f" -maxdepth 0 -type f -newermt "@$since" -printf "$i"'\t%T@\t%s\t\0' 2>/dev/null
  i=$((i + 1))
done
exit 0
`
