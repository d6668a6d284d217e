package plan

import (
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// storedRunnerToken is a runner-token as apply would have stored it.
const storedRunnerToken = "glrt-stored-0123456789abcdef"

// TestRecogniseRunner finds a unit's runner by the id in its secret record,
// then by the marker among the runners its token manages.
func TestRecogniseRunner(t *testing.T) {
	type world struct {
		w   *gitlabsim.World
		app *gitlabsim.Project
	}
	// runner adds a project runner to app with the given description.
	runner := func(x world, desc string) *gitlabsim.Runner {
		r := x.w.AddRunner(gitlabsim.ProjectRunner, nil, x.app)
		r.Description, r.Locked, r.RunUntagged = desc, true, true
		return r
	}
	tests := []struct {
		name string
		// build adds runners and returns the runner id to record, and the
		// runner the plan should pick (nil: a new one).
		build  func(x world) (record int64, want *gitlabsim.Runner)
		token  bool   // the record holds a runner-token
		reset  string // the reason of the planned token reset, "" for none
		warned string // part of the unit's one warning, "" for none
	}{
		{
			name: "no record and no runner",
			build: func(x world) (int64, *gitlabsim.Runner) {
				runner(x, "someone's own runner")
				return 0, nil
			},
		},
		{
			name: "the runner of the record",
			build: func(x world) (int64, *gitlabsim.Runner) {
				r := runner(x, "app [hatchery:app]")
				return r.ID, r
			},
			token: true,
		},
		{
			name: "the runner of the record, its token lost",
			build: func(x world) (int64, *gitlabsim.Runner) {
				r := runner(x, "app [hatchery:app]")
				return r.ID, r
			},
			reset: "the runner-token is missing from the secret store",
		},
		{
			name: "the runner of the record, marked only in its note",
			build: func(x world) (int64, *gitlabsim.Runner) {
				r := runner(x, "renamed by hand")
				r.MaintenanceNote = "hatchery:app"
				return r.ID, r
			},
			token: true,
		},
		{
			name: "the record's runner is gone, the marker finds another",
			build: func(x world) (int64, *gitlabsim.Runner) {
				gone := runner(x, "app [hatchery:app]")
				x.w.DeleteRunner(gone.ID)
				return gone.ID, runner(x, "app [hatchery:app]")
			},
			token: true,
			reset: "adopt: the secret store does not know this runner's token",
		},
		{
			name: "the record's runner lost its marker",
			build: func(x world) (int64, *gitlabsim.Runner) {
				stripped := runner(x, "no marker here")
				return stripped.ID, runner(x, "app [hatchery:app]")
			},
			token:  true,
			reset:  "adopt: the secret store does not know this runner's token",
			warned: "no longer carries the marker hatchery:app",
		},
		{
			name: "a runner found by its marker is adopted",
			build: func(x world) (int64, *gitlabsim.Runner) {
				return 0, runner(x, "app [hatchery:app]")
			},
			reset: "adopt: the secret store does not know this runner's token",
		},
		{
			name: "a marker of another egg",
			build: func(x world) (int64, *gitlabsim.Runner) {
				runner(x, "old [hatchery:app-old]")
				runner(x, "[hatchery:apps]")
				return 0, nil
			},
		},
		{
			name: "two runners carry the marker",
			build: func(x world) (int64, *gitlabsim.Runner) {
				first := runner(x, "app [hatchery:app]")
				runner(x, "copy [hatchery:app]")
				return 0, first
			},
			reset:  "adopt: the secret store does not know this runner's token",
			warned: "2 runners carry the marker hatchery:app",
		},
		{
			name: "the record names a runner the token cannot see",
			build: func(x world) (int64, *gitlabsim.Runner) {
				hidden := x.w.AddProject(x.w.AddGroup(nil, "hidden"), "elsewhere")
				r := x.w.AddRunner(gitlabsim.ProjectRunner, nil, hidden)
				r.Description = "app [hatchery:app]"
				return r.ID, nil
			},
			token: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var record int64
			var want *gitlabsim.Runner
			e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
				g := w.AddGroup(nil, "acme")
				g.AddMember(bot, gitlabsim.Maintainer)
				x := world{w, w.AddProject(g, "app")}
				record, want = tt.build(x)
			})
			var app int64
			e.sim.View(func(w *gitlabsim.World) { app = w.ProjectByPath("acme/app").ID })
			e.nest(projectEgg("app", app, ""))
			up := secrets.Update{RunnerID: record, Values: map[secrets.Type]string{}}
			if tt.token {
				up.Values[secrets.RunnerToken] = storedRunnerToken
			}
			if record != 0 || tt.token {
				e.write("app", up)
			}

			p := e.plan()
			u := p.unit(t, "app")
			if u.Error != "" {
				t.Fatalf("unit failed: %s", u.Error)
			}
			checkRunner(t, p, u, want)
			var reset string
			for _, a := range u.Actions {
				if a.Op == OpReset {
					reset = a.Reason
				}
			}
			if reset != tt.reset {
				t.Errorf("reset for %q, want %q", reset, tt.reset)
			}
			checkWarnings(t, u, tt.warned)
		})
	}
}

// count counts the actions that do op to obj.
func count(as []*Action, op Op, obj Object) int {
	n := 0
	for _, a := range as {
		if a.Op == op && a.Object == obj {
			n++
		}
	}
	return n
}
