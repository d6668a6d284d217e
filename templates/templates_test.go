package templates

import (
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// jobsOf says which jobs each component defines.
var jobsOf = map[string][]string{
	"validate":      {"hatchery:validate"},
	"plan":          {"hatchery:plan"},
	"apply":         {"hatchery:apply"},
	"drift":         {"hatchery:drift"},
	"full-pipeline": {"hatchery:apply", "hatchery:drift", "hatchery:plan", "hatchery:validate"},
}

// stageInput names the input that sets each job's stage.
var stageInput = map[string]string{
	"hatchery:validate": "validate_stage",
	"hatchery:plan":     "plan_stage",
	"hatchery:apply":    "apply_stage",
	"hatchery:drift":    "drift_stage",
}

func load(t *testing.T) map[string]*Component {
	t.Helper()
	cs, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*Component{}
	for _, c := range cs {
		out[c.Name] = c
	}
	if got := slices.Sorted(maps.Keys(out)); !slices.Equal(got, slices.Sorted(maps.Keys(jobsOf))) {
		t.Fatalf("templates %v, want %v", got, slices.Sorted(maps.Keys(jobsOf)))
	}
	return out
}

func jobs(t *testing.T, c *Component, values map[string]any) map[string]Job {
	t.Helper()
	js, err := c.Jobs(values, "1.2.3")
	if err != nil {
		t.Fatalf("%s: %v", c.Name, err)
	}
	return js
}

func TestInputsAreDescribedTypedAndUsed(t *testing.T) {
	types := []string{"string", "number", "boolean", "array"}
	for name, c := range load(t) {
		t.Run(name, func(t *testing.T) {
			if len(c.Inputs) == 0 {
				t.Fatal("no inputs")
			}
			for _, in := range c.Inputs {
				if !slices.Contains(types, in.Type) {
					t.Errorf("input %s: type %q, want one of %v", in.Name, in.Type, types)
				}
				if len(strings.Fields(in.Description)) < 3 {
					t.Errorf("input %s: description %q says too little", in.Name, in.Description)
				}
				if !in.HasDefault {
					t.Errorf("input %s: no default; every input has one so that "+
						"a bare include works", in.Name)
				}
				if err := defaultFits(in); err != nil {
					t.Errorf("input %s: %v", in.Name, err)
				}
			}
			if unused := c.Unused(); len(unused) > 0 {
				t.Errorf("inputs never used: %v", unused)
			}
		})
	}
}

func defaultFits(in Input) error {
	var ok bool
	switch in.Type {
	case "string":
		_, ok = in.Default.(string)
	case "number":
		_, ok = in.Default.(int)
	case "boolean":
		_, ok = in.Default.(bool)
	case "array":
		_, ok = in.Default.([]any)
	}
	if !ok {
		return fmt.Errorf("default %#v is not a %s", in.Default, in.Type)
	}
	if len(in.Options) > 0 && !slices.Contains(in.Options, in.Default) {
		return fmt.Errorf("default %v is not among the options %v", in.Default, in.Options)
	}
	return nil
}

// An input means the same in every component that takes it, so that the
// README needs one row for it.
func TestInputsAgreeAcrossComponents(t *testing.T) {
	seen := map[string]Input{}
	where := map[string]string{}
	for _, c := range load(t) {
		for _, in := range c.Inputs {
			prev, ok := seen[in.Name]
			if ok && !reflect.DeepEqual(prev, in) {
				t.Errorf("input %s differs between %s and %s:\n%#v\n%#v",
					in.Name, where[in.Name], c.Name, prev, in)
			}
			seen[in.Name], where[in.Name] = in, c.Name
		}
	}
	full := load(t)[Full]
	for name := range seen {
		if _, ok := full.Input(name); !ok {
			t.Errorf("%s lacks input %s", Full, name)
		}
	}
}

func TestUnknownInputIsRefused(t *testing.T) {
	c := load(t)["validate"]
	if _, err := c.Jobs(map[string]any{"nset": "nest"}, "1.2.3"); err == nil {
		t.Fatal("an unknown input was accepted")
	}
}

func TestEachComponentDefinesItsJobs(t *testing.T) {
	for name, c := range load(t) {
		t.Run(name, func(t *testing.T) {
			js := jobs(t, c, nil)
			if got := slices.Sorted(maps.Keys(js)); !slices.Equal(got, jobsOf[name]) {
				t.Fatalf("jobs %v, want %v", got, jobsOf[name])
			}
		})
	}
}

// full-pipeline repeats the other components' jobs; with the same inputs
// they must come out the same.
func TestFullPipelineIsTheOthersTogether(t *testing.T) {
	cs := load(t)
	values := []map[string]any{nil, {
		"nest": "nests/prod", "image": "mirror.example/hatchery", "validate_stage": "check",
		"plan_stage": "review", "apply_stage": "ship", "drift_stage": "watch",
		"lockbox_folder_id": "b1gfolder", "service_account_id": "aje-sa",
		"id_token_audience": "https://aud.example", "auto_apply": true,
		"allow_delete": true, "on_drift": "warn", "parallelism": 3,
	}}
	for i, v := range values {
		full := jobs(t, cs[Full], v)
		for _, name := range []string{"validate", "plan", "apply", "drift"} {
			for job, want := range jobs(t, cs[name], only(cs[name], v)) {
				if !reflect.DeepEqual(full[job], want) {
					t.Errorf("values %d: %s in %s differs from %s:\n%#v\n%#v",
						i, job, Full, name, full[job], want)
				}
			}
		}
	}
}

func TestJobsUseTheirInputs(t *testing.T) {
	c := load(t)[Full]
	js := jobs(t, c, map[string]any{
		"nest": "nests/prod", "image": "mirror.example/hatchery", "validate_stage": "check",
		"plan_stage": "review", "apply_stage": "ship", "drift_stage": "watch",
		"id_token_audience": "https://aud.example", "allow_delete": true, "parallelism": 3,
	})
	for name, j := range js {
		t.Run(name, func(t *testing.T) {
			if want := map[string]string{"hatchery:validate": "check", "hatchery:plan": "review",
				"hatchery:apply": "ship", "hatchery:drift": "watch"}[name]; j.Stage != want {
				t.Errorf("stage %q, want %q (input %s)", j.Stage, want, stageInput[name])
			}
			if j.Image.Name != "mirror.example/hatchery:1.2.3" {
				t.Errorf("image %q, want the image input tagged with the component's version",
					j.Image.Name)
			}
			if !slices.Equal(j.Image.Entrypoint, []string{""}) {
				t.Errorf("entrypoint %q: the runner needs the image's shell, not hatchery",
					j.Image.Entrypoint)
			}
			if n, ok := j.Variables["HATCHERY_NEST"]; ok && n != "nests/prod" {
				t.Errorf("HATCHERY_NEST %q, want the nest input", n)
			}
			if p, ok := j.Variables["HATCHERY_PARALLELISM"]; ok && p != "3" {
				t.Errorf("HATCHERY_PARALLELISM %q, want 3", p)
			}
			for _, line := range j.Script {
				if strings.Contains(line, "hatchery ") && strings.Contains(line, "--parallelism") &&
					!strings.Contains(line, `"$HATCHERY_PARALLELISM"`) {
					t.Errorf("script line %q does not pass the parallelism input", line)
				}
			}
		})
	}
	if got := js["hatchery:apply"].Variables["HATCHERY_ALLOW_DELETE"]; got != "true" {
		t.Errorf("HATCHERY_ALLOW_DELETE %q, want true", got)
	}
}

// Secrets are read where GitLab is planned or changed, and only there:
// those jobs carry the ID token that workload identity federation exchanges.
func TestIDTokensWhereLockboxIsRead(t *testing.T) {
	js := jobs(t, load(t)[Full], map[string]any{"id_token_audience": "https://aud.example"})
	for name, j := range js {
		tok, has := j.IDTokens["HATCHERY_ID_TOKEN"]
		switch name {
		case "hatchery:validate":
			if len(j.IDTokens) > 0 {
				t.Errorf("%s reads no secret but asks for id_tokens", name)
			}
		default:
			if !has || tok.Aud != "https://aud.example" {
				t.Errorf("%s: id token %+v, want HATCHERY_ID_TOKEN with the audience input",
					name, j.IDTokens)
			}
			if j.Variables["HATCHERY_YC_SERVICE_ACCOUNT_ID"] != "" {
				t.Errorf("%s: service account set without the input", name)
			}
		}
	}
}

// Pipelines, by the variables GitLab sets in them.
var pipelines = map[string]map[string]string{
	"merge request": {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_DEFAULT_BRANCH": "main",
		"CI_MERGE_REQUEST_IID": "7", "CI_COMMIT_REF_NAME": "feature"},
	"default branch": {"CI_PIPELINE_SOURCE": "push", "CI_DEFAULT_BRANCH": "main",
		"CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main"},
	"other branch": {"CI_PIPELINE_SOURCE": "push", "CI_DEFAULT_BRANCH": "main",
		"CI_COMMIT_BRANCH": "feature", "CI_COMMIT_REF_NAME": "feature"},
	"schedule": {"CI_PIPELINE_SOURCE": "schedule", "CI_DEFAULT_BRANCH": "main",
		"CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main"},
	"tag": {"CI_PIPELINE_SOURCE": "push", "CI_DEFAULT_BRANCH": "main",
		"CI_COMMIT_TAG": "1.0.0", "CI_COMMIT_REF_NAME": "1.0.0"},
	"web on default branch": {"CI_PIPELINE_SOURCE": "web", "CI_DEFAULT_BRANCH": "main",
		"CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main"},
	"schedule on other branch": {"CI_PIPELINE_SOURCE": "schedule", "CI_DEFAULT_BRANCH": "main",
		"CI_COMMIT_BRANCH": "feature", "CI_COMMIT_REF_NAME": "feature"},
}

func TestRules(t *testing.T) {
	// want[job][pipeline] is the job's when; absent means not in the pipeline.
	tests := []struct {
		name   string
		inputs map[string]any
		want   map[string]map[string]string
	}{
		{"defaults", nil, map[string]map[string]string{
			"hatchery:validate": {"merge request": "on_success", "default branch": "on_success",
				"other branch": "on_success", "schedule": "on_success", "tag": "on_success",
				"web on default branch": "on_success", "schedule on other branch": "on_success"},
			"hatchery:plan": {"merge request": "on_success", "default branch": "on_success",
				"web on default branch": "on_success"},
			"hatchery:apply": {"default branch": "manual", "web on default branch": "manual"},
			"hatchery:drift": {"schedule": "on_success"},
		}},
		{"auto_apply", map[string]any{"auto_apply": true}, map[string]map[string]string{
			"hatchery:apply": {"default branch": "on_success",
				"web on default branch": "on_success"},
		}},
	}
	for _, tt := range tests {
		for name, c := range load(t) {
			for job, j := range jobs(t, c, only(c, tt.inputs)) {
				want, ok := tt.want[job]
				if !ok {
					continue
				}
				for pipeline, vars := range pipelines {
					t.Run(tt.name+"/"+name+"/"+job+"/"+pipeline, func(t *testing.T) {
						got, _ := evalRules(t, j.Rules, vars)
						if got != want[pipeline] {
							t.Errorf("when %q, want %q", got, want[pipeline])
						}
					})
				}
			}
		}
	}
}

// only keeps the values of the inputs that c takes.
func only(c *Component, values map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range values {
		if _, ok := c.Input(k); ok {
			out[k] = v
		}
	}
	return out
}

// The note is posted from merge request pipelines only: elsewhere there is
// no merge request to post it on.
func TestPlanPostsTheNoteOnMergeRequestsOnly(t *testing.T) {
	plan := jobs(t, load(t)["plan"], nil)["hatchery:plan"]
	if !strings.Contains(strings.Join(plan.Script, "\n"), "$HATCHERY_MR_NOTE") {
		t.Fatal("the plan script never passes $HATCHERY_MR_NOTE")
	}
	for pipeline, vars := range pipelines {
		when, ruleVars := evalRules(t, plan.Rules, vars)
		if when == "" {
			continue
		}
		v := plan.Variables["HATCHERY_MR_NOTE"]
		if rv, ok := ruleVars["HATCHERY_MR_NOTE"]; ok {
			v = rv
		}
		if want := map[bool]string{true: "--mr-note"}[pipeline == "merge request"]; v != want {
			t.Errorf("%s: HATCHERY_MR_NOTE %q, want %q", pipeline, v, want)
		}
	}
}

var flagValue = regexp.MustCompile(`--(out|json|widget)[ =](\S+)`)

// scriptFlag returns the value of --out, --json or --widget in a job's script.
func scriptFlag(j Job, flag string) string {
	for _, m := range flagValue.FindAllStringSubmatch(strings.Join(j.Script, "\n"), -1) {
		if m[1] == flag {
			return m[2]
		}
	}
	return ""
}

func TestPlanKeepsWhatApplyAndTheWidgetNeed(t *testing.T) {
	js := jobs(t, load(t)[Full], nil)
	plan, apply := js["hatchery:plan"], js["hatchery:apply"]
	out, saved, widget := scriptFlag(plan, "out"), scriptFlag(plan, "json"),
		scriptFlag(plan, "widget")
	if out == "" || saved == "" || widget == "" {
		t.Fatalf("plan script %q lacks --out, --json or --widget", plan.Script)
	}
	for _, f := range []string{out, saved} {
		if plan.Artifacts == nil || !slices.Contains(plan.Artifacts.Paths, f) {
			t.Errorf("plan artifacts %+v do not keep %s", plan.Artifacts, f)
		}
	}
	if plan.Artifacts != nil && plan.Artifacts.Reports["terraform"] != widget {
		t.Errorf("terraform report %q, want the widget file %s",
			plan.Artifacts.Reports["terraform"], widget)
	}
	script := strings.Join(apply.Script, "\n")
	if !regexp.MustCompile(`hatchery apply ` + regexp.QuoteMeta(out) + `\b`).MatchString(script) {
		t.Errorf("apply script %q does not apply the saved plan %s", apply.Script, out)
	}
	if !strings.Contains(script, `--allow-delete="$HATCHERY_ALLOW_DELETE"`) {
		t.Errorf("apply script %q does not pass allow_delete", apply.Script)
	}
}

func TestNeeds(t *testing.T) {
	yes := true
	js := jobs(t, load(t)[Full], nil)
	want := map[string][]Need{
		"hatchery:validate": {},
		"hatchery:plan":     {{Job: "hatchery:validate", Optional: true}},
		"hatchery:apply":    {{Job: "hatchery:plan", Artifacts: &yes}},
		"hatchery:drift":    {},
	}
	for job, w := range want {
		if got := js[job].Needs; !reflect.DeepEqual(got, w) {
			t.Errorf("%s needs %+v, want %+v", job, got, w)
		}
	}
}

func TestApplyRunsAloneAndIsNotCancelled(t *testing.T) {
	apply := jobs(t, load(t)["apply"], nil)["hatchery:apply"]
	if apply.ResourceGroup == "" {
		t.Error("apply has no resource_group: two applies could overlap")
	}
	if apply.Interruptible == nil || *apply.Interruptible {
		t.Error("apply is interruptible: a newer pipeline could cut it off halfway")
	}
}

// Apply deploys to an environment, so that GitLab's "prevent outdated
// deployment jobs" refuses an older pipeline's apply after a newer one
// ran. No other job names the environment: GitLab would count it as a
// deployment too.
func TestApplyDeploysToAnEnvironment(t *testing.T) {
	for name, j := range jobs(t, load(t)[Full], nil) {
		switch {
		case name == "hatchery:apply" && (j.Environment == nil || j.Environment.Name == "" ||
			(j.Environment.Action != "" && j.Environment.Action != "start")):
			t.Errorf("%s: environment %+v, want one it deploys to", name, j.Environment)
		case name != "hatchery:apply" && j.Environment != nil:
			t.Errorf("%s: environment %+v; only apply deploys", name, j.Environment)
		}
	}
}

func TestDriftExitsByOnDrift(t *testing.T) {
	for _, mode := range []string{"fail", "warn"} {
		drift := jobs(t, load(t)["drift"], map[string]any{"on_drift": mode})["hatchery:drift"]
		script := strings.Join(drift.Script, "\n")
		if !strings.Contains(script, "--detailed-exitcode") {
			t.Fatalf("drift script %q does not ask for --detailed-exitcode", script)
		}
		if drift.Variables["HATCHERY_ON_DRIFT"] != mode {
			t.Errorf("HATCHERY_ON_DRIFT %q, want %q", drift.Variables["HATCHERY_ON_DRIFT"], mode)
		}
		if drift.AllowFailure == nil || !slices.Equal(drift.AllowFailure.ExitCodes, []int{2}) {
			t.Errorf("allow_failure %+v, want exit code 2 (drift) alone", drift.AllowFailure)
		}
	}
}

// The saved plan and the JSON name every project, group and runner of the
// nest: people without the Developer role, such as the public on a public
// project, must not download them.
func TestPlanArtifactsAreForDevelopers(t *testing.T) {
	js := jobs(t, load(t)[Full], nil)
	for _, name := range []string{"hatchery:plan", "hatchery:drift"} {
		if a := js[name].Artifacts; a == nil || a.Access != "developer" {
			t.Errorf("%s artifacts %+v, want access: developer", name, a)
		}
	}
}

// Two includes of the full pipeline, one per nest, give two sets of jobs
// that share nothing: no job name (GitLab would merge them into one), no
// artifact, no resource group, no environment.
func TestTwoNestsInOneProjectStayApart(t *testing.T) {
	full := load(t)[Full]
	seen := map[string]string{}
	claim := func(what, by string) {
		if prev, ok := seen[what]; ok {
			t.Errorf("%s is used by both %s and %s", what, prev, by)
		}
		seen[what] = by
	}
	for _, nest := range []string{"prod", "staging"} {
		js := jobs(t, full, map[string]any{"name": nest, "nest": "nests/" + nest})
		for name, j := range js {
			if !strings.HasPrefix(name, nest+":") {
				t.Errorf("job %s is not named after the include's name %s", name, nest)
			}
			claim("job "+name, nest)
			if j.Artifacts != nil {
				claim("artifacts name "+j.Artifacts.Name, nest)
				for _, p := range j.Artifacts.Paths {
					claim("artifact "+p, nest)
				}
			}
			if j.ResourceGroup != "" {
				claim("resource group "+j.ResourceGroup, nest)
			}
			if j.Environment != nil {
				claim("environment "+j.Environment.Name, nest)
			}
			for _, n := range j.Needs {
				if _, ok := js[n.Job]; !ok {
					t.Errorf("%s needs %s, not a job of its own include", name, n.Job)
				}
			}
		}
		plan, apply := js[nest+":plan"], js[nest+":apply"]
		if out := scriptFlag(plan, "out"); !strings.Contains(strings.Join(apply.Script, "\n"),
			"hatchery apply "+out+" ") {
			t.Errorf("%s:apply does not apply its own plan %s: %q", nest, out, apply.Script)
		}
	}
}
