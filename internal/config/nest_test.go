package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// decodeFiles decodes name/source pairs.
func decodeFiles(t *testing.T, pairs ...string) (*Nest, []string, []string) {
	t.Helper()
	var names []string
	var srcs [][]byte
	for i := 0; i < len(pairs); i += 2 {
		names = append(names, pairs[i])
		srcs = append(srcs, []byte(pairs[i+1]))
	}
	n, diags := Decode("nest", names, srcs)
	var details []string
	for _, d := range diags {
		details = append(details, d.Detail)
	}
	return n, summaries(diags), details
}

func bucket(name string, repos ...string) string {
	return "eggsbucket \"" + name + "\" {\n  repositories {\n" + strings.Join(repos, "") +
		"  }\n}\n"
}

func repo(label, server, kind string, id string) string {
	return "    repo \"" + label + "\" {\n      gitlab {\n        server = \"" + server +
		"\"\n        " + kind + " = " + id + "\n      }\n    }\n"
}

// settingsWith wraps blocks into a hatchery block.
func settingsWith(blocks string) string { return "hatchery {\n" + blocks + "}\n" }

func TestNestRules(t *testing.T) {
	var (
		app       = egg(okGitLab)
		other     = strings.Replace(app, "app", "other", 1)
		appGroup  = strings.Replace(app, "project_id", "group_id", 1)
		project5  = repo("x", "gitlab.com", "project_id", "5")
		lockedRun = "  runner {\n    locked = true\n  }\n  repositories"
		hookNoURL = "  defaults {\n    webhook {\n      events = [\"job\"]\n    }\n  }\n"
		hookURL   = "  defaults {\n    webhook {\n" +
			"      url = \"https://h.example.com\"\n    }\n  }\n"
		serverHTTP = "  server \"gitlab.company.com\" {\n    url = \"http://%s\"\n  }\n"
		runnerTok  = "  runner {\n    description = \"glrt-ABCDEFGHIJKLMNOPQRST\"\n  }"
		commentTok = "      # glpat-ABCDEFGHIJKLMNOPQRST\n      gitlab"
	)
	tests := []struct {
		name   string
		files  []string
		want   []string
		detail string // a part of the first diagnostic's detail
	}{{
		name:   "same egg name in two files",
		files:  []string{"a.fly", app, "b/c.fly", strings.Replace(app, "= 1", "= 2", 1)},
		want:   []string{"1: Duplicate name"},
		detail: "a.fly line 1",
	}, {
		name:   "egg and bucket share names",
		files:  []string{"a.fly", app, "b.fly", bucket("app", project5)},
		want:   []string{"1: Duplicate name"},
		detail: "a.fly line 1",
	}, {
		name:   "same project in two eggs",
		files:  []string{"a.fly", app, "b.fly", other},
		want:   []string{"4: Named twice"},
		detail: `Project 1 on gitlab.com is already egg "app" on a.fly line 1`,
	}, {
		name: "same project on two servers is fine",
		files: []string{"a.fly", app,
			"b.fly", strings.Replace(other, "gitlab.com", "gitlab.company.com", 1)},
	}, {
		name: "same project twice in a bucket",
		files: []string{"a.fly",
			bucket("b", project5, repo("y", "gitlab.com", "project_id", "5"))},
		want:   []string{"12: Named twice"},
		detail: "List it once in the bucket.",
	}, {
		name: "same group in an egg and a bucket",
		files: []string{"a.fly", appGroup,
			"b.fly", bucket("b", repo("x", "gitlab.com", "group_id", "1"))},
		want:   []string{"6: Named twice"},
		detail: "Group 1 on gitlab.com",
	}, {
		name: "duplicate repo label",
		files: []string{"a.fly",
			bucket("b", project5, repo("x", "gitlab.com", "project_id", "6"))},
		want:   []string{"9: Duplicate repo label"},
		detail: "a.fly line 3",
	}, {
		name: "locked bucket runner",
		files: []string{"a.fly",
			strings.Replace(bucket("b", project5), "  repositories", lockedRun, 1)},
		want: []string{"3: Locked runner in an eggsbucket"},
	}, {
		name:  "empty bucket",
		files: []string{"a.fly", "eggsbucket \"b\" {\n  repositories {\n  }\n}\n"},
		want:  []string{"2: Empty eggsbucket"},
	}, {
		name:  "bucket without repositories",
		files: []string{"a.fly", "eggsbucket \"b\" {\n}\n"},
		want:  []string{"1: Empty eggsbucket"},
	}, {
		name: "discovery on a project repo",
		files: []string{"a.fly", strings.Replace(bucket("b", project5),
			"    }\n  }", "      discovery {}\n    }\n  }", 1)},
		want: []string{"8: Discovery on a project repo"},
	}, {
		name:   "two hatchery blocks",
		files:  []string{"a.fly", settingsWith(""), "b.fly", settingsWith("")},
		want:   []string{"1: Duplicate hatchery block"},
		detail: "a.fly line 1",
	}, {
		name:  "defaults webhook without url",
		files: []string{"a.fly", settingsWith(hookNoURL), "b.fly", app},
		want:  []string{"3: Missing webhook URL"},
	}, {
		name: "defaults give the webhook url",
		files: []string{"a.fly", settingsWith(hookURL),
			"b.fly", egg(okGitLab, "  webhook {\n    events = [\"job\"]\n  }")},
	}, {
		name:  "secrets path needs the file backend",
		files: []string{"a.fly", settingsWith("  secrets {\n    path = \"s.json\"\n  }\n")},
		want:  []string{"3: File path without the file backend"},
	}, {
		name: "server url over plain http",
		files: []string{"a.fly",
			settingsWith(fmt.Sprintf(serverHTTP, "gitlab.company.com"))},
		want: []string{"3: Server URL is not https"},
	}, {
		name:  "server url over http to loopback",
		files: []string{"a.fly", settingsWith(fmt.Sprintf(serverHTTP, "127.0.0.1:8080"))},
	}, {
		name:   "token names the secret path of its egg",
		files:  []string{"a.fly", egg(okGitLab, runnerTok)},
		want:   []string{"7: Token in a .fly file"},
		detail: "yc-lockbox://gitlab/gitlab.com/app/runner-token",
	}, {
		name: "token in a bucket repo",
		files: []string{"a.fly",
			bucket("b", strings.Replace(project5, "      gitlab", commentTok, 1))},
		want:   []string{"4: Token in a .fly file"},
		detail: "yc-lockbox://gitlab/gitlab.com/b/api-token",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got, details := decodeFiles(t, tt.files...)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("problems:\n got %q\nwant %q", got, tt.want)
			}
			if tt.detail != "" && !strings.Contains(details[0], tt.detail) {
				t.Errorf("detail %q does not mention %q", details[0], tt.detail)
			}
		})
	}
}

