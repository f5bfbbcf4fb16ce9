package storage

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// A file of schema 5 keeps its plans and runs across migration 6: its
// plans name no controller (the only one), and a plan made after names
// its own.
func TestMigration6_C21_PlansCarryTheirController(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	db := open(t, path)
	// As a file of schema 5 was: plans without a controller column.
	if _, err := db.sql.ExecContext(ctx, `ALTER TABLE plans DROP COLUMN controller; PRAGMA user_version = 5`); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC)
	if _, err := db.sql.ExecContext(ctx, `INSERT INTO plans(id, hash, channel_id, template, build, plan_json, created_by, created_at, expires_at, created_by_id)
		VALUES ('p-old', 'h-old', 'c', 'cmc-e2e', 'b-old', '{"id":"p-old"}', 'alice', ?, ?, 'u1')`, ts(now), ts(now.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	old := Run{ID: "r-old", PlanID: "p-old", Build: "b-old", Controller: "ctl.example.com:22", Template: "cmc-e2e", State: StateApproved, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateRunLocked(ctx, old, "alice"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = open(t, path)
	if v, _ := db.SchemaVersion(ctx); v != len(migrations) {
		t.Fatalf("schema version %d, want %d", v, len(migrations))
	}
	p, err := db.GetPlan(ctx, "p-old")
	if err != nil || p.Controller != "" || p.PlanJSON != `{"id":"p-old"}` || p.CreatedByID != "u1" || p.State != PlanOpen {
		t.Fatalf("old plan after migration: %+v %v", p, err)
	}
	r, err := db.GetRun(ctx, "r-old")
	if err != nil || r.Controller != "ctl.example.com:22" {
		t.Fatalf("old run after migration: %+v %v", r, err)
	}
	if id, _, _, ok, err := db.Lock(ctx, "ctl.example.com:22"); err != nil || !ok || id != "r-old" {
		t.Fatalf("lock after migration: %q %v %v", id, ok, err)
	}

	fresh := Plan{ID: "p-new", Hash: "h-new", ChannelID: "c2", Template: "cmc-e2e", Build: "b-new", PlanJSON: "{}",
		CreatedBy: "bob", CreatedAt: now, ExpiresAt: now.Add(time.Hour), Controller: "lab2"}
	if _, err := db.InsertPlan(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetPlan(ctx, "p-new")
	if err != nil || got.Controller != "lab2" {
		t.Fatalf("new plan: %+v %v", got, err)
	}
	openPlans, err := db.OpenPlans(ctx, "c2")
	if err != nil || len(openPlans) != 1 || openPlans[0].Controller != "lab2" {
		t.Fatalf("open plans: %+v %v", openPlans, err)
	}
}

func TestPlans_C21_NewerPlanSupersedesOnlyItsControllers(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	for _, tc := range []struct {
		name       string
		older      []Plan // inserted in order, all open before the new one
		new        Plan
		superseded []string
	}{
		{"same controller", []Plan{{ID: "p-a1", Controller: "a"}}, Plan{ID: "p-a2", Controller: "a"}, []string{"p-a1"}},
		{"other controller stays open", []Plan{{ID: "p-a1", Controller: "a"}}, Plan{ID: "p-b1", Controller: "b"}, nil},
		{"a plan from before names is every controller's", []Plan{{ID: "p-old"}}, Plan{ID: "p-b1", Controller: "b"}, []string{"p-old"}},
		{"a plan without a name supersedes all", []Plan{{ID: "p-a1", Controller: "a"}, {ID: "p-b1", Controller: "b"}}, Plan{ID: "p-new"}, []string{"p-a1", "p-b1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := open(t, filepath.Join(t.TempDir(), "s.db"))
			fill := func(p Plan) Plan {
				p.Hash, p.ChannelID, p.Template, p.Build, p.PlanJSON, p.CreatedBy = "h-"+p.ID, "c", "cmc-e2e", "b", "{}", "u"
				p.CreatedAt, p.ExpiresAt = now, now.Add(time.Hour)
				return p
			}
			for _, p := range tc.older {
				if _, err := db.InsertPlan(ctx, fill(p)); err != nil {
					t.Fatal(err)
				}
			}
			sup, err := db.InsertPlan(ctx, fill(tc.new))
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(sup)
			if strings.Join(sup, ",") != strings.Join(tc.superseded, ",") {
				t.Fatalf("superseded %v, want %v", sup, tc.superseded)
			}
			live, _ := db.OpenPlans(ctx, "c")
			if want := len(tc.older) - len(tc.superseded) + 1; len(live) != want {
				t.Fatalf("%d open plans, want %d", len(live), want)
			}
		})
	}
}
