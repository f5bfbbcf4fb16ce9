package simulator

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Test states as Mocha names them.
const (
	statePassed  = "passed"
	stateFailed  = "failed"
	statePending = "pending"
)

// testResult is one it() of a spec run.
type testResult struct {
	Step       *stepDef
	Title      string // "N. Title"
	State      string
	Start, End time.Time // zero for pending tests
	DurationMS int64
	Err        *testErr
}

type testErr struct {
	Name    string // CypressError, AssertionError
	Message string // without the name
	Stack   string // "Name: message\n    at …"
	Kind    string // exec, task or assert: what failed
	Command string // the exec command or task name
}

// hostRun is one machine's spec run, fully decided before it is played.
type hostRun struct {
	VM, Template, Spec, Build, Group string
	Env                              Env
	B                                HostBehavior
	Start, End                       time.Time // first test start, last test end
	Tests                            []testResult
	Passes, Failures, Pending        int
	DurationMS                       int64
	IP                               string
}

var atvmNumRE = regexp.MustCompile(`^atvm(\d+)-`)

// planHost decides a host's run: which steps pass, which fails, which are
// skipped after the failure (fail-fast), and when each runs. start is the
// first test's start.
func planHost(vm, tpl string, env Env, b HostBehavior, spec []byte, specPath, build, group string, start time.Time) *hostRun {
	tree, _ := templateTree(tpl)
	flow := evaluate(tree, env)
	h := &hostRun{VM: vm, Template: tpl, Spec: specPath, Build: build, Group: group, Env: env, B: b, Start: start}
	h.IP = "10.20.30." + strconv.Itoa(int(hashN(vm, 0)%200)+20)
	if m := atvmNumRE.FindStringSubmatch(vm); m != nil {
		if n, _ := strconv.Atoi(m[1]); n > 0 && n < 255 {
			h.IP = "10.20.30." + m[1]
		}
	}
	failAt := -1
	if b.Outcome == "fail" && len(flow) > 0 {
		failAt = len(flow) - 1
		for i, s := range flow {
			if s.N >= b.FailStep {
				failAt = i
				break
			}
		}
	}
	ran := len(flow)
	if failAt >= 0 {
		ran = failAt + 1
	}
	// Spread the duration over the steps that ran, with stable uneven weights.
	total := int64(math.Round(b.DurationS * 1000))
	weights, sum := make([]int64, ran), int64(0)
	for i := range weights {
		weights[i] = 20 + int64(hashN(vm, i)%80)
		sum += weights[i]
	}
	t := start
	var used int64
	for i, s := range flow {
		r := testResult{Step: s, Title: stepTitle(s), State: statePassed}
		switch {
		case i < ran:
			d := total * weights[i] / max(sum, 1)
			if i == ran-1 {
				d = total - used
			}
			used += d
			r.Start, r.DurationMS = t, d
			t = t.Add(time.Duration(d) * time.Millisecond)
			r.End = t
			if i == failAt {
				r.State = stateFailed
				r.Err = b.failure(vm, specPath, specLine(spec, r.Title))
				h.Failures++
			} else {
				h.Passes++
			}
		default:
			r.State = statePending
			h.Pending++
		}
		h.Tests = append(h.Tests, r)
	}
	h.End, h.DurationMS = t, total
	return h
}

// hashN is a stable pseudo-random number for (name, i).
func hashN(name string, i int) uint64 {
	sum := md5.Sum([]byte(name + "#" + strconv.Itoa(i)))
	return binary.BigEndian.Uint64(sum[:8])
}

// failure builds the Cypress error of a failing step.
func (b HostBehavior) failure(vm, spec string, line int) *testErr {
	e := &testErr{Name: b.ErrorType}
	switch {
	case b.ExecCmd != "":
		e.Name, e.Kind, e.Command = "CypressError", "exec", b.ExecCmd
		e.Message = "`cy.exec('" + b.ExecCmd + "')` failed because the command exited with a non-zero code.\n\n" +
			"Pass `{failOnNonZeroExit: false}` to ignore exit code failures.\n\n" +
			"Information about the failure:\nCode: 1\n"
		if b.ExecStderr != "" {
			e.Message += "\nStderr:\n" + b.ExecStderr + "\n"
		}
		e.Message += "\nhttps://on.cypress.io/exec"
	case b.TaskError != "":
		e.Name, e.Kind, e.Command = "CypressError", "task", nz(b.TaskName, "sshExec")
		e.Message = "`cy.task('" + nz(b.TaskName, "sshExec") + "')` failed with the following error:\n\n> " +
			b.TaskError + "\n\nhttps://on.cypress.io/api/task"
	case b.Error != "":
		e.Message, e.Kind = b.Error, "assert"
	default:
		e.Name, e.Kind = "AssertionError", "assert"
		e.Message = "Timed out retrying after 600000ms: expected 'unknown' to match /^10\\./"
	}
	e.Stack = e.Name + ": " + e.Message + "\n    at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./" + spec + ":" + strconv.Itoa(line) + ":11)"
	return e
}

// firstLine is the first line of a message.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// shortError is the one-line error a terse reporter keeps: the stderr or
// task error when there is one, else the first line.
func (e *testErr) shortError() string {
	for _, marker := range []string{"\nStderr:\n", "\n> "} {
		if i := strings.Index(e.Message, marker); i >= 0 {
			return firstLine(e.Message[i+len(marker):])
		}
	}
	return firstLine(e.Message)
}

// stepCommand is the command a step issues, for the transcripts: its log
// type, the command's name and its argument.
func (h *hostRun) stepCommand(r testResult) (typ, name, arg string) {
	t := strings.ToLower(r.Step.Title)
	switch {
	case r.Err != nil && r.Err.Kind == "exec":
		return "cy:command", "exec", r.Err.Command
	case r.Err != nil && r.Err.Kind == "task":
		return "cy:task", r.Err.Command, "root@" + h.IP
	case strings.HasPrefix(t, "verifying set up"):
		return "cy:task", "sshExec", "root@" + h.IP + " hostnamectl; uptime"
	case strings.Contains(t, "md5") || strings.HasPrefix(t, "verify diskname"):
		return "cy:command", "exec", mdCommand(r.Step)
	}
	return "cy:command", "atvmStep", fmt.Sprintf("%s step %d", h.VM, r.Step.N)
}

// eventMessage is a dict-shaped record's message for a step's command.
func (h *hostRun) eventMessage(r testResult) string {
	_, name, arg := h.stepCommand(r)
	if r.Err == nil {
		if name == "exec" {
			return "exec: " + arg + " exited 0"
		}
		return name + " " + arg
	}
	switch r.Err.Kind {
	case "exec":
		return "exec: " + arg + " exited 1: " + r.Err.shortError()
	case "task":
		return "task " + name + " failed: " + r.Err.shortError()
	}
	return r.Err.Name + ": " + r.Err.shortError()
}

func mdCommand(s *stepDef) string {
	body := stepBody(s)
	if i := strings.Index(body, "md5sum -c "); i >= 0 {
		rest := body[i:]
		if j := strings.IndexAny(rest, "\\\"`"); j >= 0 {
			rest = rest[:j]
		}
		return rest
	}
	return "md5sum -c"
}

// isoMS is JavaScript's toISOString: UTC, milliseconds, Z.
func isoMS(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
