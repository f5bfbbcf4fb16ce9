package storage

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// A fire is taken once: by one of two processes on one state file, and
// never again after a restart; the schedule is then checked until it.
func TestSchedule_W1_FireClaimedOnceAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	a, b := open(t, path), open(t, path)
	if err := a.AddSchedule(ctx, Schedule{ID: "s-1a2b3c", ChannelID: "ch", OwnerID: "u1", OwnerName: "alice", Spec: "@daily", Words: "cmc-e2e --containsVm redhat"}); err != nil {
		t.Fatal(err)
	}
	fire := time.Now().Add(time.Minute).Truncate(time.Minute)
	var wg sync.WaitGroup
	wins := make(chan bool, 20)
	for i := 0; i < 20; i++ {
		db := a
		if i%2 == 1 {
			db = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := db.ClaimFire(ctx, "s-1a2b3c", fire, FirePlanned, "")
			if err != nil {
				t.Error(err)
			}
			wins <- ok
		}()
	}
	wg.Wait()
	close(wins)
	n := 0
	for ok := range wins {
		if ok {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the fire was taken %d times, want once", n)
	}
	a.Close()
	c := open(t, path)
	if ok, _ := c.ClaimFire(ctx, "s-1a2b3c", fire, FirePlanned, ""); ok {
		t.Fatal("taken again after a restart")
	}
	s, err := c.GetSchedule(ctx, "s-1a2b3c")
	if err != nil || !s.CheckedUntil.Equal(fire) {
		t.Fatalf("checked until %s (%v), want %s", s.CheckedUntil, err, fire)
	}
	if err := c.SetFireOutcome(ctx, "s-1a2b3c", fire, FireSkipped, "busy"); err != nil {
		t.Fatal(err)
	}
	if f, err := c.LastFire(ctx, "s-1a2b3c"); err != nil || f.Outcome != FireSkipped || !f.FireAt.Equal(fire) {
		t.Fatalf("last fire %+v %v", f, err)
	}
}

func TestSchedule_P2_PauseResumeRemoveStanding(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	if err := db.AddSchedule(ctx, Schedule{ID: "s-000001", ChannelID: "ch", OwnerID: "u1", OwnerName: "alice", Spec: "@daily", Words: "w"}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
		want func(Schedule) bool
	}{
		{"pause", func() error { return db.SetSchedulePaused(ctx, "s-000001", true, time.Now()) }, func(s Schedule) bool { return s.Paused }},
		{"resume", func() error { return db.SetSchedulePaused(ctx, "s-000001", false, time.Now()) }, func(s Schedule) bool { return !s.Paused }},
		{"standing", func() error { return db.SetStandingApproval(ctx, "s-000001", "h1", "u2", "qa-lead") },
			func(s Schedule) bool {
				return s.StandingHash == "h1" && s.StandingBy == "qa-lead" && !s.StandingAt.IsZero()
			}},
		{"remove", func() error { return db.RemoveSchedule(ctx, "s-000001") }, func(s Schedule) bool { return s.Removed }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		s, err := db.GetSchedule(ctx, "s-000001")
		if err != nil || !st.want(s) {
			t.Fatalf("%s: %+v %v", st.name, s, err)
		}
	}
	if list, _ := db.Schedules(ctx); len(list) != 0 {
		t.Fatalf("a removed schedule is listed: %+v", list)
	}
	if err := db.SetSchedulePaused(ctx, "s-000001", true, time.Now()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("pausing a removed schedule: %v", err)
	}
}
