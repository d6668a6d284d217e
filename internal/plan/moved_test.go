package plan

import (
	"fmt"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
)

// bucketOf is the source of a bucket on gitlab.com that names the projects
// ids, in that order.
func bucketOf(name string, ids ...int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "eggsbucket %q {\n  repositories {\n", name)
	for i, id := range ids {
		fmt.Fprintf(&b, "    repo \"r%d\" {\n      gitlab {\n        server     = \"gitlab.com\"\n"+
			"        project_id = %d\n      }\n    }\n", i, id)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// TestRecogniseMovedBucketRunner finds a bucket's runner by its marker when
// the secret record lost its id and the bucket's first project, where a new
// runner would be registered, is one the runner does not serve.
func TestRecogniseMovedBucketRunner(t *testing.T) {
	tests := []struct {
		name string
		// on are the projects (a, b, c) the runner is enabled on, its
		// owner first; the bucket now names c, then b.
		on     string
		enable []string // the projects the plan enables the runner on
		warned string   // part of the unit's one warning
	}{
		{name: "still enabled on a target", on: "ab", enable: []string{"c"},
			warned: "stays enabled on project"},
		{name: "on no target, registered to a project the token manages", on: "a",
			enable: []string{"c", "b"}, warned: "stays enabled on project"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := map[string]*gitlabsim.Project{}
			var r *gitlabsim.Runner
			e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
				g := w.AddGroup(nil, "acme")
				g.AddMember(bot, gitlabsim.Maintainer)
				for _, n := range []string{"a", "b", "c"} {
					ps[n] = w.AddProject(g, n)
				}
				r = w.AddRunner(gitlabsim.ProjectRunner, nil, ps[tt.on[:1]])
				for _, n := range tt.on[1:] {
					w.EnableRunner(r, ps[string(n)])
				}
				r.Description, r.RunUntagged = "builds [hatchery:builds]", true
			})
			e.nest(bucketOf("builds", ps["c"].ID, ps["b"].ID))

			p := e.plan()
			u := p.unit(t, "builds")
			if u.Error != "" {
				t.Fatalf("unit failed: %s", u.Error)
			}
			if n := count(u.Actions, OpCreate, ObjRunner); u.RunnerID != r.ID || n != 0 {
				t.Fatalf("runner %d and %d creates, want runner %d:\n%s",
					u.RunnerID, n, r.ID, plainText(p))
			}
			var want []enablement
			for _, n := range tt.enable {
				want = append(want, enablement{OpEnable, r.ID, ps[n].ID})
			}
			if got := enablements(u.Actions); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("enablements %v, want %v", got, want)
			}
			if len(u.Warnings) != 1 || !strings.Contains(u.Warnings[0], tt.warned) {
				t.Errorf("warnings %q, want one about %q", u.Warnings, tt.warned)
			}
			// The search is one list of the token's runners, not one per
			// project.
			if n := e.sim.Count("GET", "/projects/:id/runners"); n != 0 {
				t.Errorf("%d project runner lists, want none", n)
			}
		})
	}
}
