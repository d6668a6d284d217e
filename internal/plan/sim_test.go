package plan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/config"
	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// simToken is the api-token of the simulated GitLab's only user.
const simToken = "glpat-plan-test-0123456789abcdef"

// simEnv is a simulated gitlab.com on loopback, a nest and a file store.
type simEnv struct {
	t     testing.TB
	sim   *gitlabsim.Server
	dir   string
	store string
}

// newSim starts a simulated gitlab.com built by build, whose user
// hatchery-bot holds simToken.
func newSim(t testing.TB, build func(w *gitlabsim.World, bot *gitlabsim.User)) *simEnv {
	t.Helper()
	w := gitlabsim.NewWorld()
	bot := w.AddUser("hatchery-bot")
	w.AddToken(bot, simToken, "api")
	build(w, bot)
	s := gitlabsim.New(w)
	if _, err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	dir := t.TempDir()
	return &simEnv{t: t, sim: s, dir: dir, store: filepath.Join(dir, "secrets.json")}
}

// nest writes the nest and stores the api-token of each of its units.
func (e *simEnv) nest(src string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.dir, "nest.fly"), []byte(src), 0o644); err != nil {
		e.t.Fatal(err)
	}
	for _, u := range e.state().Units {
		e.write(u.Egg, secrets.Update{Values: map[secrets.Type]string{
			secrets.APIToken: simToken}})
	}
}

// write merges up into the record of egg on gitlab.com.
func (e *simEnv) write(egg string, up secrets.Update) {
	e.t.Helper()
	s, err := secrets.OpenFile(e.store, false)
	if err != nil {
		e.t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(context.Background(), secrets.Unit{Server: "gitlab.com", Egg: egg},
		up); err != nil {
		e.t.Fatal(err)
	}
}

func (e *simEnv) state() *desired.State {
	e.t.Helper()
	n, diags := config.Load(e.dir)
	if diags.HasErrors() {
		e.t.Fatalf("nest: %s", diags.Error())
	}
	return desired.Compile(n)
}

func (e *simEnv) planner() (*Planner, func()) {
	e.t.Helper()
	s, err := secrets.OpenFile(e.store, true)
	if err != nil {
		e.t.Fatal(err)
	}
	pool := gitlab.NewPool(gitlab.Config{
		Overrides: map[string]string{"gitlab.com": e.sim.URL()}, Backoff: 1})
	return &Planner{Pool: pool, Store: s}, func() { s.Close() }
}

// plan plans the nest against the simulator and checks that it sent
// nothing but GET requests.
func (e *simEnv) plan() *Plan {
	e.t.Helper()
	pl, done := e.planner()
	defer done()
	e.sim.ResetRequests()
	p, err := pl.Plan(context.Background(), e.state())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range e.sim.Requests() {
		if r.Method != "GET" {
			e.t.Errorf("plan sent %s", r)
		}
	}
	return p
}

// unit is the plan's unit of egg; it fails the test when there is none.
func (p *Plan) unit(t *testing.T, egg string) *Unit {
	t.Helper()
	for _, u := range p.Units {
		if u.Egg == egg {
			return u
		}
	}
	t.Fatalf("no unit %s in the plan:\n%s", egg, plainText(p))
	return nil
}

func plainText(p *Plan) string {
	var b strings.Builder
	if err := p.WriteText(&b, Style{}); err != nil {
		return err.Error()
	}
	return b.String()
}

// projectEgg is the source of an egg for project id with body inside.
func projectEgg(name string, id int64, body string) string {
	return fmt.Sprintf("egg %q {\n  gitlab {\n    server     = \"gitlab.com\"\n"+
		"    project_id = %d\n  }\n%s}\n", name, id, body)
}

// groupEgg is the source of an egg for group id with body inside.
func groupEgg(name string, id int64, body string) string {
	return fmt.Sprintf("egg %q {\n  gitlab {\n    server   = \"gitlab.com\"\n"+
		"    group_id = %d\n  }\n%s}\n", name, id, body)
}

const webhookBlock = `  webhook {
    url = "https://fleet.example.com/hooks/gitlab"
  }
`

// checkRunner fails the test unless the unit uses runner want, or plans a
// new runner when want is nil.
func checkRunner(t *testing.T, p *Plan, u *Unit, want *gitlabsim.Runner) {
	t.Helper()
	creates := count(u.Actions, OpCreate, ObjRunner)
	switch {
	case want == nil && (u.RunnerID != 0 || creates != 1):
		t.Errorf("runner %d and %d creates, want a new runner:\n%s",
			u.RunnerID, creates, plainText(p))
	case want != nil && (u.RunnerID != want.ID || creates != 0):
		t.Errorf("runner %d and %d creates, want runner %d:\n%s",
			u.RunnerID, creates, want.ID, plainText(p))
	}
}

// checkWarnings fails the test unless the unit has no warning when warned
// is empty, or else exactly one that mentions warned.
func checkWarnings(t *testing.T, u *Unit, warned string) {
	t.Helper()
	switch {
	case warned == "" && len(u.Warnings) > 0:
		t.Errorf("warnings %q, want none", u.Warnings)
	case warned != "" && (len(u.Warnings) != 1 || !strings.Contains(u.Warnings[0], warned)):
		t.Errorf("warnings %q, want one about %q", u.Warnings, warned)
	}
}
