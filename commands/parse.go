package commands

import (
	"fmt"
	"regexp"
	"strings"
)

// Command words.
const (
	CmdPlan      = "plan"
	CmdApprove   = "approve"
	CmdCancel    = "cancel"
	CmdStatus    = "status"
	CmdRuns      = "runs"
	CmdQueue     = "queue"
	CmdWatch     = "watch"
	CmdUnwatch   = "unwatch"
	CmdBlacklist = "blacklist"
	CmdHelp      = "help"
)

// CommandNames lists every command word, in help order.
var CommandNames = []string{CmdPlan, CmdApprove, CmdCancel, CmdStatus, CmdRuns, CmdQueue, CmdWatch, CmdUnwatch, CmdBlacklist, CmdSchedule, CmdHistory, CmdFlaky, CmdFailures, CmdRerun, CmdHelp}

// Blacklist actions.
const (
	BlacklistList   = "list"
	BlacklistAdd    = "add"
	BlacklistRemove = "remove"
)

// Command is one parsed chat command. Only the fields of its Name are set.
type Command struct {
	Name string `json:"name"`
	// Plan is the request of `plan`.
	Plan *PlanRequest `json:"plan,omitempty"`
	// Target is the plan ID of `approve`, the build or plan ID of `cancel`,
	// the build of `status`, `watch`, `unwatch` and `rerun`. Empty when not given.
	Target         string `json:"target,omitempty"`
	WithoutWatcher bool   `json:"without_watcher,omitempty"` // approve without watcher (P3)
	ConfirmBoth    bool   `json:"confirm_both,omitempty"`    // approve --confirm-both (P11)
	Yes            bool   `json:"yes,omitempty"`             // cancel --yes (D14)
	Action         string `json:"action,omitempty"`          // blacklist: list, add, remove
	Machine        string `json:"machine,omitempty"`         // blacklist add/remove, history
	Reason         string `json:"reason,omitempty"`          // blacklist add
	Topic          string `json:"topic,omitempty"`           // help
	Template       string `json:"template,omitempty"`        // history --template
	Last           int    `json:"last,omitempty"`            // history --last
	Days           int    `json:"days,omitempty"`            // flaky, failures --days
	Rerun          string `json:"rerun,omitempty"`           // rerun: failed, all, skip-known
	Chart          bool   `json:"chart,omitempty"`           // status, history --chart: a picture too
	Controller     string `json:"controller,omitempty"`      // status, watch, unwatch, cancel, queue, runs --controller
	// Schedule is the request of `schedule`.
	Schedule *ScheduleRequest `json:"schedule,omitempty"`
}

var rePlanID = regexp.MustCompile(`^p-[0-9a-f]{6}$`)

// IsPlanID reports whether s has the shape of a plan ID (p-7f3a2c).
func IsPlanID(s string) bool { return rePlanID.MatchString(strings.ToLower(s)) }

// Parse reads one command as typed after /atvm, in a mention, a DM, a
// thread reply or the console. A leading "/atvm" is tolerated. Empty text is
// `help`. Every refusal is an *Error whose message is meant for chat.
func Parse(text string) (Command, error) {
	if len(text) > maxRaw {
		return Command{}, &Error{Msg: fmt.Sprintf("the message is %d bytes; a command is at most %d", len(text), maxText)}
	}
	toks, terr := tokenize(strings.Trim(text, " \t\r\n"))
	if terr != nil {
		flag := ""
		if n := len(toks); n > 0 && looksLikeFlag(toks[n-1].text) {
			if f := planFlagIndex[toks[n-1].text]; f != nil {
				flag = f.name
			}
		}
		return Command{}, errorf(flag, "%v; close it or leave the quotes out", terr)
	}
	return parseTokens(toks, len(text))
}

// ParseArgs is Parse for words already split by a shell (the console and
// `atvmbot plan`): each word is one token, quotes in it are characters.
func ParseArgs(words []string) (Command, error) {
	size := 0
	toks := make([]token, len(words))
	for i, w := range words {
		size += len(w) + 1
		if size > maxRaw {
			return Command{}, &Error{Msg: fmt.Sprintf("the command is over %d bytes; a command is at most %d", maxRaw, maxText)}
		}
		toks[i] = token{text: w}
	}
	return parseTokens(toks, size)
}

