package templates

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

// Every job of hatchery's own pipeline, its own and the included ones,
// has rules that fit the workflow: GitLab leaves a job without rules out
// of merge request pipelines, and a job whose needs are not in the
// pipeline fails the pipeline's creation.
func TestOwnPipelineJobsFitTheWorkflow(t *testing.T) {
	data, p := readOwnPipeline(t)
	own := ownJobs(t, data)
	cs := load(t)
	// The included jobs, with what .gitlab-ci.yml says of them on top.
	for _, inc := range p.Include {
		m := selfInclude.FindStringSubmatch(inc.Component)
		if m == nil || cs[m[1]] == nil {
			t.Fatalf("include %q is not one of this project's components", inc.Component)
		}
		js, err := cs[m[1]].Jobs(inc.Inputs, "")
		if err != nil {
			t.Fatal(err)
		}
		for name, j := range js {
			o := own[name]
			if o.Rules == nil {
				o.Rules = j.Rules
			}
			if o.Needs == nil {
				for _, n := range j.Needs {
					o.Needs = append(o.Needs, map[string]any{"job": n.Job, "optional": n.Optional})
				}
			}
			own[name] = o
		}
	}
	for _, name := range slices.Sorted(maps.Keys(own)) {
		if len(own[name].Rules) == 0 {
			t.Errorf("%s has no rules: GitLab would leave it out of merge request pipelines", name)
		}
	}
	// The pipelines the workflow lets through, and the jobs each must hold.
	every := []string{"test", "lint", "build", "container-image", "hatchery:validate",
		"hatchery:plan"}
	kinds := map[string][]string{
		"merge request":  every,
		"default branch": every,
		"other branch":   every,
		"tag":            append(slices.Clone(every), "release"),
	}
	for kind, want := range kinds {
		vars := pipelines[kind]
		if kind == "tag" {
			vars = map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_DEFAULT_BRANCH": "main",
				"CI_COMMIT_TAG": "1.2.3", "CI_COMMIT_REF_NAME": "1.2.3"}
		}
		in := map[string]bool{}
		for name, j := range own {
			if when, _ := evalRules(t, j.Rules, vars); when != "" {
				in[name] = true
			}
		}
		for _, name := range want {
			if !in[name] {
				t.Errorf("%s pipeline: %s is not in it", kind, name)
			}
		}
		for name := range in {
			for _, n := range own[name].Needs {
				job, optional := needOf(n)
				if !in[job] && !optional {
					t.Errorf("%s pipeline: %s needs %s, which is not in it", kind, name, job)
				}
			}
		}
	}
}

// needOf reads one entry of needs: a job name, or a mapping with job and
// optional.
func needOf(n any) (job string, optional bool) {
	switch v := n.(type) {
	case string:
		return v, false
	case map[string]any:
		o, _ := v["optional"].(bool)
		return fmt.Sprint(v["job"]), o
	}
	return fmt.Sprint(n), false
}
