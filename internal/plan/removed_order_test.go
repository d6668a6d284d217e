package plan

import (
	"slices"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// TestRemovedUnitPlansInAStableOrder plans the removal of a bucket whose
// runner was enabled on its projects in no particular order: the owner
// keeps its place, the others come by id, so the same world always gives
// the same plan, and every action says that the egg is gone.
func TestRemovedUnitPlansInAStableOrder(t *testing.T) {
	var runnerID int64
	e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
		acme := w.AddGroup(nil, "acme")
		acme.AddMember(bot, gitlabsim.Maintainer)
		var ps []*gitlabsim.Project
		for _, name := range []string{"kept", "owner", "a", "b", "c"} {
			ps = append(ps, w.AddProject(acme, name))
		}
		owner, a, b, c := ps[1], ps[2], ps[3], ps[4]
		r := w.AddRunner(gitlabsim.ProjectRunner, nil, owner)
		r.Description = "gone [hatchery:gone]"
		for _, p := range []*gitlabsim.Project{c, a, b} {
			w.EnableRunner(r, p)
		}
		for _, p := range []*gitlabsim.Project{b, owner, c, a} {
			w.AddProjectHook(p, "https://fleet.example.com/hooks/gitlab", "s3cret").Name =
				HookName("gone")
		}
		runnerID = r.ID
	})
	e.nest(projectEgg("kept", 1, ""))
	e.write("gone", secrets.Update{RunnerID: runnerID,
		Values: map[secrets.Type]string{secrets.APIToken: simToken}})

	u := e.plan().unit(t, "gone")
	if u.Error != "" {
		t.Fatalf("unit error: %s", u.Error)
	}
	var got []string
	for _, a := range u.Actions {
		got = append(got, a.Title())
		if a.Op != OpForget && a.Reason != goneReason {
			t.Errorf("%s: reason %q, want %q", a.Title(), a.Reason, goneReason)
		}
	}
	want := []string{
		"delete hook 2 on acme/owner (2)", "delete hook 4 on acme/a (3)",
		"delete hook 1 on acme/b (4)", "delete hook 3 on acme/c (5)",
		"disable runner 1 on acme/a (3)", "disable runner 1 on acme/b (4)",
		"disable runner 1 on acme/c (5)", "delete runner 1", "forget secret record",
	}
	if !slices.Equal(got, want) {
		t.Errorf("actions:\n%q\nwant:\n%q", got, want)
	}
}
