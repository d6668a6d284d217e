package apply_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/apply"
	"gitlab.com/hatchery/hatchery/internal/config"
	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/plan"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

const apiToken = "glpat-apply-test-0123456789abcdef"

// env is one test's GitLab simulators, secret store and nest.
type env struct {
	t     testing.TB
	sims  map[string]*gitlabsim.Server
	dir   string
	store string // the file store's path
	red   secrets.Redactor
}

func newEnv(t testing.TB) *env {
	dir := t.TempDir()
	return &env{t: t, sims: map[string]*gitlabsim.Server{}, dir: dir,
		store: filepath.Join(dir, "secrets.json")}
}

// server starts a simulator for a GitLab instance named name, with a user
// whose api token the secret store will hold.
func (e *env) server(name string,
	build func(w *gitlabsim.World, u *gitlabsim.User)) *gitlabsim.Server {
	w := gitlabsim.NewWorld()
	u := w.AddUser("hatchery-bot")
	w.AddToken(u, apiToken+"-"+name, "api")
	build(w, u)
	s := gitlabsim.New(w)
	if _, err := s.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { s.Close() })
	e.sims[name] = s
	return s
}

// nest writes the nest and gives every unit its api token.
func (e *env) nest(src string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.dir, "nest.fly"), []byte(src), 0o644); err != nil {
		e.t.Fatal(err)
	}
	st := e.state()
	s := e.openStore(false)
	defer s.Close()
	for _, u := range st.Units {
		token := apiToken + "-" + u.Server
		up := secrets.Update{Values: map[secrets.Type]string{secrets.APIToken: token}}
		key := secrets.Unit{Server: u.Server, Egg: u.Egg}
		if err := s.Write(context.Background(), key, up); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) state() *desired.State {
	e.t.Helper()
	n, diags := config.Load(e.dir)
	if diags.HasErrors() {
		e.t.Fatalf("nest: %s", diags.Error())
	}
	return desired.Compile(n)
}

func (e *env) openStore(readOnly bool) secrets.Store {
	s, err := secrets.OpenFile(e.store, readOnly)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) pool() *gitlab.Pool {
	urls := map[string]string{}
	for name, s := range e.sims {
		urls[name] = s.URL()
	}
	return gitlab.NewPool(gitlab.Config{Overrides: urls, Backoff: 1})
}

// plan plans against the simulators, with the store opened read-only.
func (e *env) plan() *plan.Plan {
	e.t.Helper()
	s := e.openStore(true)
	defer s.Close()
	p, err := (&plan.Planner{Pool: e.pool(), Store: s, Reveal: func(v string) { e.red.Add(v) }}).
		Plan(context.Background(), e.state())
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// apply plans and applies, and returns the plan and the result.
func (e *env) apply(allowDelete bool) (*plan.Plan, *apply.Result) {
	e.t.Helper()
	s := e.openStore(false)
	defer s.Close()
	pool := e.pool()
	p, err := (&plan.Planner{Pool: pool, Store: s}).Plan(context.Background(), e.state())
	if err != nil {
		e.t.Fatal(err)
	}
	var log strings.Builder
	res := (&apply.Applier{Store: s, AllowDelete: allowDelete, Log: &log,
		Reveal: func(v string) { e.red.Add(v) }}).Apply(context.Background(), p)
	e.t.Logf("apply:\n%s", log.String())
	return p, res
}

// converge applies and checks that the next plan has nothing left to do.
func (e *env) converge() *plan.Plan {
	e.t.Helper()
	p, res := e.apply(false)
	if !res.OK() {
		e.t.Fatalf("apply failed: %v", res.Failed)
	}
	if next := e.plan(); next.Changes() || next.Errors() > 0 {
		e.t.Fatalf("plan after apply is not empty:\n%s", text(next))
	}
	return p
}

func (e *env) record(server, egg string) *secrets.Record {
	e.t.Helper()
	s := e.openStore(true)
	defer s.Close()
	r, err := s.Read(context.Background(), secrets.Unit{Server: server, Egg: egg})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func text(p *plan.Plan) string {
	var b strings.Builder
	p.WriteText(&b, plan.Style{})
	return b.String()
}

func projectEgg(name, server string, id int64, body string) string {
	return fmt.Sprintf(`
egg %q {
  gitlab {
    server     = %q
    project_id = %d
  }
%s
}
`, name, server, id, body)
}

func groupEgg(name, server string, id int64, body string) string {
	return fmt.Sprintf(`
egg %q {
  gitlab {
    server   = %q
    group_id = %d
  }
%s
}
`, name, server, id, body)
}

const hookBlock = `
  webhook {
    url    = "https://fleet.example.com/hooks/gitlab"
    events = ["job", "pipeline"]
  }
`

func removeFile(path string) error { return os.Remove(path) }

// nestSource is the nest as last written.
func (e *env) nestSource() string {
	b, err := os.ReadFile(filepath.Join(e.dir, "nest.fly"))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}
