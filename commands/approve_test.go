package commands

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 30, 17, 20, 0, 0, time.UTC)

// stored plans text and returns the plan and its stored record.
func stored(t *testing.T, text string) (Plan, PlanRecord) {
	t.Helper()
	p := plan(t, text)
	return p, p.Record("town-square", "alice", t0)
}

func code(err error) string {
	var e *ApprovalError
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return "not an ApprovalError: " + err.Error()
	}
	return ""
}

func TestApprove_P1_ApproverApproves(t *testing.T) {
	p, rec := stored(t, "plan cmc-e2e --containsVm redhat9.6")
	for _, user := range []string{"lead", "@lead", "LEAD"} {
		a := Approval{User: user, Channel: "town-square", PlanID: p.ID, Hash: p.Hash}
		if err := CheckApproval(a, rec, t0.Add(time.Minute), testConfig()); err != nil {
			t.Errorf("approver %q refused: %v", user, err)
		}
	}
}

func TestApprove_P1_NotApproverRefused(t *testing.T) {
	_, rec := stored(t, "plan cmc-e2e --containsVm redhat9.6")
	err := CheckApproval(Approval{User: "u-alice", UserName: "alice"}, rec, t0, testConfig())
	if code(err) != RefuseNotApprover || !strings.Contains(err.Error(), "@alice") {
		t.Errorf("plan author who is no approver: %v", err)
	}
	if code(CheckApproval(Approval{}, rec, t0, testConfig())) != RefuseNotApprover {
		t.Errorf("an approval with no user was not refused")
	}
}

func TestApprove_P1_D14_EmptyApproversFailClosed(t *testing.T) {
	_, rec := stored(t, "plan cmc-e2e --containsVm redhat9.6")
	cfg := testConfig()
	cfg.Approvals.Approvers = nil
	err := CheckApproval(Approval{User: "lead"}, rec, t0, cfg)
	if code(err) != RefuseNoApprovers || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("empty approvers list: %v", err)
	}
	if IsApprover("lead", cfg) || IsApprover("", testConfig()) {
		t.Errorf("IsApprover is not fail-closed")
	}
}

func TestApprove_P2_ChangedPlanVoid(t *testing.T) {
	p, rec := stored(t, "plan cmc-e2e --containsVm redhat9.6")
	// The button carried the hash of what was shown; the stored plan is another.
	old := plan(t, "plan cmc-e2e --containsVm redhat9.6 --plugin fc")
	err := CheckApproval(Approval{User: "lead", Hash: old.Hash}, rec, t0, testConfig())
	if code(err) != RefuseChanged {
		t.Errorf("approval of an older display: %v", err)
	}
	// The blacklist changed after the plan was shown: what would run differs.
	cfg := testConfig()
	cfg.Blacklist = append(cfg.Blacklist, cfgEntry("atvm99-redhat9.6", "NEW"))
	err = CheckApproval(Approval{User: "lead", Hash: p.Hash}, rec, t0, cfg)
	if code(err) != RefuseChanged || !strings.Contains(err.Error(), "the new plan is p-") {
		t.Errorf("blacklist changed: %v", err)
	}
	// The config's default plugin changed.
	cfg = testConfig()
	e2e := cfg.Templates["cmc-e2e"]
	e2e.DefaultPlugin = "fc"
	cfg.Templates["cmc-e2e"] = e2e
	if err := CheckApproval(Approval{User: "lead"}, rec, t0, cfg); code(err) != RefuseChanged {
		t.Errorf("config changed: %v", err)
	}
	// A stored record whose hash does not match its request.
	bad := rec
	bad.Hash = strings.Repeat("0", 64)
	if err := CheckApproval(Approval{User: "lead"}, bad, t0, testConfig()); code(err) != RefuseChanged {
		t.Errorf("tampered record: %v", err)
	}
}

func TestApprove_P2_NowInvalidPlanVoid(t *testing.T) {
	_, rec := stored(t, "plan cmc-e2e --specify_vms atvm5-ubuntu22.04")
	cfg := testConfig()
	cfg.Blacklist = append(cfg.Blacklist, cfgEntry("atvm5-ubuntu22.04", "BROKEN DISK"))
	err := CheckApproval(Approval{User: "lead"}, rec, t0, cfg)
	if code(err) != RefuseNowInvalid || !strings.Contains(err.Error(), "BROKEN DISK") {
		t.Errorf("a named VM blacklisted after planning (P13): %v", err)
	}
}

