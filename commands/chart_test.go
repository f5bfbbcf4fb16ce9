package commands

import (
	"errors"
	"strings"
	"testing"
)

// --chart on status and history: the exact spelling only, anywhere after
// the command, once, without a value (D26).
func TestParse_D26_Chart(t *testing.T) {
	cases := []struct {
		text    string
		want    Command
		flag    string // of the refusal
		refusal string // part of the refusal; "" = accepted
	}{
		{text: "status --chart", want: Command{Name: CmdStatus, Chart: true}},
		{text: "status reboot-redhat8.10-both --chart", want: Command{Name: CmdStatus, Target: "reboot-redhat8.10-both", Chart: true}},
		{text: "/atvm status --chart reboot-redhat8.10-both", want: Command{Name: CmdStatus, Target: "reboot-redhat8.10-both", Chart: true}},
		{text: "status reboot-redhat8.10-both", want: Command{Name: CmdStatus, Target: "reboot-redhat8.10-both"}},
		{text: "history atvm71-redhat9.1 --chart", want: Command{Name: CmdHistory, Machine: "atvm71-redhat9.1", Last: HistoryDefaultLast, Chart: true}},
		{text: "history --chart atvm71-redhat9.1 --last 30 --template cmc-e2e",
			want: Command{Name: CmdHistory, Machine: "atvm71-redhat9.1", Last: 30, Template: "cmc-e2e", Chart: true}},
		{text: "history atvm71-redhat9.1", want: Command{Name: CmdHistory, Machine: "atvm71-redhat9.1", Last: HistoryDefaultLast}},

		{text: "status --chrt", flag: "--chrt", refusal: "did you mean `--chart`"},
		{text: "status b --Chart", flag: "--Chart", refusal: "did you mean `--chart`"},
		{text: "status b -chart", flag: "-chart", refusal: "did you mean `--chart`"},
		{text: "status b --charts", flag: "--charts", refusal: "did you mean `--chart`"},
		{text: "status b --chart=yes", flag: "--chart", refusal: "takes no value"},
		{text: "status b --chart --chart", flag: "--chart", refusal: "given twice"},
		{text: "status b --png", flag: "--png", refusal: "unknown option"},
		{text: "status b \u2014chart", flag: "--chart", refusal: "type `--chart`"},
		{text: "status a b --chart", flag: "status", refusal: "second word"},
		{text: "status a;b --chart", flag: "status", refusal: "not a build name"},
		{text: "history atvm71-redhat9.1 --chrt", flag: "--chrt", refusal: "did you mean `--chart`"},
		{text: "history atvm71-redhat9.1 --CHART", flag: "--CHART", refusal: "did you mean `--chart`"},
		{text: "history atvm71-redhat9.1 --chart=1", flag: "--chart", refusal: "takes no value"},
		{text: "history atvm71-redhat9.1 --chart --chart", flag: "--chart", refusal: "given twice"},
		{text: "watch b --chart", flag: "--chart", refusal: "unknown option `--chart` for watch"},

		// status --controller NAME: whose run the details are of.
		{text: "status --controller lab2", want: Command{Name: CmdStatus, Controller: "lab2"}},
		{text: "status --controller=lab2 --chart", want: Command{Name: CmdStatus, Controller: "lab2", Chart: true}},
		{text: "status b --controller a", want: Command{Name: CmdStatus, Target: "b", Controller: "a"}},
		{text: "status --controller", flag: "--controller", refusal: "needs a controller name"},
		{text: "status --controller --chart", flag: "--controller", refusal: "needs a controller name"},
		{text: "status --controller Lab2", flag: "--controller", refusal: "controller name"},
		{text: "status --controller 'a;b'", flag: "--controller", refusal: "controller name"},
		{text: "status --controller a --controller b", flag: "--controller", refusal: "given twice"},
		{text: "status --Controller a", flag: "--Controller", refusal: "did you mean `--controller`"},
		{text: "status b --png", flag: "--png", refusal: "--controller"},

		// watch, queue and runs --controller NAME: ask one controller.
		{text: "watch b --controller lab2", want: Command{Name: CmdWatch, Target: "b", Controller: "lab2"}},
		{text: "watch --controller=lab2 b", want: Command{Name: CmdWatch, Target: "b", Controller: "lab2"}},
		{text: "watch --controller lab2", flag: "watch", refusal: "needs a build name"},
		{text: "watch b c", flag: "watch", refusal: "one build name"},
		{text: "watch b --controller", flag: "--controller", refusal: "needs a controller name"},
		{text: "watch b --Controller a", flag: "--Controller", refusal: "did you mean `--controller`"},
		{text: "queue --controller a", want: Command{Name: CmdQueue, Controller: "a"}},
		{text: "runs --controller=a", want: Command{Name: CmdRuns, Controller: "a"}},
		{text: "runs now", flag: "runs", refusal: "takes no arguments"},
		{text: "queue --controller 'a;b'", flag: "--controller", refusal: "controller name"},
		{text: "queue --controller a --controller b", flag: "--controller", refusal: "given twice"},
		{text: "runs --chart", flag: "--chart", refusal: "unknown option `--chart` for runs"},
		{text: "rerun b --all --controller lab2", want: Command{Name: CmdRerun, Target: "b", Rerun: RerunAll, Controller: "lab2"}},
		{text: "rerun b --controler lab2", flag: "--controler", refusal: "unknown option"},
		{text: "rerun b --Controller=lab2", flag: "option", refusal: "did you mean `--controller`"},
		{text: "unwatch b --controller lab2", want: Command{Name: CmdUnwatch, Target: "b", Controller: "lab2"}},
		{text: "unwatch --controller lab2", flag: "unwatch", refusal: "needs a build name"},
		{text: "cancel b --yes --controller lab2", want: Command{Name: CmdCancel, Target: "b", Yes: true, Controller: "lab2"}},
		{text: "cancel --controller=lab2", want: Command{Name: CmdCancel, Controller: "lab2"}},
		{text: "cancel b --yes --controller", flag: "--controller", refusal: "needs a controller name"},
		{text: "cancel b --Controller a", flag: "--Controller", refusal: "did you mean `--controller`"},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			got, err := Parse(c.text)
			if c.refusal == "" {
				if err != nil {
					t.Fatal(err)
				}
				if d := diff(c.want, got); d != "" {
					t.Errorf("differs:\n%s", d)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %+v, %v; want a refusal", got, err)
			}
			if e.Flag != c.flag || !strings.Contains(e.Msg, c.refusal) {
				t.Errorf("flag %q msg %q; want flag %q and %q", e.Flag, e.Msg, c.flag, c.refusal)
			}
		})
	}
}
