package main

import (
	"context"
	"time"

	"github.com/atvm/atvmbot/results"
	"github.com/atvm/atvmbot/storage"
)

// demoEarlierBuild is the run of cmc-e2e the demo's history already holds.
const demoEarlierBuild = "e2e-demo-yesterday"

// seedHistory records one earlier run of the demo's template, a day before
// now, so the demo's run is a template's second run and its posts show
// what the history adds (D28): the host failing the same step again is
// KNOWN since that run, the host that failed then and passes now is FIXED.
// The banner says this run was recorded, not played.
func seedHistory(ctx context.Context, db *storage.DB, now time.Time) error {
	at := now.Add(-24 * time.Hour)
	const md5Step = "10. Verify data for cmotion"
	const md5Err = "md5sum: WARNING: 1 computed checksum did NOT match"
	const crashStep = "7. Verify migration session"
	const crashErr = "migration session crashed"
	rows := []storage.HistoryRow{
		{Host: "atvm71-redhat9.1", Subrun: demoEarlierBuild + "-redhat", Status: results.HostFail,
			StepNum: results.StepNumber(md5Step), StepTitle: md5Step, Signature: results.Signature(md5Step, md5Err), Error: md5Err},
		{Host: "atvm88-redhat8.10", Subrun: demoEarlierBuild + "-redhat", Status: results.HostFail,
			StepNum: results.StepNumber(crashStep), StepTitle: crashStep, Signature: results.Signature(crashStep, crashErr), Error: crashErr},
		{Host: "atvm5-ubuntu22.04", Subrun: demoEarlierBuild + "-ubuntu", Status: results.HostPass},
		{Host: "atvm121-ubuntu24.04", Subrun: demoEarlierBuild + "-ubuntu", Status: results.HostPass},
		{Host: "atvm201-w2k22", Subrun: demoEarlierBuild + "-windows", Status: results.HostPass},
	}
	for i := range rows {
		r := &rows[i]
		r.Build, r.Template, r.Plugin, r.RunStarted = demoEarlierBuild, "cmc-e2e", "iscsi", at
		r.HostStarted, r.HostEnded = at, at.Add(20*time.Minute)
	}
	return db.RecordHistory(ctx, "r-demo-yesterday", rows, time.Time{})
}
