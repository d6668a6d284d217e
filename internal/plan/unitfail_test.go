package plan

import (
	"context"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// TestUnitFailures records a problem in the unit it belongs to and plans
// the other units as usual.
func TestUnitFailures(t *testing.T) {
	tests := []struct {
		name  string
		egg   func(app, team int64) string
		token bool   // the failing unit has its api-token
		err   string // part of the failing unit's error
	}{
		{
			name: "no api-token",
			egg:  func(app, _ int64) string { return projectEgg("broken", app, "") },
			err: "no api-token at yc-lockbox://gitlab/gitlab.com/broken/api-token; " +
				"store one with: hatchery secrets set",
			token: false,
		},
		{
			name:  "a project that does not exist",
			egg:   func(_, _ int64) string { return projectEgg("broken", 99999, "") },
			err:   "nest.fly:4: project 99999 does not exist or its api-token cannot see it",
			token: true,
		},
		{
			name:  "a group that does not exist",
			egg:   func(_, _ int64) string { return groupEgg("broken", 88888, "") },
			err:   "nest.fly:4: group 88888 does not exist or its api-token cannot see it",
			token: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var app, fine, team int64
			e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
				g := w.AddGroup(nil, "acme")
				g.AddMember(bot, gitlabsim.Maintainer)
				app, fine, team = w.AddProject(g, "app").ID, w.AddProject(g, "fine").ID, g.ID
			})
			e.nest(tt.egg(app, team) + projectEgg("fine", fine, webhookBlock))
			if !tt.token {
				e.dropRecord("broken")
			}

			p := e.plan()
			b := p.unit(t, "broken")
			if !strings.Contains(b.Error, tt.err) || len(b.Actions) != 0 {
				t.Errorf("broken: error %q with %d actions, want %q", b.Error,
					len(b.Actions), tt.err)
			}
			f := p.unit(t, "fine")
			if f.Error != "" || count(f.Actions, OpCreate, ObjRunner) != 1 ||
				count(f.Actions, OpGenerate, ObjSecret) != 1 ||
				count(f.Actions, OpCreate, ObjHook) != 1 {
				t.Errorf("fine is not planned in full:\n%s", plainText(p))
			}
			if got := p.Summary(); !strings.HasSuffix(got, " 1 unit could not be planned.") {
				t.Errorf("summary = %q", got)
			}
		})
	}
}

// dropRecord deletes egg's secret record, api-token and all.
func (e *simEnv) dropRecord(egg string) {
	e.t.Helper()
	s, err := secrets.OpenFile(e.store, false)
	if err != nil {
		e.t.Fatal(err)
	}
	defer s.Close()
	u := secrets.Unit{Server: "gitlab.com", Egg: egg}
	if err := s.Delete(context.Background(), u); err != nil {
		e.t.Fatal(err)
	}
}

// TestTargetsResolvesOnly resolves targets with GET requests alone and
// plans no action.
func TestTargetsResolvesOnly(t *testing.T) {
	var team *gitlabsim.Group
	e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
		team = w.AddGroup(nil, "team")
		team.AddMember(bot, gitlabsim.Owner)
		w.AddProject(team, "one")
		w.AddProject(team, "two").Archived = true
	})
	e.nest(groupEgg("team", team.ID, webhookBlock))
	pl, done := e.planner()
	defer done()
	e.sim.ResetRequests()
	units := pl.Targets(context.Background(), e.state())
	if len(units) != 1 {
		t.Fatalf("%d units", len(units))
	}
	u := units[0]
	if len(u.Targets) != 1 || u.Targets[0].Path != "team/one" ||
		len(u.Skipped) != 1 || u.Skipped[0].Reason != "archived" || len(u.Actions) != 0 {
		t.Errorf("unit = %+v", u)
	}
	for _, r := range e.sim.Requests() {
		if r.Method != "GET" {
			t.Errorf("targets sent %s", r)
		}
	}
}
