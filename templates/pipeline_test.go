package templates

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// This test runs the full pipeline the way a nest's own GitLab would, with
// gitlab-ci-local in shell-executor mode: the example nest in a git
// repository whose .gitlab-ci.yml includes templates/full-pipeline.yml,
// hatchery built from this tree on PATH, and `hatchery demo --serve` as
// the GitLab that plan and apply talk to. gitlab-ci-local checks the YAML
// against GitLab's schema on the way. .ci/run installs it; elsewhere the
// test is skipped.

const gclVersion = "4.70.1"

// gclEnv is what the test needs to drive gitlab-ci-local.
type gclEnv struct {
	gcl, bin, repo, home string
	vars                 map[string]string // HATCHERY_SERVER_URLS and HATCHERY_SECRETS
	mrVars               map[string]string // the demo's merge request and note token
	sims                 map[string]string // server -> simulator URL
}

func TestPipelineUnderGitLabCILocal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs gitlab-ci-local; skipped with -short")
	}
	gcl, err := exec.LookPath("gitlab-ci-local")
	if err != nil {
		t.Skipf("gitlab-ci-local is not on PATH; .ci/run installs gitlab-ci-local@%s "+
			"(npm) and rsync (Debian) and runs this test", gclVersion)
	}
	if _, err := exec.LookPath("rsync"); err != nil {
		t.Skip("rsync is not on PATH; gitlab-ci-local needs it (apt-get install rsync)")
	}
	e := &gclEnv{gcl: gcl, home: t.TempDir()}
	e.logVersion(t)
	e.bin = buildHatchery(t)
	e.repo = nestRepo(t)

	t.Log("which jobs each kind of pipeline gets, by gitlab-ci-local's reading of the rules")
	for name, vars := range pipelines {
		e.checkJobList(t, name, vars)
	}

	t.Log("hatchery's own .gitlab-ci.yml, with the component included from this tree")
	e.checkOwnPipeline(t)

	t.Log("validate, as every pipeline runs it")
	e.mustPass(t, e.run(t, append(pipelineVars("merge request"), "hatchery:validate")...),
		"hatchery:validate")

	if missing := missingFlags(t, e.bin); len(missing) > 0 {
		t.Fatalf("the jobs use hatchery flags that do not exist: %s",
			strings.Join(missing, ", "))
	}
	e.startDemo(t)
	before := e.world(t)

	t.Log("a merge request pipeline, twice: validate and plan, one note, no other change")
	for range 2 {
		out := e.run(t, pipelineVars("merge request", e.mrVars)...)
		e.mustPass(t, out, "hatchery:validate", "hatchery:plan")
		if !strings.Contains(out, "to create") {
			t.Errorf("the plan job's log shows no plan:\n%s", out)
		}
	}
	after := e.world(t)
	if !sameRunnersAndHooks(before, after) {
		t.Errorf("a merge request pipeline changed GitLab")
	}
	e.checkNote(t, after)
	e.checkPlanArtifacts(t)

	t.Log("a scheduled pipeline before apply: drift fails the job")
	out := e.run(t, pipelineVars("schedule")...)
	if !strings.Contains(out, "FAIL  hatchery:drift") {
		t.Errorf("drift did not fail before apply:\n%s", out)
	}

	t.Log("a default branch pipeline with the manual apply started")
	out = e.run(t, append(pipelineVars("default branch"), "--manual", "hatchery:apply")...)
	e.mustPass(t, out, "hatchery:validate", "hatchery:plan", "hatchery:apply")
	checkApplied(t, e.world(t))

	t.Log("a scheduled pipeline after apply: no drift")
	e.mustPass(t, e.run(t, pipelineVars("schedule")...), "hatchery:validate", "hatchery:drift")
}

func (e *gclEnv) logVersion(t *testing.T) {
	out, err := exec.Command(e.gcl, "--version").Output()
	if err != nil {
		t.Fatalf("gitlab-ci-local --version: %v", err)
	}
	if v := strings.TrimSpace(string(out)); v != gclVersion {
		t.Logf("gitlab-ci-local is %s; the test was written against %s", v, gclVersion)
	}
}