func TestTokenNeverInDiagnostics(t *testing.T) {
	const tok = "glpat-SECRETSECRETSECRET1"
	runner := "  runner {\n    descriptio = \"" + tok + "\"\n  }"
	n, _, details := decodeFiles(t, "a.fly", egg(okGitLab, runner))
	if len(details) != 2 {
		t.Fatalf("got %d diagnostics, want the misspelt name and the token", len(details))
	}
	for _, d := range details {
		if strings.Contains(d, "SECRET") {
			t.Errorf("detail echoes the token: %q", d)
		}
	}
	if bytes.Contains(n.Sources["a.fly"], []byte("SECRET")) {
		t.Errorf("source kept for snippets holds the token")
	}
}

func TestLoadExampleNest(t *testing.T) {
	n, diags := Load("../../examples/nest")
	if diags.HasErrors() {
		t.Fatalf("example nest: %v", diags)
	}
	wantFiles := []string{"Eggs/build-fleet/config.fly", "hatchery.fly", "my-app.fly",
		"platform-team.fly", "selected-services.fly"}
	if !slices.Equal(n.Files, wantFiles) {
		t.Errorf("files = %q, want %q", n.Files, wantFiles)
	}
	var eggs []string
	for _, e := range n.Eggs {
		eggs = append(eggs, e.Name)
	}
	if want := []string{"build-fleet", "my-app", "platform-team"}; !slices.Equal(eggs, want) {
		t.Errorf("eggs = %q, want %q", eggs, want)
	}

	s := n.Settings
	if s.Secrets.Backend != "file" || s.Secrets.Path != ".secrets.json" {
		t.Errorf("secrets = %+v", s.Secrets)
	}
	dr := s.Defaults.Runner
	if dr == nil || *dr.MaximumTimeout != time.Hour || *dr.RunUntagged ||
		!slices.Equal(dr.Tags, []string{"docker", "linux"}) || dr.Locked != nil {
		t.Errorf("default runner = %+v", dr)
	}
	hook := s.Defaults.Webhook
	if hook == nil || *hook.URL != "https://fleet.example.com/hooks/gitlab" {
		t.Errorf("default webhook = %+v", s.Defaults.Webhook)
	}

	fleet := n.Eggs[0]
	if g := fleet.GitLab; g.Server != "gitlab.com" || g.ProjectID != 104 || g.IsGroup() {
		t.Errorf("build-fleet gitlab = %+v", fleet.GitLab)
	}
	if *fleet.Fleet.Type != "vm" || fleet.Fleet.Cloud.Provider != "yandex" ||
		*fleet.Fleet.Resources.Memory != 8192 || *fleet.Runner.Concurrent != 4 ||
		*fleet.Runner.IdleTimeout != 30*time.Minute ||
		fleet.Fleet.Environment["DOCKER_DRIVER"] != "overlay2" {
		t.Errorf("build-fleet fleet = %+v, runner = %+v", fleet.Fleet, fleet.Runner)
	}
	got := fleet.NameRange
	if got.Filename != "Eggs/build-fleet/config.fly" || got.Start.Line != 4 {
		t.Errorf("build-fleet name range = %v", got)
	}

	group := n.Eggs[2]
	if !group.GitLab.IsGroup() || group.GitLab.GroupID != 7 || group.Discovery == nil ||
		!slices.Equal(group.Discovery.Exclude, []string{"platform-team/legacy-*"}) ||
		group.Discovery.IncludeShared != nil || group.Runner != nil {
		t.Errorf("platform-team = %+v, discovery %+v", group, group.Discovery)
	}

	b := n.Buckets[0]
	var labels []string
	for _, r := range b.Repos {
		labels = append(labels, r.Label)
	}
	if !slices.Equal(labels, []string{"api", "payment", "team-a"}) || b.Webhook.URL != nil ||
		!slices.Equal(b.Webhook.Events, []string{"job", "pipeline", "merge_request"}) {
		t.Errorf("bucket = %+v, labels %q", b, labels)
	}
	if r := b.Repos[2]; r.GitLab.Server != "gitlab.company.com" || r.Discovery == nil ||
		r.Discovery.ExcludeRanges[0].Start.Line != 32 {
		t.Errorf("team-a = %+v", r)
	}
}

