package plan

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// TestRemovedUnit plans the removal of what an egg gone from the nest left
// behind, found from its secret record.
func TestRemovedUnit(t *testing.T) {
	const url = "https://fleet.example.com/hooks/gitlab"
	type world struct {
		w         *gitlabsim.World
		acme      *gitlabsim.Group
		one, two  *gitlabsim.Project
		unrelated *gitlabsim.Hook
	}
	// hook adds the gone egg's hook to p.
	hook := func(x world, p *gitlabsim.Project) *gitlabsim.Hook {
		h := x.w.AddProjectHook(p, url, "old-secret-0123456789abcdef")
		h.Name = "hatchery:gone"
		return h
	}
	tests := []struct {
		name string
		// build returns the record's runner id and the actions wanted, as
		// "op object id" lines.
		build    func(x world) (runner int64, want []string)
		apiToken bool
		hookless bool // the record holds no webhook-secret: no hook was made
		warned   string
	}{
		{
			name: "bucket runner on two projects",
			build: func(x world) (int64, []string) {
				r := x.w.AddRunner(gitlabsim.ProjectRunner, nil, x.one, x.two)
				r.Description = "gone [hatchery:gone]"
				h1, h2 := hook(x, x.one), hook(x, x.two)
				return r.ID, []string{
					fmt.Sprintf("delete hook %d on acme/one", h1.ID),
					fmt.Sprintf("delete hook %d on acme/two", h2.ID),
					fmt.Sprintf("disable runner %d on acme/two (%d)", r.ID, x.two.ID),
					fmt.Sprintf("delete runner %d", r.ID),
					"forget secret",
				}
			},
			apiToken: true,
		},
		{
			name: "group runner",
			build: func(x world) (int64, []string) {
				r := x.w.AddRunner(gitlabsim.GroupRunner, x.acme)
				r.Description = "gone [hatchery:gone]"
				h := hook(x, x.two)
				return r.ID, []string{
					fmt.Sprintf("delete hook %d on acme/two", h.ID),
					fmt.Sprintf("delete runner %d", r.ID),
					"forget secret",
				}
			},
			apiToken: true,
		},
		{
			// Only the runner's projects lead to the hooks: the plan says
			// what it cannot see rather than read every project's hooks.
			name: "runner deleted by hand",
			build: func(x world) (int64, []string) {
				r := x.w.AddRunner(gitlabsim.ProjectRunner, nil, x.one)
				hook(x, x.one)
				x.w.DeleteRunner(r.ID)
				return r.ID, []string{"forget secret"}
			},
			apiToken: true,
			warned:   "hooks named hatchery:gone may be left on the projects it served",
		},
		{
			name: "runner deleted by hand before any hook was made",
			build: func(x world) (int64, []string) {
				r := x.w.AddRunner(gitlabsim.ProjectRunner, nil, x.one)
				x.w.DeleteRunner(r.ID)
				return r.ID, []string{"forget secret"}
			},
			apiToken: true,
			hookless: true,
		},
		{
			name: "runner that lost its marker",
			build: func(x world) (int64, []string) {
				r := x.w.AddRunner(gitlabsim.ProjectRunner, nil, x.one)
				r.Description = "taken over by hand"
				hook(x, x.one)
				return r.ID, []string{"forget secret"}
			},
			apiToken: true,
			warned:   "no longer carries the marker of egg gone",
		},
		{
			name: "no runner recorded",
			build: func(x world) (int64, []string) {
				return 0, []string{"forget secret"}
			},
			apiToken: true,
			warned:   "the secret record names no runner",
		},
		{
			name: "no api-token to look with",
			build: func(x world) (int64, []string) {
				r := x.w.AddRunner(gitlabsim.ProjectRunner, nil, x.one)
				r.Description = "gone [hatchery:gone]"
				return r.ID, []string{"forget secret"}
			},
			warned: "no api-token to look for what the egg left on gitlab.com",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var runner int64
			var want []string
			var keep int64
			e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
				x := world{w: w, acme: w.AddGroup(nil, "acme")}
				x.acme.AddMember(bot, gitlabsim.Maintainer)
				x.one, x.two = w.AddProject(x.acme, "one"), w.AddProject(x.acme, "two")
				x.unrelated = w.AddProjectHook(x.one, url, "someone-else-0123456789")
				keep = w.AddProject(w.AddGroup(nil, "other"), "keep").ID
				w.GroupByPath("other").AddMember(bot, gitlabsim.Maintainer)
				runner, want = tt.build(x)
			})
			e.nest(projectEgg("keep", keep, ""))
			up := secrets.Update{RunnerID: runner, Values: map[secrets.Type]string{
				secrets.WebhookSecret: "old-secret-0123456789abcdef"}}
			if tt.hookless {
				delete(up.Values, secrets.WebhookSecret)
			}
			if tt.apiToken {
				up.Values[secrets.APIToken] = simToken
			}
			e.write("gone", up)

			p := e.plan()
			u := p.unit(t, "gone")
			if !u.Removed || u.Error != "" {
				t.Fatalf("unit removed %v, error %q", u.Removed, u.Error)
			}
			var got []string
			for _, a := range u.Actions {
				got = append(got, removal(a))
			}
			if !slices.Equal(got, want) {
				t.Errorf("actions =\n%s\nwant\n%s", strings.Join(got, "\n"),
					strings.Join(want, "\n"))
			}
			checkWarnings(t, u, tt.warned)
			if keep := p.unit(t, "keep"); keep.Removed {
				t.Error("the egg in the nest is planned as removed")
			}
		})
	}
}

