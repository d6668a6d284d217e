package gitlab

import (
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
)

// BenchmarkGroupProjects discovers a group of 5,000 projects spread over
// nested subgroups: 50 pages. The simple view is what a nest gets by
// default (archived projects left out); the full view is needed when they
// are included.
func BenchmarkGroupProjects(b *testing.B) {
	w := gitlabsim.GenerateWorld(gitlabsim.Generate{Groups: 50, ProjectsPerGroup: 100,
		Depth: 2, Seed: 1, Owner: "alice", Token: "glpat-alice-0123456789"})
	sim := gitlabsim.New(w)
	url, err := sim.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	c, err := NewPool(Config{Overrides: map[string]string{"gl.test": url}}).
		Client("gl.test", "glpat-alice-0123456789")
	if err != nil {
		b.Fatal(err)
	}
	root := w.GroupByPath("fleet").ID

	for _, bc := range []struct {
		name string
		d    Discovery
	}{
		{"simple", Discovery{IncludeSubgroups: true}},
		{"full", Discovery{IncludeSubgroups: true, IncludeArchived: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ps, err := c.GroupProjects(ctx, root, bc.d)
				if err != nil {
					b.Fatal(err)
				}
				if len(ps) != 5000 {
					b.Fatalf("%d projects, want 5000", len(ps))
				}
			}
		})
	}
}
