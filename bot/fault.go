package bot

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// FaultEnv names the crash points a process kills itself at, for the crash
// tests: ATVMBOT_FAULT=point[@N][,point[@N]...] SIGKILLs the process the N-th
// time (default: the first) it reaches point. Unset, a point costs one load
// of a bool: production never pays for the hooks.
const FaultEnv = "ATVMBOT_FAULT"

// Fault points, in the order a post goes through them.
const (
	// FaultBeforeCreatePost: the key is reserved (pending) in storage, the
	// post not sent.
	FaultBeforeCreatePost = "before-create-post"
	// FaultAfterUpload: a post's files are uploaded, the post not created
	// (the uploads are on the server, attached to nothing).
	FaultAfterUpload = "after-upload"
	// FaultAfterCreatePost: the server returned the post, storage has not
	// recorded it (the key stays pending).
	FaultAfterCreatePost = "after-create-post"
	// FaultAfterCommitBeforePatch: a poll's status is committed, the root
	// progress post is not patched yet.
	FaultAfterCommitBeforePatch = "after-commit-before-patch"
	// FaultBeforeSupersede: a correction is posted and recorded, the post
	// it corrects not marked yet (W7).
	FaultBeforeSupersede = "before-supersede"
	// FaultLaunching: the run is recorded LAUNCHING, the runner not asked.
	FaultLaunching = "launching"
	// FaultScheduleClaimed: a schedule's fire is taken, its plan not made.
	FaultScheduleClaimed = "schedule-claimed"
	// FaultSchedulePlanned: the fire's plan is posted, its outcome not
	// recorded.
	FaultSchedulePlanned = "schedule-planned"
)

// FaultMarker starts the line a process writes to stderr just before it
// kills itself, so a test can tell a fault kill from any other death.
const FaultMarker = "atvmbot: fault point "

var (
	faultOn   bool
	faultMu   sync.Mutex
	faultAt   map[string]int // point → the hit that kills
	faultHits map[string]int
)

func init() {
	faultAt = parseFault(os.Getenv(FaultEnv))
	faultOn = len(faultAt) > 0
	faultHits = map[string]int{}
}

// parseFault reads "a@2,b": malformed entries are ignored (a test that
// expects a kill then notices that none happened).
func parseFault(spec string) map[string]int {
	out := map[string]int{}
	for _, f := range strings.Split(spec, ",") {
		name, nth, hasN := strings.Cut(strings.TrimSpace(f), "@")
		n := 1
		if hasN {
			v, err := strconv.Atoi(nth)
			if err != nil || v < 1 {
				continue
			}
			n = v
		}
		if name != "" {
			out[name] = n
		}
	}
	return out
}

// FaultPoint kills the process here when ATVMBOT_FAULT asks for it.
func FaultPoint(name string) {
	if !faultOn {
		return
	}
	faultHit(name)
}

func faultHit(name string) {
	faultMu.Lock()
	defer faultMu.Unlock()
	n, ok := faultAt[name]
	if !ok {
		return
	}
	faultHits[name]++
	if faultHits[name] != n {
		return
	}
	fmt.Fprintf(os.Stderr, "%s%s@%d reached: SIGKILL\n", FaultMarker, name, n)
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	for { // the signal is on its way; nothing after the point may run
		time.Sleep(time.Second)
	}
}
