package apply_test

import (
	"fmt"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// bucketOfThree is a simulator with three projects and a nest whose bucket
// covers them all, with a webhook.
func bucketOfThree(t *testing.T) (*env, *gitlabsim.Server, []*gitlabsim.Project) {
	e := newEnv(t)
	var ps []*gitlabsim.Project
	sim := e.server("gitlab.com", func(w *gitlabsim.World, u *gitlabsim.User) {
		g := w.AddGroup(nil, "acme")
		g.AddMember(u, gitlabsim.Maintainer)
		for i := range 3 {
			ps = append(ps, w.AddProject(g, fmt.Sprintf("p%d", i)))
		}
	})
	var repos strings.Builder
	for i, p := range ps {
		fmt.Fprintf(&repos, `
    repo "r%d" {
      gitlab {
        server     = "gitlab.com"
        project_id = %d
      }
    }`, i, p.ID)
	}
	e.nest(`
eggsbucket "fleet" {` + hookBlock + `
  repositories {` + repos.String() + `
  }
}
`)
	return e, sim, ps
}

func allHooks(sim *gitlabsim.Server, ps []*gitlabsim.Project) int {
	n := 0
	for _, p := range ps {
		n += len(hooks(sim, p.ID))
	}
	return n
}

func TestServerErrorMidApplyThenApplyAgain(t *testing.T) {
	e, sim, ps := bucketOfThree(t)
	// Every hook POST fails, the retry after looking too.
	sim.AddFault(gitlabsim.Fault{Method: "POST", Route: "/projects/:id/hooks"})

	_, res := e.apply(false)
	if len(res.Failed) != 3 || res.Done != 4 {
		t.Fatalf("first apply: %d done, %d failed, want 4 done and the 3 hooks failed",
			res.Done, len(res.Failed))
	}
	sim.ClearFaults()
	e.converge()
	if n := len(runners(sim, "fleet")); n != 1 {
		t.Errorf("%d runners, want 1", n)
	}
	if n := allHooks(sim, ps); n != 3 {
		t.Errorf("%d hooks, want 3", n)
	}
}

func TestDroppedConnectionAfterRunnerCreate(t *testing.T) {
	e, sim, ps := bucketOfThree(t)
	sim.AddFault(gitlabsim.Fault{Method: "POST", Route: "/user/runners", Drop: true, Times: 1})
	sim.AddFault(gitlabsim.Fault{Method: "POST", Route: "/projects/:id/hooks", Drop: true,
		Times: 1})

	e.converge()
	rs := runners(sim, "fleet")
	if len(rs) != 1 {
		t.Fatalf("%d runners after a dropped create, want 1", len(rs))
	}
	rec := e.record("gitlab.com", "fleet")
	if rec.RunnerID != rs[0].ID || rec.Values[secrets.RunnerToken] != rs[0].Token {
		t.Error("the store does not hold the surviving runner's current token")
	}
	if n := allHooks(sim, ps); n != 3 {
		t.Errorf("%d hooks after a dropped create, want 3", n)
	}
	for _, p := range ps {
		for _, h := range hooks(sim, p.ID) {
			if h.TokenHash() != sha(rec.Values[secrets.WebhookSecret]) {
				t.Errorf("hook %d of project %d has the wrong token", h.ID, p.ID)
			}
		}
	}
}

func TestRunnerDeletedByHandIsPlannedAgain(t *testing.T) {
	e, sim, _ := bucketOfThree(t)
	e.converge()
	id := runners(sim, "fleet")[0].ID
	sim.Update(func(w *gitlabsim.World) { w.DeleteRunner(id) })

	p := e.plan()
	if got := p.Summary(); got != "Plan: 3 to create, 0 to update, 0 to delete." {
		t.Fatalf("summary = %q, want the runner and its two enablements\n%s", got, text(p))
	}
	e.converge()
	if rs := runners(sim, "fleet"); len(rs) != 1 || rs[0].ID == id {
		t.Errorf("runners = %+v", rs)
	}
}

func TestLostRunnerTokenIsAdopted(t *testing.T) {
	e, sim, _ := bucketOfThree(t)
	e.converge()
	r := runners(sim, "fleet")[0]
	oldToken := r.Token

	// A new store that knows only the api token, as after losing the file.
	if err := removeFile(e.store); err != nil {
		t.Fatal(err)
	}
	e.nest(e.nestSource())
	p := e.plan()
	out := text(p)
	if !strings.Contains(out, fmt.Sprintf("reset token of runner %d", r.ID)) {
		t.Fatalf("plan does not adopt runner %d:\n%s", r.ID, out)
	}
	e.converge()
	rs := runners(sim, "fleet")
	if len(rs) != 1 || rs[0].ID != r.ID || rs[0].Token == oldToken {
		t.Fatalf("runners = %+v, want runner %d with a new token", rs, r.ID)
	}
	if e.record("gitlab.com", "fleet").Values[secrets.RunnerToken] != rs[0].Token {
		t.Error("the adopted runner's token is not in the store")
	}
}

func TestRemovedEggIsDeletedOnlyWhenAllowed(t *testing.T) {
	e, sim, ps := bucketOfThree(t)
	e.converge()
	id := runners(sim, "fleet")[0].ID
	e.nest("# nothing left\n")

	p := e.plan()
	if got := p.Summary(); got != "Plan: 0 to create, 0 to update, 7 to delete." {
		t.Fatalf("summary = %q, want 3 hooks, 2 enablements, the runner, the record\n%s",
			got, text(p))
	}
	_, res := e.apply(false)
	if len(res.Left) != 7 || res.Done != 0 {
		t.Fatalf("apply without --allow-delete: %d done, %d left", res.Done, len(res.Left))
	}
	if len(runners(sim, "fleet")) != 1 || allHooks(sim, ps) != 3 {
		t.Fatal("apply without --allow-delete deleted something")
	}

	_, res = e.apply(true)
	if !res.OK() || res.Done != 7 {
		t.Fatalf("apply --allow-delete: %d done, failed %v", res.Done, res.Failed)
	}
	sim.View(func(w *gitlabsim.World) {
		if w.Runner(id) != nil {
			t.Error("the runner is still there")
		}
	})
	if n := allHooks(sim, ps); n != 0 {
		t.Errorf("%d hooks left", n)
	}
	// The record stays with the api-token a person stored, and plans nothing.
	if p := e.plan(); p.Changes() || len(p.Units) != 1 {
		t.Errorf("plan after deletion:\n%s", text(p))
	}
}