// buildHatchery builds this tree's hatchery into a new directory.
func buildHatchery(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "hatchery"),
		"gitlab.com/hatchery/hatchery/cmd/hatchery")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// nestRepo makes a nest repository: the example nest in examples/nest, the
// component in templates/, and a .gitlab-ci.yml that includes it, on a
// branch main that is also origin's default.
func nestRepo(t *testing.T) string {
	t.Helper()
	repo := t.TempDir()
	nest := filepath.Join(repo, "examples", "nest")
	if err := os.CopyFS(nest, os.DirFS("../examples/nest")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(repo, "templates"), files); err != nil {
		t.Fatal(err)
	}
	ci := "include:\n  - local: templates/full-pipeline.yml\n" +
		"    inputs:\n      nest: examples/nest\n      parallelism: 4\n"
	if err := os.WriteFile(filepath.Join(repo, ".gitlab-ci.yml"), []byte(ci), 0o644); err != nil {
		t.Fatal(err)
	}
	// origin is never contacted: gitlab-ci-local reads project names and the
	// default branch from it.
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"config", "user.name", "nest"},
		{"config", "user.email", "nest@example.com"},
		{"add", "."},
		{"commit", "-q", "-m", "nest"},
		{"remote", "add", "origin", "https://127.0.0.1/acme/nest.git"},
		{"update-ref", "refs/remotes/origin/main", "HEAD"},
		{"symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return repo
}

// pipelineVars are the variables of a pipeline kind and any extra ones,
// as --variable and --unset-variable arguments for gitlab-ci-local, which
// otherwise sets them from the repository as for a push.
func pipelineVars(kind string, extra ...map[string]string) []string {
	vars := maps.Clone(pipelines[kind])
	for _, m := range extra {
		maps.Copy(vars, m)
	}
	keys := slices.Sorted(maps.Keys(vars))
	// gitlab-ci-local takes this flag once; a second one breaks it.
	args := []string{"--ignore-predefined-vars", strings.Join(keys, ",")}
	for _, k := range keys {
		args = append(args, "--variable", k+"="+vars[k])
	}
	for _, k := range []string{"CI_COMMIT_BRANCH", "CI_COMMIT_TAG", "CI_MERGE_REQUEST_IID"} {
		if _, ok := vars[k]; !ok {
			args = append(args, "--unset-variable", k)
		}
	}
	return args
}

// run runs gitlab-ci-local in the nest repository and returns its output;
// a failed pipeline is the caller's to judge.
func (e *gclEnv) run(t *testing.T, args ...string) string {
	t.Helper()
	all := []string{"--home", e.home, "--force-shell-executor",
		"--shell-isolation", "--no-color", "--max-job-name-padding", "0"}
	for _, k := range slices.Sorted(maps.Keys(e.vars)) {
		all = append(all, "--variable", k+"="+e.vars[k])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.gcl, append(all, args...)...)
	cmd.Dir = e.repo
	cmd.Env = append(os.Environ(), "HOME="+e.home, "NO_COLOR=1",
		"PATH="+e.bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("gitlab-ci-local: %v", err)
	}
	return string(out)
}

func (e *gclEnv) mustPass(t *testing.T, out string, jobs ...string) {
	t.Helper()
	for _, j := range jobs {
		if !strings.Contains(out, "PASS  "+j) {
			t.Fatalf("job %s did not pass:\n%s", j, out)
		}
	}
}

