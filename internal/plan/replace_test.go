package plan

import (
	"fmt"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// TestReplaceRunnerOfAnotherKind plans a new runner, and the old one's
// removal, when an egg changes kind under the same name: GitLab cannot
// change a runner's type, nor move a group runner to another group.
func TestReplaceRunnerOfAnotherKind(t *testing.T) {
	// x is the world: group g1 holds projects p1 and p2, group g2 holds p3;
	// the bot owns both groups.
	type x struct {
		w          *gitlabsim.World
		g1, g2     *gitlabsim.Group
		p1, p2, p3 *gitlabsim.Project
	}
	marked := func(r *gitlabsim.Runner) *gitlabsim.Runner {
		r.Description, r.RunUntagged = "app [hatchery:app]", true
		return r
	}
	tests := []struct {
		name string
		// build adds the runner the record names, and returns it with the
		// runner the plan should keep (nil: a new one).
		build func(x x) (old, keep *gitlabsim.Runner)
		nest  func(x x) string
		// removal are the actions on the old runner, in order; none means
		// it is no replacement.
		removal []string
		reason  string // part of the reason that the create gives
	}{
		{
			name: "project egg becomes a group egg",
			build: func(x x) (*gitlabsim.Runner, *gitlabsim.Runner) {
				return marked(x.w.AddRunner(gitlabsim.ProjectRunner, nil, x.p1)), nil
			},
			nest:    func(x x) string { return groupEgg("app", x.g1.ID, "") },
			removal: []string{"delete"},
			reason:  "is a project runner; a group egg needs a group runner",
		},
		{
			name: "bucket on two projects becomes a group egg",
			build: func(x x) (*gitlabsim.Runner, *gitlabsim.Runner) {
				r := marked(x.w.AddRunner(gitlabsim.ProjectRunner, nil, x.p1))
				x.w.EnableRunner(r, x.p2)
				return r, nil
			},
			nest:    func(x x) string { return groupEgg("app", x.g1.ID, "") },
			removal: []string{"disable p2", "delete"},
			reason:  "is a project runner; a group egg needs a group runner",
		},
		{
			name: "group egg becomes a bucket",
			build: func(x x) (*gitlabsim.Runner, *gitlabsim.Runner) {
				return marked(x.w.AddRunner(gitlabsim.GroupRunner, x.g1)), nil
			},
			nest:    func(x x) string { return bucketOf("app", x.p1.ID, x.p2.ID) },
			removal: []string{"delete"},
			reason:  "is a group runner; a bucket needs a project runner",
		},
		{
			name: "group egg becomes a project egg",
			build: func(x x) (*gitlabsim.Runner, *gitlabsim.Runner) {
				return marked(x.w.AddRunner(gitlabsim.GroupRunner, x.g1)), nil
			},
			nest:    func(x x) string { return projectEgg("app", x.p1.ID, "") },
			removal: []string{"delete"},
			reason:  "is a group runner; a project egg needs a project runner",
		},
		{
			name: "group egg moves to another group",
			build: func(x x) (*gitlabsim.Runner, *gitlabsim.Runner) {
				return marked(x.w.AddRunner(gitlabsim.GroupRunner, x.g1)), nil
			},
			nest:    func(x x) string { return groupEgg("app", x.g2.ID, "") },
			removal: []string{"delete"},
			reason:  "; the egg's group is",
		},
		{
			name: "project egg becomes a bucket: the same runner serves it",
			build: func(x x) (*gitlabsim.Runner, *gitlabsim.Runner) {
				r := marked(x.w.AddRunner(gitlabsim.ProjectRunner, nil, x.p1))
				return r, r
			},
			nest: func(x x) string { return bucketOf("app", x.p1.ID, x.p2.ID) },
		},
		{
			// An apply that created the new runner and stopped before
			// deleting the old one: the new one is kept, not made again.
			name: "the new runner exists already",
			build: func(x x) (*gitlabsim.Runner, *gitlabsim.Runner) {
				old := marked(x.w.AddRunner(gitlabsim.ProjectRunner, nil, x.p1))
				return old, marked(x.w.AddRunner(gitlabsim.GroupRunner, x.g1))
			},
			nest:    func(x x) string { return groupEgg("app", x.g1.ID, "") },
			removal: []string{"delete"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var world x
			var old, keep *gitlabsim.Runner
			e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
				world = x{w: w, g1: w.AddGroup(nil, "g1"), g2: w.AddGroup(nil, "g2")}
				world.g1.AddMember(bot, gitlabsim.Owner)
				world.g2.AddMember(bot, gitlabsim.Owner)
				world.p1 = w.AddProject(world.g1, "p1")
				world.p2 = w.AddProject(world.g1, "p2")
				world.p3 = w.AddProject(world.g2, "p3")
				old, keep = tt.build(world)
			})
			e.nest(tt.nest(world))
			e.write("app", secrets.Update{RunnerID: old.ID,
				Values: map[secrets.Type]string{secrets.RunnerToken: storedRunnerToken}})

			p := e.plan()
			u := p.unit(t, "app")
			if u.Error != "" {
				t.Fatalf("unit failed: %s", u.Error)
			}
			checkRunner(t, p, u, keep)
			names := map[int64]string{world.p1.ID: "p1", world.p2.ID: "p2", world.p3.ID: "p3"}
			var removal []string
			for _, a := range u.Actions {
				if a.Object != ObjRunner || a.RunnerID != old.ID || a.Kind() != "delete" {
					continue
				}
				s := string(a.Op)
				if a.Op == OpDisable {
					s += " " + names[a.ProjectID]
				}
				removal = append(removal, s)
			}
			if fmt.Sprint(removal) != fmt.Sprint(tt.removal) {
				t.Errorf("actions on runner %d: %q, want %q:\n%s",
					old.ID, removal, tt.removal, plainText(p))
			}
			want := int64(0)
			if tt.removal != nil {
				want = old.ID
			}
			if u.Replaces != want {
				t.Errorf("the unit replaces runner %d, want %d", u.Replaces, want)
			}
			for _, a := range u.Actions {
				if a.Op == OpCreate && a.Object == ObjRunner &&
					!strings.Contains(a.Reason, tt.reason) {
					t.Errorf("create runner for %q, want it to say %q", a.Reason, tt.reason)
				}
			}
		})
	}
}