func TestEmptyTagsDifferFromUnset(t *testing.T) {
	n, got, _ := decodeFiles(t, "a.fly", egg(okGitLab, "  runner {\n    tags = []\n  }"))
	if len(got) != 0 {
		t.Fatal(got)
	}
	if tags := n.Eggs[0].Runner.Tags; tags == nil || len(tags) != 0 {
		t.Errorf("tags = %#v, want empty and not nil", tags)
	}
}

func TestFilesSkipsHiddenAndOthers(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b.fly", "a-b/x.fly", "a/x.fly", "a/notes.md", ".git/x.fly",
		"sub/.hidden/y.fly", ".dot.fly", "z.fly.bak"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, diags, err := Files(dir)
	if err != nil || len(diags) > 0 {
		t.Fatal(err, diags)
	}
	if want := []string{"a-b/x.fly", "a/x.fly", "b.fly"}; !slices.Equal(got, want) {
		t.Errorf("Files = %q, want %q", got, want)
	}
	if _, _, err := Files(filepath.Join(dir, "missing")); err == nil {
		t.Error("Files of a missing directory did not fail")
	}
	if _, _, err := Files(filepath.Join(dir, "b.fly")); err == nil {
		t.Error("Files of a file did not fail")
	}
}

func TestByteOrderMarkAndCRLF(t *testing.T) {
	src := egg(okGitLab, "  runner {\n    locked = 1\n  }")
	src = "\ufeff" + strings.ReplaceAll(src, "\n", "\r\n")
	n, got, _ := decodeFiles(t, "a.fly", src)
	if want := []string{"7: Incorrect value type"}; !slices.Equal(got, want) {
		t.Fatalf("problems = %q, want %q", got, want)
	}
	if e := n.Eggs[0]; e.GitLab.ProjectID != 1 || e.NameRange.Start.Column != 5 {
		t.Errorf("egg = %+v", e)
	}
}
