package results

import (
	"errors"
	"time"
)

// ParseReporterJSON reads one per-host reporter JSON file.
func ParseReporterJSON(path string, mtime time.Time, data []byte) (Evidence, error) {
	return Evidence{}, errors.New("reporter-json: not implemented yet")
}

// ParseReporterTXT reads one per-host reporter TXT file.
func ParseReporterTXT(path string, mtime time.Time, data []byte) (Evidence, error) {
	return Evidence{}, errors.New("reporter-txt: not implemented yet")
}

// ReporterStamp extracts the run timestamp from a reporter file name such as
// atvm9-debian12.5-2026-05-11T14-02-07-118Z.json (host, time, ok).
func ReporterStamp(name string) (host string, at time.Time, ok bool) {
	return "", time.Time{}, false
}