func TestApprove_P2_ExpiredSupersededUsedVoid(t *testing.T) {
	p, rec := stored(t, "plan cmc-e2e --containsVm redhat9.6")
	a := Approval{User: "lead", PlanID: p.ID}
	cfg := testConfig()
	if err := CheckApproval(a, rec, t0.Add(30*time.Minute), cfg); err != nil {
		t.Errorf("at exactly the TTL: %v", err)
	}
	if err := CheckApproval(a, rec, t0.Add(31*time.Minute), cfg); code(err) != RefuseExpired {
		t.Errorf("after the default 30 min TTL: %v", err)
	}
	cfg.Approvals.PlanTTL = 5 * time.Minute
	if err := CheckApproval(a, rec, t0.Add(6*time.Minute), cfg); code(err) != RefuseExpired {
		t.Errorf("after a configured 5 min TTL: %v", err)
	}
	cfg.Approvals.PlanTTL = 0
	if err := CheckApproval(a, rec, t0.Add(29*time.Minute), cfg); err != nil {
		t.Errorf("unset TTL falls back to 30 min: %v", err)
	}
	sup := rec
	sup.Superseded = true
	if err := CheckApproval(a, sup, t0, testConfig()); code(err) != RefuseSuperseded {
		t.Errorf("superseded: %v", err)
	}
	used := rec
	used.Used = true
	if err := CheckApproval(a, used, t0, testConfig()); code(err) != RefuseUsed {
		t.Errorf("used twice: %v", err)
	}
	if err := CheckApproval(Approval{User: "lead", Channel: "other"}, rec, t0, testConfig()); code(err) != RefuseOtherChannel {
		t.Errorf("other channel: %v", err)
	}
	if err := CheckApproval(Approval{User: "lead", PlanID: "p-000000"}, rec, t0, testConfig()); code(err) != RefuseWrongPlan {
		t.Errorf("approval naming another plan: %v", err)
	}
}

