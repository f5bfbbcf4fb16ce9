package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestE2E_Summary prints the suite's figures and the closing line. It is
// declared in the last file, so it runs after the others.
func TestE2E_Summary(t *testing.T) {
	figures.mu.Lock()
	defer figures.mu.Unlock()
	passed, failed, skipped := 0, 0, 0
	for _, r := range figures.results {
		switch {
		case strings.HasPrefix(r, "passed "):
			passed++
		case strings.HasPrefix(r, "failed "):
			failed++
		default:
			skipped++
		}
	}
	if passed+failed == 0 {
		t.Skip("no end-to-end test ran")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "e2e figures:\n")
	fmt.Fprintf(&b, "  keyed posts expected   %d\n", figures.postsExpected)
	fmt.Fprintf(&b, "  keyed posts seen       %d\n", figures.postsSeen)
	fmt.Fprintf(&b, "  duplicates             %d\n", figures.duplicates)
	fmt.Fprintf(&b, "  lost                   %d\n", figures.lost)
	fmt.Fprintf(&b, "  refusals               %d\n", figures.refusals)
	fmt.Fprintf(&b, "  valid/near-miss plans  %d\n", figures.accepted)
	fmt.Fprintf(&b, "  restarts               %d\n", figures.restarts)
	fmt.Fprintf(&b, "  mattermost down        %d s\n", figures.outageS)
	fmt.Fprintf(&b, "  ssh faults             %d\n", figures.sshFaults)
	if figures.hugeMB > 0 {
		fmt.Fprintf(&b, "  one-line transcript    %d MB, up to the file cap fetched in %s\n", figures.hugeMB, figures.hugeFetch.Round(10*time.Millisecond))
	}
	if figures.cancels > 0 {
		fmt.Fprintf(&b, "  cancels near a finish  %d (result posts after the reply: %d)\n", figures.cancels, figures.lateResults)
	}
	if figures.statusAnswers > 0 || figures.statusBusy > 0 {
		fmt.Fprintf(&b, "  concurrent status      %d answered, %d busy, p50 %s, p99 %s\n", figures.statusAnswers, figures.statusBusy,
			figures.statusP50.Round(time.Millisecond), figures.statusP99.Round(time.Millisecond))
	}
	for _, r := range figures.results {
		fmt.Fprintf(&b, "  %s\n", r)
	}
	fmt.Fprintf(&b, "%d passed, %d failed\n", passed, failed)
	// Straight to stderr (go test -v shows it unindented), and to a file
	// when ATVMBOT_E2E_FIGURES names one.
	fmt.Fprint(os.Stderr, b.String())
	if p := os.Getenv("ATVMBOT_E2E_FIGURES"); p != "" {
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	if figures.duplicates > 0 || figures.lost > 0 {
		t.Errorf("%d duplicate and %d lost posts", figures.duplicates, figures.lost)
	}
}
