package templates

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// hatchery's own .gitlab-ci.yml: it includes the component from the same
// commit, and releases on semantic-version tags.

type ownPipeline struct {
	Include []struct {
		Component string         `yaml:"component"`
		Inputs    map[string]any `yaml:"inputs"`
	} `yaml:"include"`
	Image struct {
		Script []string `yaml:"script"`
	} `yaml:"container-image"`
	Release struct {
		Rules   []Rule   `yaml:"rules"`
		Needs   []string `yaml:"needs"`
		Release struct {
			TagName string `yaml:"tag_name"`
		} `yaml:"release"`
	} `yaml:"release"`
}

func readOwnPipeline(t *testing.T) ([]byte, ownPipeline) {
	t.Helper()
	data, err := os.ReadFile("../.gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	var p ownPipeline
	if err := yaml.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	return data, p
}

var selfInclude = regexp.MustCompile(
	`^\$CI_SERVER_FQDN/\$CI_PROJECT_PATH/([a-z-]+)@\$CI_COMMIT_SHA$`)

// ownJob is the part of a job of .gitlab-ci.yml that the tests read.
type ownJob struct {
	Image   Image  `yaml:"-"`
	Needs   []any  `yaml:"needs"`
	Rules   []Rule `yaml:"rules"`
	Stage   string `yaml:"stage"`
	Extends string `yaml:"extends"`
}

// ownJobs reads the jobs of .gitlab-ci.yml: the top-level keys that are
// mappings, other than GitLab's own keywords and hidden keys, with the
// rules and needs of what they extend where they have none.
func ownJobs(t *testing.T, data []byte) map[string]ownJob {
	t.Helper()
	all := ownKeys(t, data)
	out := map[string]ownJob{}
	for name, j := range all {
		if strings.HasPrefix(name, ".") {
			continue
		}
		for base, depth := j.Extends, 0; base != "" && depth < 10; depth++ {
			b, ok := all[base]
			if !ok {
				t.Fatalf(".gitlab-ci.yml: %s extends %s, which does not exist", name, base)
			}
			if j.Rules == nil {
				j.Rules = b.Rules
			}
			if j.Needs == nil {
				j.Needs = b.Needs
			}
			base = b.Extends
		}
		out[name] = j
	}
	return out
}

// ownKeys reads every top-level mapping of .gitlab-ci.yml that is not one
// of GitLab's global keywords, hidden ones too.
func ownKeys(t *testing.T, data []byte) map[string]ownJob {
	t.Helper()
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	out := map[string]ownJob{}
	for name, n := range top {
		keywords := []string{"workflow", "variables", "default", "include", "stages"}
		if n.Kind != yaml.MappingNode || slices.Contains(keywords, name) {
			continue
		}
		var j ownJob
		var image struct {
			Image yaml.Node `yaml:"image"`
		}
		if err := n.Decode(&j); err != nil {
			t.Fatalf(".gitlab-ci.yml job %s: %v", name, err)
		}
		if err := n.Decode(&image); err != nil {
			t.Fatalf(".gitlab-ci.yml job %s: %v", name, err)
		}
		// image is a name, or a mapping with the name and more.
		if err := image.Image.Decode(&j.Image.Name); err != nil && image.Image.Kind != 0 {
			if err := image.Image.Decode(&j.Image); err != nil {
				t.Fatalf(".gitlab-ci.yml job %s: image: %v", name, err)
			}
		}
		out[name] = j
	}
	return out
}

func TestOwnPipelineTestsTheComponentAtThisCommit(t *testing.T) {
	data, p := readOwnPipeline(t)
	cs := load(t)
	overrides := ownJobs(t, data)
	if len(p.Include) == 0 {
		t.Fatal(".gitlab-ci.yml includes no component")
	}
	for _, inc := range p.Include {
		m := selfInclude.FindStringSubmatch(inc.Component)
		if m == nil || cs[m[1]] == nil {
			t.Errorf("include %q is not one of this project's components at $CI_COMMIT_SHA",
				inc.Component)
			continue
		}
		// Included at a commit, the component has no version: the image
		// is the one .gitlab-ci.yml gives the job.
		js, err := cs[m[1]].Jobs(inc.Inputs, "")
		if err != nil {
			t.Errorf("include %s: %v", m[1], err)
			continue
		}
		for name, j := range js {
			image := j.Image.Name
			if o, ok := overrides[name]; ok && o.Image.Name != "" {
				image = o.Image.Name
			}
			if image != "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" {
				t.Errorf("%s runs in %q, not the image this pipeline builds", name, image)
			}
			if nest := j.Variables["HATCHERY_NEST"]; nest != "examples/nest" {
				t.Errorf("%s checks nest %q, want examples/nest", name, nest)
			}
		}
	}
	script := strings.Join(p.Image.Script, "\n")
	if !strings.Contains(script, `refs="$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"`) ||
		!strings.Contains(script, ".ci/build-image push $refs") {
		t.Errorf("the image job does not push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA:\n%s", script)
	}
}

func TestOwnPipelineReleasesOnVersionTags(t *testing.T) {
	_, p := readOwnPipeline(t)
	if p.Release.Release.TagName != "$CI_COMMIT_TAG" {
		t.Errorf("release tag_name %q, want $CI_COMMIT_TAG", p.Release.Release.TagName)
	}
	var pattern string
	if len(p.Release.Rules) == 1 {
		pattern, _ = strings.CutPrefix(p.Release.Rules[0].If, "$CI_COMMIT_TAG =~ ")
	}
	if !strings.HasPrefix(pattern, "/") || !strings.HasSuffix(pattern, "/") {
		t.Fatalf("release rules %+v, want the one rule $CI_COMMIT_TAG =~ /.../",
			p.Release.Rules)
	}
	re, err := regexp.Compile(strings.Trim(pattern, "/"))
	if err != nil {
		t.Fatalf("release tag pattern %s: %v", pattern, err)
	}
	for tag, want := range map[string]bool{"1.2.3": true, "10.0.11": true, "v1.2.3": false,
		"1.2": false, "1.2.3-rc.1": false, "main": false} {
		if re.MatchString(tag) != want {
			t.Errorf("release tag pattern matches %q: %v, want %v", tag, !want, want)
		}
	}
	for _, job := range []string{"test", "lint", "container-image", "hatchery:validate",
		"hatchery:plan"} {
		if !slices.Contains(p.Release.Needs, job) {
			t.Errorf("release does not wait for %s", job)
		}
	}
}

// checkOwnPipeline has gitlab-ci-local read .gitlab-ci.yml, against
// GitLab's schema, with the component includes made local (the real ones
// would be fetched from a GitLab server), and list the jobs of a merge
// request pipeline and of a release tag pipeline.
func (e *gclEnv) checkOwnPipeline(t *testing.T) {
	t.Helper()
	data, _ := readOwnPipeline(t)
	local := regexp.MustCompile(
		`component: \$CI_SERVER_FQDN/\$CI_PROJECT_PATH/([a-z-]+)@\$CI_COMMIT_SHA`).
		ReplaceAll(data, []byte("local: templates/$1.yml"))
	if err := os.WriteFile(filepath.Join(e.repo, "own-ci.yml"), local, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(filepath.Join(e.repo, "own-ci.yml"))
	for kind, want := range map[string][]string{
		"merge request": {"build: [amd64]", "build: [arm64]", "container-image",
			"hatchery:plan", "hatchery:validate", "lint", "test"},
		"tag": {"build: [amd64]", "build: [arm64]", "container-image", "hatchery:plan",
			"hatchery:validate", "lint", "release", "test"},
	} {
		out := e.run(t, append(pipelineVars(kind), "--file", "own-ci.yml", "--list-json")...)
		start := strings.Index(out, "\n[") + 1
		var listed []struct{ Name, When string }
		if start == 0 || json.Unmarshal([]byte(out[start:]), &listed) != nil {
			t.Fatalf(".gitlab-ci.yml, %s pipeline: gitlab-ci-local listed no jobs:\n%s", kind, out)
		}
		var got []string
		for _, j := range listed {
			if j.When != "never" {
				got = append(got, j.Name)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf(".gitlab-ci.yml, %s pipeline: jobs %v, want %v", kind, got, want)
		}
	}

	// The self-test's plan job alone, its before_script starting the demo.
	out := e.run(t, append(pipelineVars("merge request"), "--file", "own-ci.yml",
		"hatchery:plan")...)
	e.mustPass(t, out, "hatchery:plan")
	if strings.Contains(out, "WARN  hatchery:plan") {
		t.Errorf("the self-test's after_script failed; the demo may still be running:\n%s", out)
	}
	if !strings.Contains(out, "Plan: 26 to create") {
		t.Errorf("the self-test's plan did not plan the example nest against the demo:\n%s", out)
	}
}