// checkJobList compares gitlab-ci-local's job list for a pipeline kind
// with TestRules' expectations for the default inputs.
func (e *gclEnv) checkJobList(t *testing.T, kind string, vars map[string]string) {
	t.Helper()
	out := e.run(t, append(pipelineVars(kind), "--list-json")...)
	start := strings.Index(out, "\n[") + 1
	var listed []struct {
		Name string `json:"name"`
		When string `json:"when"`
	}
	if start == 0 || json.Unmarshal([]byte(out[start:]), &listed) != nil {
		t.Fatalf("%s: gitlab-ci-local --list-json printed no job list:\n%s", kind, out)
	}
	got := map[string]string{}
	for _, j := range listed {
		if j.When != "never" {
			got[j.Name] = j.When
		}
	}
	want := map[string]string{}
	js := jobs(t, load(t)[Full], nil)
	for job := range stageInput {
		if w, _ := evalRules(t, js[job].Rules, vars); w != "" {
			want[job] = w
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s pipeline: gitlab-ci-local lists %v, the rules say %v", kind, got, want)
	}
}

// checkNote checks that the merge request has exactly one note with the
// plan, however often the plan job ran.
func (e *gclEnv) checkNote(t *testing.T, w world) {
	t.Helper()
	if e.mrVars["CI_PROJECT_ID"] == "" {
		t.Log("hatchery demo --serve offers no merge request; the note is not checked")
		return
	}
	sw := w[e.mrVars["CI_SERVER_HOST"]]
	if sw == nil {
		t.Fatalf("no simulator for the nest's server %q", e.mrVars["CI_SERVER_HOST"])
	}
	var notes []string
	for _, p := range sw.Projects {
		if fmt.Sprint(p.ID) != e.mrVars["CI_PROJECT_ID"] {
			continue
		}
		for _, mr := range p.MergeRequests {
			for _, n := range mr.Notes {
				if mr.IID == 1 {
					notes = append(notes, n.Body)
				}
			}
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "26 to create") {
		t.Errorf("merge request !1 has notes %q, want one with the plan", notes)
	}
}

// checkPlanArtifacts checks what the plan job kept, the saved plan and
// its JSON with a format_version, and the terraform report it wrote.
// gitlab-ci-local keeps a job's artifacts and build directory under the
// job's name with ":" spelled "Og", and reports only in the build.
func (e *gclEnv) checkPlanArtifacts(t *testing.T) {
	t.Helper()
	state := filepath.Join(e.repo, ".gitlab-ci-local")
	dir := filepath.Join(state, "artifacts", "hatcheryOgplan")
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	slices.Sort(names)
	if want := []string{"hatchery-plan.json", "hatchery.plan"}; !slices.Equal(names, want) {
		all, _ := exec.Command("find", filepath.Join(state, "artifacts")).CombinedOutput()
		t.Fatalf("plan artifacts in %s: %v, want %v; there are:\n%s", dir, names, want, all)
	}
	var plan map[string]any
	if data, err := os.ReadFile(filepath.Join(dir, "hatchery-plan.json")); err != nil ||
		json.Unmarshal(data, &plan) != nil || plan["format_version"] == nil {
		t.Errorf("hatchery-plan.json is not a plan with a format_version: %v", err)
	}
	var report struct{ Create, Update, Delete *int }
	widget := filepath.Join(state, "builds", "hatcheryOgplan", "hatchery-widget.json")
	data, err := os.ReadFile(widget)
	if err != nil || json.Unmarshal(data, &report) != nil || report.Create == nil ||
		*report.Create == 0 || report.Update == nil || report.Delete == nil {
		t.Errorf("%s is not a terraform report with creations: %v %s", widget, err, data)
	}
}

// missingFlags lists the flags the jobs pass that hatchery does not have.
func missingFlags(t *testing.T, bin string) []string {
	out, err := exec.Command(filepath.Join(bin, "hatchery"), "plan", "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("hatchery plan --help: %v\n%s", err, out)
	}
	var missing []string
	for _, f := range []string{"--out", "--json", "--widget", "--mr-note"} {
		if !strings.Contains(string(out), f) {
			missing = append(missing, "plan "+f)
		}
	}
	return missing
}

// startDemo starts `hatchery demo --serve` on the nest and reads the
// variables it prints for plan and apply.
func (e *gclEnv) startDemo(t *testing.T) {
	t.Helper()
	cmd := exec.Command(filepath.Join(e.bin, "hatchery"), "demo", "--serve",
		filepath.Join(e.repo, "examples", "nest"))
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})
	lines := make(chan string)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
	}()
	e.vars, e.mrVars = map[string]string{}, map[string]string{}
	timeout := time.After(30 * time.Second)
	for done := false; !done; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("hatchery demo --serve ended before printing its variables")
			}
			done = strings.HasPrefix(line, "Press Ctrl-C")
			k, v, found := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "export "), "=")
			switch {
			case !found || !strings.HasPrefix(strings.TrimSpace(line), "export "):
			case k == "HATCHERY_SERVER_URLS" || k == "HATCHERY_SECRETS":
				e.vars[k] = v
			default:
				e.mrVars[k] = v
			}
		case <-timeout:
			t.Fatal("hatchery demo --serve did not say it was ready in 30s")
		}
	}
	if len(e.vars) != 2 {
		t.Fatalf("hatchery demo --serve printed %v, want HATCHERY_SERVER_URLS and HATCHERY_SECRETS",
			e.vars)
	}
	go func() {
		for range lines {
		}
	}()
	e.sims = map[string]string{}
	for _, pair := range strings.Split(e.vars["HATCHERY_SERVER_URLS"], ",") {
		server, u, _ := strings.Cut(pair, "=")
		pu, err := url.Parse(u)
		if err != nil || pu.Hostname() != "127.0.0.1" {
			t.Fatalf("simulator %s is at %q, not on 127.0.0.1", server, u)
		}
		e.sims[server] = u
	}
}

