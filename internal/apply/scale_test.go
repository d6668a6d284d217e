package apply_test

import (
	"fmt"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
)

// bigGroup builds a group of n projects spread over subgroups, under a
// group egg with a webhook.
func bigGroup(t testing.TB, n, subgroups int) (*env, *gitlabsim.Server, *gitlabsim.Group) {
	e := newEnv(t)
	var root *gitlabsim.Group
	sim := e.server("gitlab.com", func(w *gitlabsim.World, u *gitlabsim.User) {
		root = w.AddGroup(nil, "big")
		root.AddMember(u, gitlabsim.Owner)
		groups := []*gitlabsim.Group{root}
		for i := range subgroups {
			groups = append(groups, w.AddGroup(groups[i/2], fmt.Sprintf("sub%d", i)))
		}
		for i := range n {
			w.AddProject(groups[i%len(groups)], fmt.Sprintf("p%d", i))
		}
	})
	e.nest(groupEgg("big", "gitlab.com", root.ID, hookBlock))
	return e, sim, root
}

func TestGroupOf101ProjectsIn21Subgroups(t *testing.T) {
	e, sim, _ := bigGroup(t, 101, 21)
	p := e.plan()
	if n := len(p.Units[0].Targets); n != 101 {
		t.Fatalf("%d targets, want 101", n)
	}
	// N hooks lists, N/100 pages, the group, the group's runners.
	if got, budget := len(sim.Requests()), 101+2+2; got > budget {
		t.Errorf("plan made %d requests, budget %d: %v", got, budget, sim.Counts())
	}
	e.converge()
	sim.ResetRequests()
	e.plan()
	// Now the runner is read by its id, and the group's runners are still
	// listed, to show any second runner with the egg's marker.
	if got, budget := len(sim.Requests()), 101+2+3; got > budget {
		t.Errorf("second plan made %d requests, budget %d: %v", got, budget, sim.Counts())
	}
}

func TestExplicitEggWinsOverGroupDiscovery(t *testing.T) {
	e := newEnv(t)
	var team *gitlabsim.Group
	var mine, theirs *gitlabsim.Project
	sim := e.server("gitlab.com", func(w *gitlabsim.World, u *gitlabsim.User) {
		team = w.AddGroup(nil, "team")
		team.AddMember(u, gitlabsim.Owner)
		mine, theirs = w.AddProject(team, "mine"), w.AddProject(team, "special")
	})
	e.nest(groupEgg("team", "gitlab.com", team.ID, hookBlock) +
		projectEgg("special", "gitlab.com", theirs.ID, `
  webhook {
    url = "https://other.example.com/hook"
  }
`))
	p := e.plan()
	for _, u := range p.Units {
		if u.Egg != "team" {
			continue
		}
		if len(u.Targets) != 1 || u.Targets[0].ID != mine.ID {
			t.Errorf("team targets = %+v", u.Targets)
		}
		if len(u.Skipped) != 1 || u.Skipped[0].Reason != "covered by egg special" {
			t.Errorf("team skipped = %+v", u.Skipped)
		}
	}
	e.converge()
	hs := hooks(sim, theirs.ID)
	if len(hs) != 1 || hs[0].URL != "https://other.example.com/hook" {
		t.Errorf("hooks of the explicitly named project = %+v", hs)
	}
}

// BenchmarkPlanGroup5000 plans a group egg of 5,000 projects against the
// simulator: discovery, the runner, and one hook list per project.
func BenchmarkPlanGroup5000(b *testing.B) {
	e, sim, _ := bigGroup(b, 5000, 40)
	b.ReportAllocs()
	for b.Loop() {
		sim.ResetRequests()
		if p := e.plan(); len(p.Units[0].Targets) != 5000 {
			b.Fatalf("%d targets", len(p.Units[0].Targets))
		}
	}
	b.ReportMetric(float64(len(sim.Requests())), "requests/op")
}
