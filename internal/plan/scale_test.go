package plan

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// crowd is a GitLab of n groups, each with one project; every group and
// every project has a runner of someone else's, so the bot's token manages
// n project runners and n group runners. Its nest has n new units of kind,
// one per group or project, whose records hold only an api-token: the
// same one, or one token each.
type crowd struct {
	*simEnv
	groups   []*gitlabsim.Group
	projects []*gitlabsim.Project
}

func newCrowd(t testing.TB, n int, kind desired.Kind, tokenEach bool) *crowd {
	t.Helper()
	c := &crowd{}
	c.simEnv = newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
		for i := range n {
			g := w.AddGroup(nil, fmt.Sprintf("g%d", i))
			g.AddMember(bot, gitlabsim.Owner)
			p := w.AddProject(g, "app")
			w.AddRunner(gitlabsim.GroupRunner, g).Description = fmt.Sprintf("ci %d", i)
			w.AddRunner(gitlabsim.ProjectRunner, nil, p).Description = fmt.Sprintf("ci %d", i)
			c.groups, c.projects = append(c.groups, g), append(c.projects, p)
			if tokenEach {
				w.AddToken(bot, unitToken(i), "api")
			}
		}
	})

	var src strings.Builder
	for i := range n {
		name := fmt.Sprintf("u%d", i)
		switch kind {
		case desired.ProjectEgg:
			src.WriteString(projectEgg(name, c.projects[i].ID, ""))
		case desired.GroupEgg:
			src.WriteString(groupEgg(name, c.groups[i].ID, ""))
		case desired.Bucket:
			src.WriteString(bucketOf(name, c.projects[i].ID))
		}
	}
	if err := os.WriteFile(filepath.Join(c.dir, "nest.fly"), []byte(src.String()),
		0o644); err != nil {
		t.Fatal(err)
	}

	s, err := secrets.OpenFile(c.store, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range n {
		token := simToken
		if tokenEach {
			token = unitToken(i)
		}
		up := secrets.Update{Values: map[secrets.Type]string{secrets.APIToken: token}}
		key := secrets.Unit{Server: "gitlab.com", Egg: fmt.Sprintf("u%d", i)}
		if err := s.Write(context.Background(), key, up); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func unitToken(i int) string { return fmt.Sprintf("glpat-unit-%04d-0123456789abcdef", i) }

// TestPlanManyNewUnits plans 200 new units on a GitLab where the token
// already manages 400 runners. A project or group egg looks for its runner
// in its owner's one list; the list of every runner the token manages is
// read only for buckets, and once per token, not once per unit.
func TestPlanManyNewUnits(t *testing.T) {
	const n = 200
	tests := []struct {
		name      string
		kind      desired.Kind
		tokenEach bool
		want      map[string]int // requests per route
	}{
		{name: "project eggs sharing a token", kind: desired.ProjectEgg,
			want: map[string]int{"GET /projects/:id": n, "GET /projects/:id/runners": n,
				"GET /projects/:id/hooks": n}},
		{name: "project eggs, a token each", kind: desired.ProjectEgg, tokenEach: true,
			want: map[string]int{"GET /projects/:id": n, "GET /projects/:id/runners": n,
				"GET /projects/:id/hooks": n}},
		{name: "group eggs sharing a token", kind: desired.GroupEgg,
			want: map[string]int{"GET /groups/:id": n, "GET /groups/:id/projects": n,
				"GET /groups/:id/runners": n, "GET /projects/:id/hooks": n}},
		// 200 project runners are two pages, read once for all buckets.
		{name: "buckets sharing a token", kind: desired.Bucket,
			want: map[string]int{"GET /projects/:id": n, "GET /runners": 2,
				"GET /projects/:id/hooks": n}},
		// Each token sees the list through its own eyes: one read each.
		{name: "buckets, a token each", kind: desired.Bucket, tokenEach: true,
			want: map[string]int{"GET /projects/:id": n, "GET /runners": 2 * n,
				"GET /projects/:id/hooks": n}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCrowd(t, n, tt.kind, tt.tokenEach)
			p := c.plan()
			if len(p.Units) != n {
				t.Fatalf("%d units, want %d", len(p.Units), n)
			}
			for _, u := range p.Units {
				if u.Error != "" || len(u.Warnings) > 0 ||
					count(u.Actions, OpCreate, ObjRunner) != 1 {
					t.Fatalf("unit %s: want one runner created, no error, no warning:\n%s",
						u.Egg, plainText(&Plan{Units: []*Unit{u}}))
				}
			}
			if got := c.sim.Counts(); !maps.Equal(got, tt.want) {
				t.Errorf("requests per route:\n%s\nwant:\n%s", routes(got), routes(tt.want))
			}
		})
	}
}

func routes(m map[string]int) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "  %s: %d\n", k, m[k])
	}
	return b.String()
}

// BenchmarkPlanNewUnits2500 plans 2,500 new units on a GitLab where the
// token already manages 5,000 runners, 2,500 of each type.
func BenchmarkPlanNewUnits2500(b *testing.B) {
	const n = 2500
	for _, bb := range []struct {
		name      string
		kind      desired.Kind
		tokenEach bool
	}{
		{"project eggs, one token", desired.ProjectEgg, false},
		{"project eggs, a token each", desired.ProjectEgg, true},
		{"group eggs, one token", desired.GroupEgg, false},
		{"buckets, one token", desired.Bucket, false},
	} {
		b.Run(bb.name, func(b *testing.B) {
			c := newCrowd(b, n, bb.kind, bb.tokenEach)
			b.ReportAllocs()
			for b.Loop() {
				if p := c.plan(); len(p.Units) != n {
					b.Fatalf("%d units", len(p.Units))
				}
			}
			b.ReportMetric(float64(len(c.sim.Requests())), "requests/op")
		})
	}
}
