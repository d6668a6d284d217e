package apply_test

import (
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
)

// TestGroupRunnerNeedsOwner: a group egg's token of a Maintainer plans,
// but GitLab refuses it the group runner; the failure says Owner is needed.
func TestGroupRunnerNeedsOwner(t *testing.T) {
	e := newEnv(t)
	var g *gitlabsim.Group
	e.server("gitlab.com", func(w *gitlabsim.World, u *gitlabsim.User) {
		g = w.AddGroup(nil, "acme")
		g.AddMember(u, gitlabsim.Maintainer)
		w.AddProject(g, "app")
	})
	e.nest(groupEgg("fleet", "gitlab.com", g.ID, ""))

	p, res := e.apply(false)
	if p.Errors() != 0 {
		t.Fatalf("the plan failed:\n%s", text(p))
	}
	if len(res.Failed) != 1 {
		t.Fatalf("%d failures, want the runner's: %v", len(res.Failed), res.Failed)
	}
	want := "403 Forbidden"
	hint := "a group egg's api-token needs the Owner role on group " + itoa(g.ID)
	if msg := res.Failed[0].Error(); !strings.Contains(msg, want) ||
		!strings.Contains(msg, hint) {
		t.Errorf("failure %q, want %q and %q", msg, want, hint)
	}
}
