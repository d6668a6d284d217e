package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gitlab.com/hatchery/hatchery/examples"
	"gitlab.com/hatchery/hatchery/internal/apply"
	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/lockboxsim"
	"gitlab.com/hatchery/hatchery/internal/plan"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

type demoCmd struct {
	Dir     string `arg:"" optional:"" help:"${demo_dir}"`
	Serve   bool   `help:"${demo_serve}"`
	Secrets string `enum:"file,lockbox" default:"file" help:"${demo_secrets}"`
}

// Run builds a simulated GitLab that holds every project and group the
// nest names, a secret store with their api tokens, and then plans,
// applies and plans again, printing all three.
func (c *demoCmd) Run(ctx context.Context, env *Env) error {
	if c.Serve && c.Secrets == secrets.BackendLockbox {
		return &exitError{code: ExitUsage, err: withHint(
			errors.New("demo --serve keeps secrets in a file only"),
			"drop --secrets lockbox to try plan and apply by hand")}
	}
	work, err := os.MkdirTemp("", "hatchery-demo-")
	if err != nil {
		return err
	}
	dir := c.Dir
	defer cleanDemo(work, c.Serve && dir == "")
	if dir == "" {
		dir = filepath.Join(work, "nest")
		if err := os.CopyFS(dir, mustSub(examples.Nest, "nest")); err != nil {
			return fmt.Errorf("write the example nest: %w", err)
		}
	}
	_, state, err := loadState(env, dir)
	if err != nil {
		return err
	}
	d, err := startDemo(ctx, env, state, filepath.Join(work, "secrets.json"), c.Secrets)
	if err != nil {
		return err
	}
	defer d.close()
	if c.Serve {
		return d.serve(ctx, env, dir, c.Dir == "")
	}
	return d.run(ctx, env, state)
}

// demo is a running set of simulated GitLab instances and the store
// (a file, or a simulated Lockbox) that holds their api tokens.
type demo struct {
	sims      map[string]*gitlabsim.Server
	storePath string
	lockbox   *lockboxsim.Server // nil: the file at storePath
	iamToken  string             // the simulated Lockbox's one token
}