func TestApprove_P3_WithoutWatcher(t *testing.T) {
	p := plan(t, "plan cmc-e2e --containsVm redhat9.6")
	for text, want := range map[string]bool{
		"approve":                              true,
		"approve " + p.ID:                      true,
		"approve without watcher":              false,
		"approve " + p.ID + " without watcher": false,
		"approve --no-watcher":                 false,
	} {
		cmd, err := Parse(text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		a := Approval{User: "lead", WithoutWatcher: cmd.WithoutWatcher}
		if got := a.Watcher(p); got != want {
			t.Errorf("%q: watcher %v, want %v", text, got, want)
		}
	}
	noWatch := plan(t, "plan cmc-e2e --containsVm redhat9.6 --no-watcher")
	if (Approval{}).Watcher(noWatch) {
		t.Errorf("a --no-watcher plan approved with `approve` was watched")
	}
}

func TestApprove_P11_RebootBothNeedsConfirm(t *testing.T) {
	p, rec := stored(t, "plan cmc-reboot --containsVm redhat8.10 --use_specified_plugin both")
	err := CheckApproval(Approval{User: "lead"}, rec, t0, testConfig())
	if code(err) != RefuseNeedsConfirm || !strings.Contains(err.Error(), "iSCSI") || !strings.Contains(err.Error(), "approve "+p.ID+" --confirm-both") {
		t.Errorf("unconfirmed both: %v", err)
	}
	cmd, _ := Parse("approve " + p.ID + " --confirm-both")
	if err := CheckApproval(Approval{User: "lead", PlanID: cmd.Target, ConfirmBoth: cmd.ConfirmBoth}, rec, t0, testConfig()); err != nil {
		t.Errorf("confirmed both: %v", err)
	}
	// The gate also holds if the stored flag was lost: it is rebuilt.
	rec.NeedsConfirmation = false
	if err := CheckApproval(Approval{User: "lead"}, rec, t0, testConfig()); code(err) != RefuseNeedsConfirm {
		t.Errorf("gate not rebuilt: %v", err)
	}
}

func TestPickPlan_P1_OnlyOpenPlanOrList(t *testing.T) {
	_, a := stored(t, "plan cmc-e2e --containsVm redhat9.6")
	_, b := stored(t, "plan cmc-reboot --containsVm redhat8.10")
	b.CreatedBy, b.CreatedAt = "bob", t0.Add(time.Minute)
	used := b
	used.ID, used.Used = "p-aaaaaa", true

	if got, err := PickPlan([]PlanRecord{a, used}, ""); err != nil || got.ID != a.ID {
		t.Errorf("only open plan: %v %v", got.ID, err)
	}
	_, err := PickPlan([]PlanRecord{a, b}, "")
	if code(err) != RefuseSeveralPlans || !strings.Contains(err.Error(), "approve "+a.ID) || !strings.Contains(err.Error(), "approve "+b.ID) {
		t.Errorf("several open plans: %v", err)
	}
	if strings.Index(err.Error(), b.ID) > strings.Index(err.Error(), a.ID) {
		t.Errorf("newest plan not listed first: %v", err)
	}
	if got, err := PickPlan([]PlanRecord{a, b}, strings.ToUpper(b.ID)); err != nil || got.ID != b.ID {
		t.Errorf("named plan: %v %v", got.ID, err)
	}
	if _, err := PickPlan([]PlanRecord{a}, "p-000000"); code(err) != RefuseUnknownPlanID {
		t.Errorf("unknown plan: %v", err)
	}
	if _, err := PickPlan(nil, ""); code(err) != RefuseNoOpenPlan {
		t.Errorf("no plan: %v", err)
	}
	if got, err := PickPlan([]PlanRecord{used}, used.ID); err != nil || got.ID != used.ID {
		t.Errorf("a named used plan is returned so that CheckApproval can say why: %v", err)
	}
}

func TestSupersedes_P2(t *testing.T) {
	_, old := stored(t, "plan cmc-e2e --containsVm redhat9.6")
	_, newer := stored(t, "plan cmc-e2e --containsVm redhat9.6 --plugin fc")
	newer.CreatedAt = t0.Add(time.Minute)
	if !Supersedes(newer, old) {
		t.Errorf("a new plan by the same person does not supersede the old one")
	}
	other := newer
	other.CreatedBy = "bob"
	if Supersedes(other, old) {
		t.Errorf("another person's plan for another build superseded it")
	}
	other.Build = old.Build
	if !Supersedes(other, old) {
		t.Errorf("a plan for the same build does not supersede it")
	}
	elsewhere := newer
	elsewhere.Channel = "dev"
	if Supersedes(elsewhere, old) || Supersedes(old, old) {
		t.Errorf("superseded across channels or by itself")
	}
}

func TestCancel_D14_RunningRunNeedsApproverAndYes(t *testing.T) {
	cfg := testConfig()
	if err := CheckCancelRun("lead", true, cfg); err != nil {
		t.Errorf("approver with --yes: %v", err)
	}
	if err := CheckCancelRun("lead", false, cfg); code(err) != RefuseNeedsYes || !strings.Contains(err.Error(), "--yes") {
		t.Errorf("approver without --yes: %v", err)
	}
	if err := CheckCancelRun("alice", true, cfg); code(err) != RefuseNotApprover {
		t.Errorf("non-approver: %v", err)
	}
	cfg.Approvals.Approvers = nil
	if err := CheckCancelRun("lead", true, cfg); code(err) != RefuseNoApprovers {
		t.Errorf("empty approvers: %v", err)
	}
	_, rec := stored(t, "plan cmc-e2e --containsVm redhat9.6")
	if err := CheckCancelPlan("@Alice", rec, testConfig()); err != nil {
		t.Errorf("author cancels own plan: %v", err)
	}
	if err := CheckCancelPlan("ops", rec, testConfig()); err != nil {
		t.Errorf("approver cancels a plan: %v", err)
	}
	if err := CheckCancelPlan("bob", rec, testConfig()); err == nil {
		t.Errorf("a stranger cancelled a plan")
	}
}

func TestApprove_P2_StoredRecordRoundTrip(t *testing.T) {
	for _, text := range []string{
		"plan cmc-e2e --containsVm redhat9.6",
		"plan cmc-migrateops-compute-migration --specify_vms atvm121-ubuntu24.04 --no-test-partition --test_install_only",
		"plan cmc-systemOS --randomize 3 --no-watcher --categorize --build b",
	} {
		_, rec := stored(t, text)
		js, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		var back PlanRecord
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		if err := CheckApproval(Approval{User: "lead"}, back, t0, testConfig()); err != nil {
			t.Errorf("%q: a record read back from JSON no longer matches its hash: %v", text, err)
		}
	}
}

func TestApprove_P1_LaunchesExactlyTheShownPlan(t *testing.T) {
	shown, rec := stored(t, "plan cmc-reboot --specify_vms atvm71-redhat9.1 --plugin fc --categorize")
	got, err := Approve(Approval{User: "lead", PlanID: shown.ID, Hash: shown.Hash, WithoutWatcher: true}, rec, t0, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	if diff(shown.TemplateArgv, got.TemplateArgv) != "" || diff(shown.RunnerArgv, got.RunnerArgv) != "" || got.Hash != shown.Hash {
		t.Errorf("approved plan differs from the shown one:\n%s\n%s", shown.TemplateCommand, got.TemplateCommand)
	}
	if _, err := Approve(Approval{User: "nobody"}, rec, t0, testConfig()); err == nil {
		t.Errorf("Approve let a non-approver through")
	}
}