func parseTokens(toks []token, size int) (Command, error) {
	if len(toks) > maxTokens {
		return Command{}, &Error{Msg: fmt.Sprintf("the command has %d words; at most %d", len(toks), maxTokens)}
	}
	if len(toks) > 0 && strings.EqualFold(toks[0].text, "/atvm") {
		toks = toks[1:]
	}
	if len(toks) == 0 {
		return Command{Name: CmdHelp}, nil
	}
	word := toks[0].text
	if d := badRune(word); d != "" {
		return Command{}, errorf("", "%s contains %s; commands are %s", show(word), d, strings.Join(CommandNames, ", "))
	}
	name := strings.ToLower(word)
	args := toks[1:]
	var (
		cmd Command
		err *Error
	)
	switch name {
	case CmdPlan:
		cmd, err = parsePlan(args)
	case CmdApprove:
		cmd, err = parseApprove(args)
	case CmdCancel:
		cmd, err = parseCancel(args)
	case CmdStatus:
		cmd, err = parseStatus(args)
	case CmdWatch, CmdUnwatch:
		cmd, err = parseBuildController(name, args)
	case CmdRerun:
		cmd, err = parseRerun(args)
	case CmdRuns, CmdQueue:
		cmd, err = parseControllerOnly(name, args)
	case CmdBlacklist:
		cmd, err = parseBlacklist(args)
	case CmdSchedule:
		cmd, err = parseSchedule(args)
	case CmdHistory:
		cmd, err = parseHistory(args)
	case CmdFlaky, CmdFailures:
		cmd, err = parseDays(name, args)
	case CmdHelp:
		cmd, err = parseHelp(args)
	default:
		if looksLikeFlag(word) {
			return Command{}, errorf("", "a command starts with its name, e.g. `/atvm plan cmc-e2e --containsVm redhat9.6`, not with %s; commands are %s", echo(word), strings.Join(CommandNames, ", "))
		}
		return Command{}, errorf("", "unknown command %s; commands are %s%s", show(word), strings.Join(CommandNames, ", "), didYouMean(name, CommandNames))
	}
	if err != nil {
		return Command{}, err
	}
	if size > maxText {
		return Command{}, &Error{Msg: fmt.Sprintf("the command is %d bytes; at most %d", size, maxText)}
	}
	return cmd, nil
}

// lookupFlag resolves an option word (without any "=value") among specs.
// Only the exact spellings in index are accepted: a variant (`--specifyvms`,
// `--SPECIFY_VMS`, `---specify_vms`) is refused with the spelling to type,
// never corrected silently, and unicode look-alikes the same way.
func lookupFlag(word string, index map[string]*flagSpec, folded map[string]string, names []string) (*flagSpec, *Error) {
	if d := badRune(word); d != "" {
		plain := "--" + strings.TrimLeft(foldLookalikes(word), "-")
		flag := plain
		if f := index[plain]; f != nil {
			flag = f.name
		} else if n, ok := folded[normFlag(plain)]; ok {
			flag = index[n].name
		} else if !rePlainOption.MatchString(plain) {
			return nil, errorf("option", "%s contains %s; options are typed in plain ASCII, e.g. `--containsVm`", show(word), d)
		}
		if strings.Contains(d, "dash") {
			return nil, errorf(flag, "%s uses %s; type `%s` with two ASCII hyphens", show(word), d, flag)
		}
		return nil, errorf(flag, "%s contains %s; type `%s`", show(word), d, flag)
	}
	if f := index[word]; f != nil {
		return f, nil
	}
	if n, ok := folded[normFlag(word)]; ok && strings.TrimLeft(word, "-") != "" {
		return nil, misspelt(word, n, CmdPlan)
	}
	return nil, unknownOption(word, "", names)
}

// misspelt refuses a variant spelling of a known option, naming the one to
// type. It is never taken as that option: what is approved is what was typed.
func misspelt(word, want, topic string) *Error {
	flag := word
	if !rePlainOption.MatchString(word) {
		flag = "option"
	}
	return errorf(flag, "unknown option %s; did you mean `%s`? Options are typed exactly as `/atvm help %s` spells them", show(word), want, topic)
}

var rePlainOption = regexp.MustCompile(`^-{1,3}[A-Za-z0-9_.-]{1,60}$`)

// unknownOption refuses an option nobody knows, naming it only when it is
// short and plain (a huge or odd word is shown through echo instead).
func unknownOption(word, where string, names []string) *Error {
	flag := word
	if !rePlainOption.MatchString(word) {
		flag = "option"
	}
	return errorf(flag, "unknown option %s%s%s", show(word), where, didYouMean(word, names))
}

var planFlagNames = func() []string {
	var n []string
	for _, f := range planFlags {
		n = append(n, f.name)
	}
	return n
}()

var templateWord = &flagSpec{name: "template", kind: kindTemplate}

