package commands

import (
	"regexp"
	"strings"

	"github.com/robfig/cron/v3"
)

// CmdSchedule is `/atvm schedule …`: plans made on a cron schedule, each
// fire planned afresh and approved (by a person, or by a standing approval
// bound to the plan's hash).
const CmdSchedule = "schedule"

// Schedule actions.
const (
	ScheduleAdd     = "add"
	ScheduleList    = "list"
	ScheduleShow    = "show"
	SchedulePause   = "pause"
	ScheduleResume  = "resume"
	ScheduleRemove  = "remove"
	ScheduleApprove = "approve"
)

var scheduleActions = []string{ScheduleAdd, ScheduleList, ScheduleShow, SchedulePause, ScheduleResume, ScheduleRemove, ScheduleApprove}

// ScheduleRequest is a parsed `schedule` command.
type ScheduleRequest struct {
	Action string `json:"action"`
	ID     string `json:"id,omitempty"`    // s-xxxxxx (all but add and list)
	Spec   string `json:"spec,omitempty"`  // add: the cron spec as typed
	Words  string `json:"words,omitempty"` // add: the plan's words, planned afresh at each fire
}

// CronParser reads schedule specs: five fields (minute hour day month
// weekday) or a descriptor such as @daily or @every 1h.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

var reScheduleID = regexp.MustCompile(`^s-[0-9a-f]{6}$`)

// IsScheduleID reports whether s has the shape of a schedule id (s-1a2b3c).
func IsScheduleID(s string) bool { return reScheduleID.MatchString(s) }

const scheduleUsage = "usage: `/atvm schedule add \"SPEC\" TEMPLATE [options]` · `schedule list` · `schedule show|pause|resume|remove|approve ID`"

func parseSchedule(args []token) (Command, *Error) {
	if len(args) == 0 {
		return Command{Name: CmdSchedule, Schedule: &ScheduleRequest{Action: ScheduleList}}, nil
	}
	action := strings.ToLower(args[0].text)
	req := &ScheduleRequest{Action: action}
	switch action {
	case ScheduleList:
		if err := noArgs("schedule list", args[1:]); err != nil {
			return Command{}, err
		}
	case ScheduleAdd:
		if len(args) < 3 {
			return Command{}, errorf(CmdSchedule, "add needs a cron spec in quotes and the words of a plan; %s", scheduleUsage)
		}
		spec := strings.TrimSpace(args[1].text)
		if d := badRune(spec); d != "" || len(spec) > 100 {
			return Command{}, errorf(CmdSchedule, "the cron spec %s is not one; e.g. `\"0 2 * * 1-5\"` (02:00 on weekdays) or `@daily`", echo(spec))
		}
		if _, err := CronParser.Parse(spec); err != nil {
			return Command{}, errorf(CmdSchedule, "the cron spec %s is not one (%v); five fields, minute hour day month weekday, in quotes, e.g. `\"0 2 * * 1-5\"`, or `@daily`", echo(spec), err)
		}
		if strings.HasPrefix(strings.ToUpper(spec), "TZ=") || strings.HasPrefix(strings.ToUpper(spec), "CRON_TZ=") {
			return Command{}, errorf(CmdSchedule, "a spec runs in the operators' time zone; leave out %s", echo(strings.Fields(spec)[0]))
		}
		words := args[2:]
		if strings.EqualFold(words[0].text, CmdPlan) {
			words = words[1:]
		}
		if _, err := parsePlan(words); err != nil {
			return Command{}, err
		}
		req.Spec, req.Words = spec, joinWords(words)
	case ScheduleShow, SchedulePause, ScheduleResume, ScheduleRemove, ScheduleApprove:
		if len(args) != 2 || !IsScheduleID(strings.ToLower(args[1].text)) {
			return Command{}, errorf(CmdSchedule, "%s takes one schedule id such as `s-1a2b3c` (`schedule list` shows them)", action)
		}
		req.ID = strings.ToLower(args[1].text)
	default:
		return Command{}, errorf(CmdSchedule, "unknown action %s; %s%s", show(args[0].text), scheduleUsage, didYouMean(action, scheduleActions))
	}
	return Command{Name: CmdSchedule, Schedule: req}, nil
}

// joinWords writes words back as one text that tokenizes to the same
// words: a word with a space or a quote is quoted.
func joinWords(words []token) string {
	out := make([]string, len(words))
	for i, w := range words {
		switch {
		case w.text == "" || strings.ContainsAny(w.text, " \t\""):
			out[i] = "'" + w.text + "'"
		case strings.Contains(w.text, "'"):
			out[i] = `"` + w.text + `"`
		default:
			out[i] = w.text
		}
	}
	return strings.Join(out, " ")
}

// SchedulePlanText is the `/atvm plan …` text a schedule's words make.
func SchedulePlanText(words string) string { return CmdPlan + " " + words }
