package apply_test

import (
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
)

// TestExcludedProjectLosesTheHook: a project a group egg stops covering
// (here excluded by a glob) loses the egg's hook, with --allow-delete only;
// a person's hook on it stays, and the runner of the group is not touched.
func TestExcludedProjectLosesTheHook(t *testing.T) {
	e := newEnv(t)
	var team *gitlabsim.Group
	var keep, drop *gitlabsim.Project
	sim := e.server("gitlab.com", func(w *gitlabsim.World, u *gitlabsim.User) {
		team = w.AddGroup(nil, "team")
		team.AddMember(u, gitlabsim.Owner)
		keep = w.AddProject(team, "keep")
		drop = w.AddProject(team, "sandbox")
		w.AddProjectHook(drop, "https://people.example.com/theirs", "a-person-s-token")
	})
	e.nest(groupEgg("team", "gitlab.com", team.ID, hookBlock))
	e.converge()
	if n := len(hooks(sim, drop.ID)); n != 2 {
		t.Fatalf("sandbox has %d hooks before the exclude, want the person's and the egg's", n)
	}

	e.nest(groupEgg("team", "gitlab.com", team.ID, hookBlock+`
  discovery {
    exclude = ["team/sandbox"]
  }
`))
	p := e.plan()
	if got := p.Summary(); got != "Plan: 0 to create, 0 to update, 1 to delete." {
		t.Fatalf("summary = %q\n%s", got, text(p))
	}
	if !strings.Contains(text(p),
		`the egg no longer covers the project: excluded by "team/sandbox"`) {
		t.Errorf("the deletion does not say why:\n%s", text(p))
	}

	e.apply(false)
	if n := len(hooks(sim, drop.ID)); n != 2 {
		t.Errorf("apply without --allow-delete removed a hook: %d left", n)
	}
	e.apply(true)
	hs := hooks(sim, drop.ID)
	if len(hs) != 1 || hs[0].URL != "https://people.example.com/theirs" {
		t.Errorf("sandbox hooks after the deletion = %+v, want the person's alone", hs)
	}
	if n := len(hooks(sim, keep.ID)); n != 1 {
		t.Errorf("the covered project has %d hooks, want 1", n)
	}
	if n := len(runners(sim, "team")); n != 1 {
		t.Errorf("%d runners, want the group's one", n)
	}
	if p := e.plan(); p.Changes() {
		t.Errorf("plan after the deletion is not empty:\n%s", text(p))
	}
}

// TestSharedProjectWithoutRightsKeepsPlanning: a project shared into the
// group at Developer is skipped, and its hooks are out of the token's
// reach (403). Looking there for the egg's hooks must not fail the unit.
func TestSharedProjectWithoutRightsKeepsPlanning(t *testing.T) {
	e := newEnv(t)
	var team *gitlabsim.Group
	sim := e.server("gitlab.com", func(w *gitlabsim.World, u *gitlabsim.User) {
		team = w.AddGroup(nil, "team")
		team.AddMember(u, gitlabsim.Owner)
		w.AddProject(team, "app")
		partners := w.AddGroup(nil, "partners")
		w.ShareWith(w.AddProject(partners, "sdk"), team, gitlabsim.Developer)
	})
	e.nest(groupEgg("team", "gitlab.com", team.ID, hookBlock))
	e.converge()

	p := e.plan()
	if p.Errors() != 0 || p.Changes() {
		t.Fatalf("second plan is not empty:\n%s", text(p))
	}
	if n := sim.Count("GET", "/projects/:id/hooks"); n == 0 {
		t.Fatal("the plans never looked at hooks")
	}
}