func parsePlan(args []token) (Command, *Error) {
	req := &PlanRequest{}
	i := 0
	if i < len(args) && !looksLikeFlag(args[i].text) {
		v, err := templateWord.checkValue(args[i].text)
		if err != nil {
			return Command{}, err
		}
		req.Template = v[0]
		i++
	}
	var (
		last    *flagSpec // the option the following plain words belong to
		lastVal string    // its value as typed
	)
	for ; i < len(args); i++ {
		w := args[i].text
		if !looksLikeFlag(w) {
			if last != nil && last.isList() {
				// A list is one comma-separated value; it goes on over a
				// space only where a comma says so (`a, b` or `a ,b`).
				if !strings.HasSuffix(lastVal, ",") && !strings.HasPrefix(w, ",") {
					return Command{}, strayWords(last, lastVal, args[i:])
				}
				vals, err := last.checkValue(w)
				if err != nil {
					return Command{}, err
				}
				if err := req.set(last, vals); err != nil {
					return Command{}, err
				}
				lastVal += " " + w
				continue
			}
			if last == nil {
				if d := badRune(w); d != "" {
					return Command{}, errorf(templateWord.name, "%s after the template contains %s; options start with `--`", show(w), d)
				}
				return Command{}, errorf(templateWord.name, "unexpected word %s after the template; options start with `--`, e.g. `--containsVm redhat9.6`", echo(w))
			}
			return Command{}, errorf(last.name, "unexpected word %s after it; it takes %s. Options start with `--`", echo(w), takes(last))
		}
		name, value, hasValue := strings.Cut(w, "=")
		f, err := lookupFlag(name, planFlagIndex, planFlagFolded, planFlagNames)
		if err != nil {
			return Command{}, err
		}
		last = f
		if f.kind == kindSwitch {
			if hasValue {
				return Command{}, errorf(f.name, "takes no value (got %s)", echo(value))
			}
			if err := req.set(f, nil); err != nil {
				return Command{}, err
			}
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return Command{}, errorf(f.name, "needs a value. %s", f.allowed())
			}
			if looksLikeFlag(args[i+1].text) && !args[i+1].quoted {
				return Command{}, errorf(f.name, "needs a value, but the next word %s is an option. %s", show(args[i+1].text), f.allowed())
			}
			i++
			value = args[i].text
		}
		vals, verr := f.checkValue(value)
		if verr != nil {
			return Command{}, verr
		}
		if err := req.set(f, vals); err != nil {
			return Command{}, err
		}
		lastVal = value
	}
	if req.Template == "" {
		return Command{}, errorf(templateWord.name, "`plan` needs a template first, e.g. `/atvm plan cmc-e2e --containsVm redhat9.6`")
	}
	if err := req.checkConflicts(); err != nil {
		return Command{}, err
	}
	return Command{Name: CmdPlan, Plan: req}, nil
}

// strayWords refuses the plain words after a list option's value: a list
// takes one comma-separated value, so `--specify_vms x plan cmc-e2e` never
// plans machines x, plan and cmc-e2e.
func strayWords(f *flagSpec, val string, rest []token) *Error {
	var words []string
	for _, t := range rest {
		if looksLikeFlag(t.text) {
			break
		}
		if len(words) == 3 {
			words = append(words, "…")
			break
		}
		words = append(words, show(t.text))
	}
	what := "word"
	if len(words) > 1 {
		what = "words"
	}
	typed := f.name + " " + val
	if len(val) > echoMax {
		typed = f.name + " " + val[:echoMax] + "…"
	}
	return errorf(f.name, "unexpected %s %s after `%s`; a list option takes one comma-separated value, without spaces between the items, e.g. `%s %s`",
		what, strings.Join(words, " "), typed, f.name, listExample(f))
}

// listExample is a two-item value of a list option.
func listExample(f *flagSpec) string {
	switch f.kind {
	case kindMachines:
		return "atvm71-redhat9.1,atvm5-ubuntu22.04"
	case kindIdents:
		return "vmware,hyperv"
	}
	return "redhat9.6,ubuntu24.04"
}

// exactly returns the candidate w is a variant spelling of (case, '-' and
// '_' aside), or "".
func exactly(w string, candidates []string) string {
	for _, c := range candidates {
		if normFlag(w) == normFlag(c) {
			return c
		}
	}
	return ""
}

// takes says in words what an option takes, for "unexpected word" messages.
func takes(f *flagSpec) string {
	if f.kind == kindSwitch {
		return "no value"
	}
	return "one value (" + f.allowed() + ")"
}
