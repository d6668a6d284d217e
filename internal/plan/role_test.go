package plan

import (
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
)

// TestPlanTokenWithoutMaintainer fails a project egg whose api-token may
// not manage the project's runners, and says which role it needs: the
// plan reads the project's runners, which GitLab shows to Maintainers.
func TestPlanTokenWithoutMaintainer(t *testing.T) {
	var app *gitlabsim.Project
	e := newSim(t, func(w *gitlabsim.World, bot *gitlabsim.User) {
		g := w.AddGroup(nil, "acme")
		g.AddMember(bot, gitlabsim.Developer)
		app = w.AddProject(g, "app")
	})
	e.nest(projectEgg("app", app.ID, ""))

	u := e.plan().unit(t, "app")
	want := "403 Forbidden; a project egg's api-token needs the Maintainer role on project"
	if !strings.Contains(u.Error, want) || len(u.Actions) != 0 {
		t.Errorf("unit error %q and %d actions, want %q and none", u.Error,
			len(u.Actions), want)
	}
}
