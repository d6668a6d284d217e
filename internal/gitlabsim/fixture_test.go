package gitlabsim

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// docExample is the fixture shown in the package documentation.
func docExample(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	in := false
	for _, line := range strings.Split(string(src), "\n") {
		switch {
		case line == "//\t{":
			in = true
		case !in:
			continue
		}
		out = append(out, strings.TrimPrefix(line, "//\t"))
		if line == "//\t}" {
			break
		}
	}
	if len(out) < 10 {
		t.Fatal("no fixture example in doc.go")
	}
	return []byte(strings.Join(out, "\n"))
}

func TestDocumentedFixtureLoads(t *testing.T) {
	w, opts, err := Load(docExample(t))
	if err != nil {
		t.Fatal(err)
	}
	api := w.ProjectByPath("platform/backend/api")
	switch {
	case api == nil || api.ID != 100:
		t.Fatalf("api %+v", api)
	case w.GroupByPath("platform").ID != 10 ||
		w.GroupByPath("platform/backend").Visibility != "internal":
		t.Error("groups")
	case !w.ProjectByPath("platform/old").Archived:
		t.Error("archived project")
	case len(w.ProjectByPath("partners/sdk").Shares()) != 1:
		t.Error("share")
	case len(api.Hooks()) != 1 || !api.Hooks()[0].Events["job_events"] ||
		!api.Hooks()[0].Events["push_events"] || !api.Hooks()[0].HasToken():
		t.Errorf("hooks %+v", api.Hooks())
	case api.MergeRequest(1) == nil || len(api.MergeRequest(1).Notes()) != 1:
		t.Error("merge request")
	case w.Runner(5) == nil || !w.Runner(5).Locked || w.Runner(5).Projects[0] != api:
		t.Errorf("runner %+v", w.Runner(5))
	case w.GroupByPath("fleet") == nil || len(w.subtreeProjects(w.GroupByPath("fleet"))) != 1000:
		t.Error("generated tree")
	case w.Instance.Tier != TierPremium || len(opts) != 3:
		t.Errorf("tier %q, %d options", w.Instance.Tier, len(opts))
	}
	root := w.User("root")
	if root == nil || !root.Admin || w.tokens["glpat-root"].User != root {
		t.Error("root")
	}
	exp := w.tokens["glpat-alice"].ExpiresAt
	if !exp.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("expiry %v", exp)
	}
	if g := w.tokens["glpat-group"]; g == nil || !g.User.Bot ||
		w.groupRole(g.User, w.GroupByPath("platform")) != Maintainer {
		t.Error("group token")
	}
}

func TestFixtureErrors(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"unknown field", `{"userz": []}`, "unknown field"},
		{"member without user", `{"groups": [{"path": "g", "members": {"x": "owner"}}]}`,
			`member "x": no such user`},
		{"bad role", `{"users": [{"username": "a"}],
			"groups": [{"path": "g", "members": {"a": "boss"}}]}`, "unknown access level"},
		{"parent after child", `{"groups": [{"path": "a/b"}, {"path": "a"}]}`, "must come first"},
		{"project without group", `{"projects": [{"path": "nowhere/p"}]}`, "must come first"},
		{"duplicate project id", `{"groups": [{"path": "g"}],
			"projects": [{"path": "g/a", "id": 3}, {"path": "g/b", "id": 3}]}`, "duplicate id"},
		{"bad tier", `{"instance": {"tier": "gold"}}`, "tier"},
		{"runner of unknown project", `{"runners": [{"runner_type": "project_type",
			"projects": ["x/y"]}]}`, "unknown project"},
		{"bad latency", `{"knobs": {"latency": "soon"}}`, "latency"},
		{"unknown fault field", `{"knobs": {"faults": [{"methd": "GET"}]}}`, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Load([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestFixtureKnobs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "world.json")
	data := `{"users": [{"username": "a", "tokens": [{"value": "glpat-a"}]}],
		"knobs": {"faults": [{"route": "/user", "status": 503, "times": 1}]}}`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	w, opts, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, url := serve(t, w, opts...)
	code, _, _ := rawCall(t, "GET", url+"/api/v4/user", token("glpat-a"), "")
	code2, _, _ := rawCall(t, "GET", url+"/api/v4/user", token("glpat-a"), "")
	if code != 503 || code2 != 200 {
		t.Errorf("statuses %d then %d, want 503 then 200", code, code2)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	g := Generate{Groups: 6, ProjectsPerGroup: 20, Depth: 3, Archived: 0.2, Shared: 0.1,
		Seed: 42, Owner: "o", Token: "glpat-o"}
	a, err := GenerateWorld(g).Dump()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateWorld(g).Dump()
	if !bytes.Equal(a, b) {
		t.Fatal("the same options made different worlds")
	}
	g.Seed = 43
	c, _ := GenerateWorld(g).Dump()
	if bytes.Equal(a, c) {
		t.Fatal("another seed made the same world")
	}
	w := GenerateWorld(g)
	archived, shared, deep := 0, 0, 0
	for _, p := range w.sortedProjects() {
		if p.Archived {
			archived++
		}
		if len(p.shares) > 0 {
			shared++
		}
		if strings.Count(p.PathWithNamespace(), "/") > 2 {
			deep++
		}
	}
	if archived == 0 || shared != 12 || deep == 0 || len(w.sortedProjects()) != 132 {
		t.Errorf("archived %d, shared %d, nested %d, total %d", archived, shared, deep,
			len(w.sortedProjects()))
	}
}