// removal is an action of a removed unit as "op object id", with the
// path of the project it acts on.
func removal(a *Action) string {
	switch {
	case a.Object == ObjHook:
		return fmt.Sprintf("%s hook %d on %s", a.Op, a.HookID, a.Project)
	case a.Op == OpDisable:
		return fmt.Sprintf("%s runner %d on %s (%d)", a.Op, a.RunnerID, a.Project, a.ProjectID)
	case a.Object == ObjRunner:
		return fmt.Sprintf("%s runner %d", a.Op, a.RunnerID)
	}
	return fmt.Sprintf("%s %s", a.Op, a.Object)
}

// TestRenamedEgg plans a renamed egg as a new unit and a removed one that
// act on different objects: no hook is both updated and deleted.
func TestRenamedEgg(t *testing.T) {
	var app *gitlabsim.Project
	var runner *gitlabsim.Runner
	var oldHook *gitlabsim.Hook
	e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
		g := w.AddGroup(nil, "acme")
		g.AddMember(bot, gitlabsim.Maintainer)
		app = w.AddProject(g, "app")
		runner = w.AddRunner(gitlabsim.ProjectRunner, nil, app)
		runner.Description = "app [hatchery:old-name]"
		oldHook = w.AddProjectHook(app, "https://fleet.example.com/hooks/gitlab",
			"old-secret-0123456789abcdef")
		oldHook.Name = "hatchery:old-name"
	})
	e.nest(projectEgg("new-name", app.ID, webhookBlock))
	e.write("old-name", secrets.Update{RunnerID: runner.ID, Values: map[secrets.Type]string{
		secrets.APIToken: simToken, secrets.RunnerToken: storedRunnerToken}})

	p := e.plan()
	touched := map[int64][]string{}
	for _, u := range p.Units {
		for _, a := range u.Actions {
			if a.Object == ObjHook && a.HookID != 0 {
				touched[a.HookID] = append(touched[a.HookID], u.Egg+" "+string(a.Op))
			}
		}
	}
	if got := touched[oldHook.ID]; !slices.Equal(got, []string{"old-name delete"}) {
		t.Errorf("hook %d: %q, want only its deletion by old-name:\n%s",
			oldHook.ID, got, plainText(p))
	}
	if n := count(p.unit(t, "new-name").Actions, OpCreate, ObjHook); n != 1 {
		t.Errorf("new-name creates %d hooks, want 1", n)
	}
	if n := count(p.unit(t, "new-name").Actions, OpCreate, ObjRunner); n != 1 {
		t.Errorf("new-name creates %d runners, want 1", n)
	}
}