// world is every simulator's /-/sim/world, by server.
type world map[string]*simWorld

type simWorld struct {
	Projects []struct {
		ID    int64  `json:"id"`
		Path  string `json:"path_with_namespace"`
		Hooks []struct {
			URL      string `json:"url"`
			HasToken bool   `json:"has_token"`
		} `json:"hooks"`
		MergeRequests []struct {
			IID   int64 `json:"iid"`
			Notes []struct {
				Body string `json:"body"`
			} `json:"notes"`
		} `json:"merge_requests"`
	} `json:"projects"`
	Runners []struct {
		Description     string  `json:"description"`
		MaintenanceNote string  `json:"maintenance_note"`
		Group           string  `json:"group"`
		Projects        []int64 `json:"projects"`
	} `json:"runners"`
}

func (e *gclEnv) world(t *testing.T) world {
	t.Helper()
	w := world{}
	for server, u := range e.sims {
		resp, err := http.Get(u + "/-/sim/world")
		if err != nil {
			t.Fatal(err)
		}
		var sw simWorld
		err = json.NewDecoder(resp.Body).Decode(&sw)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("world of %s: %v", server, err)
		}
		w[server] = &sw
	}
	return w
}

func sameRunnersAndHooks(a, b world) bool {
	strip := func(w world) string {
		type view struct{ Runners, Hooks any }
		out := map[string]view{}
		for server, sw := range w {
			hooks := map[int64]any{}
			for _, p := range sw.Projects {
				hooks[p.ID] = p.Hooks
			}
			out[server] = view{sw.Runners, hooks}
		}
		data, _ := json.Marshal(out)
		return string(data)
	}
	return strip(a) == strip(b)
}

// checkApplied checks the world against what examples/nest declares.
func checkApplied(t *testing.T, w world) {
	t.Helper()
	wantEggs := map[string][]string{
		"gitlab.com":         {"build-fleet", "my-app", "selected-services"},
		"gitlab.company.com": {"platform-team", "selected-services"},
	}
	withHook := map[string][]string{
		"gitlab.com": {"acme/api", "acme/build-fleet", "acme/my-app", "acme/payment"},
		"gitlab.company.com": {"platform-team/api", "platform-team/sandbox",
			"platform-team/tools/ci-templates", "platform-team/worker", "team-a/api",
			"team-a/legacy-billing", "team-a/tools/ci-templates", "team-a/worker"},
	}
	for server, eggs := range wantEggs {
		sw := w[server]
		if sw == nil {
			t.Fatalf("no simulator for %s", server)
		}
		var got []string
		for _, r := range sw.Runners {
			for _, egg := range eggs {
				if strings.Contains(r.Description+" "+r.MaintenanceNote, "hatchery:"+egg) {
					got = append(got, egg)
				}
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, eggs) {
			t.Errorf("%s: runners of eggs %v, want one each for %v", server, got, eggs)
		}
		var hooked []string
		for _, p := range sw.Projects {
			for _, h := range p.Hooks {
				if h.URL == "https://fleet.example.com/hooks/gitlab" && h.HasToken {
					hooked = append(hooked, p.Path)
				}
			}
		}
		slices.Sort(hooked)
		if !slices.Equal(hooked, withHook[server]) {
			t.Errorf("%s: hooks with a secret on %v, want %v", server, hooked, withHook[server])
		}
	}
}
