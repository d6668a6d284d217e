package apply_test

import (
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// kindChange is a bucket of two projects in group acme, applied, whose
// nest then makes it a group egg of acme under the same name: its project
// runner must give way to a group runner.
func kindChange(t *testing.T) (*env, *gitlabsim.Server, *gitlabsim.Runner) {
	e, sim, ps := bucketOfThree(t)
	e.converge()
	old := runners(sim, "fleet")[0]
	if len(old.Projects) != len(ps) {
		t.Fatalf("the bucket runner is on %d projects, want %d", len(old.Projects), len(ps))
	}
	var acme int64
	sim.View(func(w *gitlabsim.World) { acme = w.GroupByPath("acme").ID })
	e.nest(groupEgg("fleet", "gitlab.com", acme, hookBlock))
	sim.Update(func(w *gitlabsim.World) {
		w.GroupByPath("acme").AddMember(w.User("hatchery-bot"), gitlabsim.Owner)
	})
	return e, sim, old
}

// TestKindChangeReplacesRunner makes the group runner, then takes the old
// project runner off its projects and deletes it; the record names the new
// runner and the next plan is empty.
func TestKindChangeReplacesRunner(t *testing.T) {
	e, sim, old := kindChange(t)
	_, res := e.apply(true)
	if !res.OK() {
		t.Fatalf("apply failed: %v", res.Failed)
	}
	rs := runners(sim, "fleet")
	if len(rs) != 1 || rs[0].ID == old.ID || rs[0].Type != gitlabsim.GroupRunner {
		t.Fatalf("runners after the replacement = %+v, want one new group runner", rs)
	}
	rec := e.record("gitlab.com", "fleet")
	if rec.RunnerID != rs[0].ID || rec.Values[secrets.RunnerToken] != rs[0].Token {
		t.Errorf("record names runner %d, want %d with its token", rec.RunnerID, rs[0].ID)
	}
	if p := e.plan(); p.Changes() || p.Errors() > 0 {
		t.Errorf("plan after the replacement:\n%s", text(p))
	}
}

// TestKindChangeCreateFailsKeepsOldRunner fails the new runner's create:
// the old runner must stay, on every project, and the record must still
// name it, so the next apply finishes the replacement.
func TestKindChangeCreateFailsKeepsOldRunner(t *testing.T) {
	e, sim, old := kindChange(t)
	sim.AddFault(gitlabsim.Fault{Method: "POST", Route: "/user/runners"})
	_, res := e.apply(true)
	if res.OK() {
		t.Fatal("apply succeeded with every runner create failing")
	}
	rs := runners(sim, "fleet")
	if len(rs) != 1 || rs[0].ID != old.ID || len(rs[0].Projects) != 3 {
		t.Fatalf("runners after a failed create = %+v, want runner %d on 3 projects",
			rs, old.ID)
	}
	if id := e.record("gitlab.com", "fleet").RunnerID; id != old.ID {
		t.Errorf("record names runner %d, want the old runner %d", id, old.ID)
	}

	sim.ClearFaults()
	if _, res := e.apply(true); !res.OK() {
		t.Fatalf("second apply failed: %v", res.Failed)
	}
	rs = runners(sim, "fleet")
	if len(rs) != 1 || rs[0].Type != gitlabsim.GroupRunner {
		t.Fatalf("runners after the second apply = %+v, want one group runner", rs)
	}
	if p := e.plan(); p.Changes() {
		t.Errorf("plan after the second apply:\n%s", text(p))
	}
}

// TestKindChangeDisableFailsKeepsRecord fails taking the old runner off a
// project after the new runner exists: the old runner is not deleted, and
// the record keeps naming it, so the next plan still sees it and finishes
// the replacement with the new runner rather than a third.
func TestKindChangeDisableFailsKeepsRecord(t *testing.T) {
	e, sim, old := kindChange(t)
	sim.AddFault(gitlabsim.Fault{Method: "DELETE", Route: "/projects/:id/runners/:runner_id"})
	if _, res := e.apply(true); res.OK() {
		t.Fatal("apply succeeded with every disable failing")
	}
	if id := e.record("gitlab.com", "fleet").RunnerID; id != old.ID {
		t.Errorf("record names runner %d, want the old runner %d until it is gone",
			id, old.ID)
	}
	sim.ClearFaults()
	if _, res := e.apply(true); !res.OK() {
		t.Fatalf("second apply failed: %v", res.Failed)
	}
	rs := runners(sim, "fleet")
	if len(rs) != 1 || rs[0].Type != gitlabsim.GroupRunner {
		t.Fatalf("runners = %+v, want one group runner", rs)
	}
	rec := e.record("gitlab.com", "fleet")
	if rec.RunnerID != rs[0].ID || rec.Values[secrets.RunnerToken] != rs[0].Token {
		t.Errorf("record names runner %d, want %d with its token", rec.RunnerID, rs[0].ID)
	}
	if p := e.plan(); p.Changes() {
		t.Errorf("plan after the second apply:\n%s", text(p))
	}
}

// TestKindChangeWaitsForAllowDelete leaves the whole replacement, the new
// runner included, to apply --allow-delete: a new runner beside an old one
// that no record names would be left behind for good.
func TestKindChangeWaitsForAllowDelete(t *testing.T) {
	e, sim, old := kindChange(t)
	_, res := e.apply(false)
	if !res.OK() || len(res.Left) == 0 {
		t.Fatalf("apply without --allow-delete: failed %v, %d left", res.Failed, len(res.Left))
	}
	if rs := runners(sim, "fleet"); len(rs) != 1 || rs[0].ID != old.ID {
		t.Fatalf("runners = %+v, want only the old runner %d", rs, old.ID)
	}
	if p := e.plan(); p.Units[0].Replaces != old.ID {
		t.Errorf("the next plan does not replace runner %d:\n%s", old.ID, text(p))
	}
}
