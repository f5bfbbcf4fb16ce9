package formats

import (
	"fmt"
	"strings"
)

// cypress-cloud 1.13's own lines in the runner log (docs/formats.md a.1;
// lib/run.ts, log.ts), as its functions print them: checked against the
// log cypress-cloud 1.13.1 wrote (results/testdata/real). An invocation is
// CloudHeader, then per batch CloudDivider, CloudRunning, Cypress's output
// and CloudReporting, then CloudDivider and CloudFinished.

// CloudHeader opens an invocation: the config file (a file:// URL in
// cypress-cloud 1.13), the spec count, the batch size and the run URL.
func CloudHeader(configFile string, specs, batchSize int, runURL string) string {
	return fmt.Sprintf("Using config file: '%s'\nDiscovered %d spec files\n"+
		"Tags: false; Group: false; Parallel: false; Batch Size: %d\n"+
		"Connecting to cloud orchestration service...\n🎥 Run URL: %s\n", configFile, specs, max(batchSize, 1), runURL)
}

// CloudDivider is divider(): a line of 100 "=" between blank lines.
const CloudDivider = "\n" + "====================================================================================================" + "\n"

// CloudRunning names a batch's specs and how many of total are claimed.
func CloudRunning(specs []string, claimed, total int) string {
	return fmt.Sprintf("\nRunning: %s (%d/%d)\n", strings.Join(specs, ", "), claimed, total)
}

// CloudReporting follows each batch's Cypress output.
const CloudReporting = "\n  Reporting results and artifacts in background...  \n\n"

// CloudFinished closes an invocation: the title, the summary table
// (SummaryTable's text) and the 🏁 line with the run URL.
func CloudFinished(table, runURL string) string {
	return "\n\n  Cloud Run Finished  \n\n" + table + "\n\n🏁 Recorded Run: " + runURL + "\n"
}
