package controller

// discoverScript: $1 ATVM root, $2 "live" or "all", $3 template script
// name, $4 runner script name, $5 tmp dir, $6 shell history file ("~/"
// is the login's home), $7 JUnit dir, $8 reporter dir.
//
// One round trip. The process table comes with, for every process that may
// be part of a run, its /proc start time (D16), its process group leader's
// start time, its working directory and where its stdout goes: a run
// belongs to this controller's ATVM tree only when its cwd is that tree.
// With "all" it adds the runner logs of the tmp dir (newest first, with
// their launch log, exit-code file and the log's `Extracted specPattern:`
// line), the history lines naming either script (with bash's `#epoch`
// stamp when there is one), and the newest artifact times.
const discoverScript = `root=$1; mode=$2; tpl=$3; rnr=$4; tmp=$5; hist=$6; jd=$7; rd=$8
tab=$(printf '\t')
rroot=$(cd -- "$root" 2>/dev/null && pwd -P) || rroot=$root
echo @@clock; date +%s.%N
echo @@uptime; cat /proc/uptime 2>/dev/null
echo @@hz; getconf CLK_TCK 2>/dev/null || echo 100
echo @@root; printf '%s\n' "$rroot"
pst=$(ps -ww -eo pid=,ppid=,pgid=,stat=,etimes=,args=)
echo @@ps; printf '%s\n' "$pst"
echo @@procs
printf '%s\n' "$pst" | while read -r pid ppid pgid st et args; do
  case $args in *"$tpl"*|*"$rnr"*|*cypress*) ;; *) continue ;; esac
  cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null)
  out=$(readlink "/proc/$pid/fd/1" 2>/dev/null)
  s=$(cat "/proc/$pid/stat" 2>/dev/null); s=${s##*") "}; set -- $s; ps1=${20}
  g=$(cat "/proc/$pgid/stat" 2>/dev/null); g=${g##*") "}; set -- $g; gs1=${20}
  printf 'proc\t%s\t%s\t%s\t%s\t%s\n' "$pid" "$ps1" "$gs1" "$cwd" "$out"
done
[ "$mode" = all ] || exit 0
echo @@logs
find "$tmp" -maxdepth 1 -type f -name '*.log' ! -name '*.launch.log' -printf '%T@\t%s\t%p\n' 2>/dev/null | sort -rn | head -n 40 |
while IFS=$tab read -r mt size f; do
  b=${f%.log}
  bt=$(stat -c %W -- "$f" 2>/dev/null)
  lm=$(find "$b.launch.log" -maxdepth 0 -printf '%T@' 2>/dev/null)
  ex=$(head -c 16 -- "$b.exit" 2>/dev/null | tr -dc '0-9-')
  sp=$(head -c 262144 -- "$f" 2>/dev/null | grep -a -m1 'Extracted specPattern:' | head -c 65536 | tr -d '\t\r')
  printf 'log\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$f" "$mt" "$size" "$bt" "$lm" "$ex" "$sp"
done
echo @@history
case $hist in "~/"*) hist=$HOME/${hist#"~/"} ;; esac
printf 'file\t%s\n' "$hist"
if [ -r "$hist" ]; then
  tail -n 20000 -- "$hist" | awk -v t="$tpl" -v r="$rnr" '/^#[0-9]+$/ {ts=substr($0,2); next} index($0,t) || index($0,r) {print "h\t" NR "\t" ts "\t" $0} {ts=""}'
fi
echo @@artifacts
printf 'junit\t%s\n' "$(find "$jd" -maxdepth 1 -type f -name 'test-result-*.xml' -printf '%T@\n' 2>/dev/null | sort -rn | head -n 1)"
printf 'reporter\t%s\n' "$(find "$rd" -type f -printf '%T@\n' 2>/dev/null | sort -rn | head -n 1)"
exit 0
`