func startDemo(ctx context.Context, env *Env, state *desired.State, storePath,
	backend string) (_ *demo, err error) {
	d := &demo{sims: map[string]*gitlabsim.Server{}, storePath: storePath}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	if backend == secrets.BackendLockbox {
		if d.lockbox, d.iamToken, err = startDemoLockbox(); err != nil {
			return nil, err
		}
	}
	store, err := d.openStore(ctx, env)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	for _, server := range servers(state) {
		w, opts, err := gitlabsim.Load(demoFixture(state, server))
		if err != nil {
			return nil, fmt.Errorf("build the simulated %s: %w", server, err)
		}
		w.SeedTokens(server)
		sim := gitlabsim.New(w, opts...)
		if _, err := sim.Start(); err != nil {
			return nil, err
		}
		d.sims[server] = sim
	}
	for _, u := range state.Units {
		token := demoToken(u.Server)
		up := secrets.Update{Values: map[secrets.Type]string{secrets.APIToken: token}}
		if err := store.Write(ctx, u.Key(), up); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (d *demo) close() {
	for _, s := range d.sims {
		s.Close()
	}
	if d.lockbox != nil {
		d.lockbox.Close()
	}
}

// urls is the value of HATCHERY_SERVER_URLS that points at the simulators.
func (d *demo) urls() string {
	var pairs []string
	for _, name := range slices.Sorted(maps.Keys(d.sims)) {
		pairs = append(pairs, name+"="+d.sims[name].URL())
	}
	return strings.Join(pairs, ",")
}

func (d *demo) run(ctx context.Context, env *Env, state *desired.State) error {
	overrides, _ := gitlab.ParseServerURLs(d.urls())
	pool := gitlab.NewPool(gitlab.Config{Overrides: overrides, Logger: env.Logger,
		Notify: env.notifier()})
	store, err := d.openStore(ctx, env)
	if err != nil {
		return err
	}
	defer store.Close()
	planner := &plan.Planner{Pool: pool, Store: store, Reveal: env.reveal}
	applier := &apply.Applier{Store: store, Log: env.Stdout, Reveal: env.reveal}

	hosts := slices.Sorted(maps.Keys(d.sims))
	fmt.Fprintf(env.Stdout, "Simulated GitLab: %s\n", strings.Join(hosts, ", "))
	if d.lockbox != nil {
		fmt.Fprintf(env.Stdout, "Simulated Lockbox: folder %s\n", demoFolder)
	}
	fmt.Fprintln(env.Stdout)
	for i, step := range []string{"plan", "apply", "plan again"} {
		fmt.Fprintf(env.Stdout, "%s── hatchery %s ──\n\n", blank(i), step)
		p, err := planner.Plan(ctx, state)
		if err != nil {
			return err
		}
		if step != "apply" {
			if err := writePlan(env, p, "text"); err != nil {
				return err
			}
			continue
		}
		if err := applyOutcome(env, p.Errors(), applier.Apply(ctx, p)); err != nil {
			return err
		}
	}
	return nil
}

// cleanDemo removes what the demo wrote to work: the secrets file with the
// simulators' tokens and the rest. Only the example nest that --serve
// tells the user to edit is kept, keepNest says when.
func cleanDemo(work string, keepNest bool) {
	if !keepNest {
		os.RemoveAll(work)
		return
	}
	entries, _ := os.ReadDir(work)
	for _, e := range entries {
		if e.Name() != "nest" {
			os.RemoveAll(filepath.Join(work, e.Name()))
		}
	}
}

func blank(i int) string {
	if i == 0 {
		return ""
	}
	return "\n"
}

// serve prints how to reach the simulators and waits for Ctrl-C.
func (d *demo) serve(ctx context.Context, env *Env, dir string, builtIn bool) error {
	fmt.Fprintf(env.Stdout, "Simulated GitLab is running. In another shell:\n\n")
	fmt.Fprintf(env.Stdout, "  export HATCHERY_SERVER_URLS=%s\n", d.urls())
	fmt.Fprintf(env.Stdout, "  export %s=file:%s\n", secrets.EnvOverride, d.storePath)
	fmt.Fprintf(env.Stdout, "  hatchery plan %s\n  hatchery apply %s\n\n", dir, dir)
	if builtIn {
		fmt.Fprintf(env.Stdout, "The example nest was written to %s; "+
			"edit it and plan again.\n", dir)
	}
	d.printCI(env, dir)
	fmt.Fprintf(env.Stdout, "Press Ctrl-C to stop.\n")
	<-ctx.Done()
	return nil
}

// printCI prints what a merge request pipeline of the nest's own project
// would set, so that plan --mr-note can be tried by hand.
func (d *demo) printCI(env *Env, dir string) {
	host := slices.Sorted(maps.Keys(d.sims))[0]
	sim := d.sims[host]
	var id int64
	sim.View(func(w *gitlabsim.World) {
		if p := w.ProjectByPath(demoNestProject); p != nil {
			id = p.ID
		}
	})
	if id == 0 {
		return
	}
	fmt.Fprintf(env.Stdout, "\nThe nest's own project %s on %s has merge request !1 open. "+
		"To post the plan on it as its pipeline would:\n\n", demoNestProject, host)
	for _, kv := range [][2]string{
		{"CI_API_V4_URL", sim.URL() + "/api/v4"},
		{"CI_SERVER_HOST", host},
		{"CI_PROJECT_ID", fmt.Sprint(id)},
		{"CI_MERGE_REQUEST_PROJECT_ID", fmt.Sprint(id)},
		{"CI_MERGE_REQUEST_IID", "1"},
		{"CI_JOB_URL", sim.URL() + "/" + demoNestProject + "/-/jobs/1"},
		{"CI_COMMIT_SHORT_SHA", "0000000"},
		{noteTokenVar, demoNoteToken(host)},
	} {
		fmt.Fprintf(env.Stdout, "  export %s=%s\n", kv[0], kv[1])
	}
	fmt.Fprintf(env.Stdout, "  hatchery plan --mr-note %s\n\n", dir)
	fmt.Fprintf(env.Stdout, "Run it twice: the second run edits the note. "+
		"The merge request's notes: curl -H 'PRIVATE-TOKEN: %s' %s/api/v4/projects/%d/"+
		"merge_requests/1/notes\n\n", demoNoteToken(host), sim.URL(), id)
}

// servers lists the servers the nest names, sorted.
func servers(state *desired.State) []string {
	var out []string
	for _, u := range state.Units {
		out = append(out, u.Server)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func demoToken(server string) string {
	return "glpat-demo-" + strings.NewReplacer(".", "-", ":", "-").Replace(server)
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
