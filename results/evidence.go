package results

import "time"

// Evidence is what one artifact says about one machine.
type Evidence struct {
	Machine     string // e.g. atvm71-redhat9.1, taken from the content (R1), never only the file name
	Source      string // "junit", "mochawesome", "reporter-json", "reporter-txt"
	Path        string
	ModTime     time.Time
	Bookkeeping bool   // check-xml-files.ts XML: not a machine (R1)
	Complete    bool   // the artifact has its end (JUnit file parsed whole; reporter end / run:end / "=== finished"; mochawesome stats.end)
	Status      string // HostPass, HostFail, HostRunning or HostUnknown; PASS only when Complete and clean (D1)

	Tests, Passes, Failures, Pending int

	FailedStep         string // e.g. "38. Verify diskname2Reboot file is the same as ..."
	Error              string // short error (first meaningful line)
	Excerpt            string // a few trimmed lines for FAILURE NOTES, stack frames ("    at ...") dropped (S5)
	StartedAt, EndedAt *time.Time
	Build              string   // build / metadata.build (child build id in categorized runs), when present
	Spec               string   // spec path when present
	Notes              []string // real anomalies only (e.g. "truncated XML"), never bookkeeping
}

// Evidence sources.
const (
	SourceJUnit        = "junit"
	SourceMochawesome  = "mochawesome"
	SourceReporterJSON = "reporter-json"
	SourceReporterTXT  = "reporter-txt"
)
