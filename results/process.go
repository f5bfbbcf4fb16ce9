package results

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
)

// Process is one line of the controller's `ps -eo pid,ppid,stat,etimes,args`.
type Process struct {
	PID      int    `json:"pid"`
	PPID     int    `json:"ppid"`
	Stat     string `json:"stat"`
	ElapsedS int64  `json:"etimes"`
	Args     string `json:"args"`
}

// Defunct reports a zombie: exited, not yet reaped. It counts as gone (D3).
func (p Process) Defunct() bool {
	return strings.HasPrefix(p.Stat, "Z") || strings.HasSuffix(p.Args, "<defunct>")
}

// ParsePS reads `ps -eo pid,ppid,stat,etimes,args` output. The header line
// and lines that do not parse are skipped; args keep their inner spaces.
func ParsePS(data []byte) []Process {
	var out []Process
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		pid, err1 := strconv.Atoi(f[0])
		ppid, err2 := strconv.Atoi(f[1])
		et, err3 := strconv.ParseInt(f[3], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, Process{PID: pid, PPID: ppid, Stat: f[2], ElapsedS: et, Args: strings.Join(f[4:], " ")})
	}
	return out
}
