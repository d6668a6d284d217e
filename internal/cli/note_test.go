package cli

import (
	"bytes"
	"cmp"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
)

func TestMRPipelineFrom(t *testing.T) {
	full := map[string]string{"CI_API_V4_URL": "https://gitlab.example.com/api/v4",
		"CI_SERVER_HOST": "gitlab.example.com", "CI_PROJECT_ID": "50",
		"CI_MERGE_REQUEST_IID": "7"}
	cases := []struct {
		name, unset, set, value, err string
		project                      int64 // 50 when 0
	}{
		{name: "all set"},
		{name: "not a merge request pipeline", unset: "CI_MERGE_REQUEST_IID",
			err: "CI_MERGE_REQUEST_IID is not set: this is not a merge request pipeline"},
		{name: "no project", unset: "CI_PROJECT_ID", err: "CI_PROJECT_ID is not set"},
		{name: "a fork's pipeline: the merge request's project", set: "CI_MERGE_REQUEST_PROJECT_ID",
			value: "51", project: 51},
		{name: "merge request project not a number", set: "CI_MERGE_REQUEST_PROJECT_ID",
			value: "acme/nest",
			err:   `CI_MERGE_REQUEST_PROJECT_ID="acme/nest" is not a positive number`},
		{name: "iid not a number", set: "CI_MERGE_REQUEST_IID", value: "!7",
			err: `CI_MERGE_REQUEST_IID="!7" is not a positive number`},
		{name: "no API url", unset: "CI_API_V4_URL", err: "CI_API_V4_URL is not set"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range full {
				env[k] = v
			}
			delete(env, tc.unset)
			if tc.set != "" {
				env[tc.set] = tc.value
			}
			mr, err := mrPipelineFrom(func(k string) string { return env[k] })
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			project := cmp.Or(tc.project, 50)
			if err != nil || mr.project != project || mr.iid != 7 ||
				mr.host != "gitlab.example.com" {
				t.Errorf("mrPipelineFrom = %+v, %v", mr, err)
			}
		})
	}
}

func TestNoteMarkerNamesTheNest(t *testing.T) {
	root := filepath.FromSlash("/builds/acme/nest")
	cases := []struct{ dir, want string }{
		{".", "<!-- hatchery:plan nest=. -->"},
		{"nests/prod/", "<!-- hatchery:plan nest=nests/prod -->"},
		{"./nests/../nests/staging", "<!-- hatchery:plan nest=nests/staging -->"},
		{filepath.Join(root, "nests", "prod"), "<!-- hatchery:plan nest=nests/prod -->"},
		{"a-->b", "<!-- hatchery:plan nest=a--%3Eb -->"},
	}
	env := &Env{Getenv: func(k string) string {
		if k == "CI_PROJECT_DIR" {
			return root
		}
		return ""
	}}
	for _, tc := range cases {
		if got := noteMarker(nestName(env, tc.dir)); got != tc.want {
			t.Errorf("marker of %q = %q, want %q", tc.dir, got, tc.want)
		}
	}
}

// TestDemoServeNoteByHand does what demo --serve tells a person to do:
// export what it printed and run plan --mr-note twice. The merge request
// then holds one note from hatchery, edited by the second run.
func TestDemoServeNoteByHand(t *testing.T) {
	d, nest, store := exampleDemo(t)
	vars := demoCIVars(t, d, nest, store)
	for i, want := range []string{"posted the plan as note", "updated the plan in note"} {
		var stdout, stderr bytes.Buffer
		code := Main([]string{"plan", "--mr-note", nest}, &Env{Stdout: &stdout, Stderr: &stderr,
			Getenv: func(k string) string { return vars[k] }})
		if code != ExitOK || !strings.Contains(stderr.String(), want) {
			t.Fatalf("run %d: exit %d, stderr:\n%s", i+1, code, stderr.String())
		}
	}
	var notes []*gitlabsim.Note
	d.sims["gitlab.com"].View(func(w *gitlabsim.World) {
		notes = w.ProjectByPath(demoNestProject).MergeRequest(1).Notes()
	})
	marker := noteMarker(nestName(&Env{Getenv: func(string) string { return "" }}, nest))
	if len(notes) != 1 || notes[0].Author.Username != demoNoteUser ||
		!strings.HasPrefix(notes[0].Body, marker+"\n") ||
		!notes[0].UpdatedAt.After(notes[0].CreatedAt) {
		t.Errorf("the merge request's notes: %+v", notes)
	}
}

// demoCIVars are the variables demo --serve tells a person to export for
// plan --mr-note, with the simulators' URLs and the demo's secret store.
func demoCIVars(t *testing.T, d *demo, nest, store string) map[string]string {
	t.Helper()
	var printed bytes.Buffer
	d.printCI(&Env{Stdout: &printed}, nest)
	vars := map[string]string{"HATCHERY_SERVER_URLS": d.urls(), "HATCHERY_SECRETS": "file:" + store}
	for _, line := range strings.Split(printed.String(), "\n") {
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "  export "), "="); ok &&
			strings.HasPrefix(line, "  export ") {
			vars[k] = v
		}
	}
	if vars["CI_MERGE_REQUEST_IID"] != "1" || vars["CI_MERGE_REQUEST_PROJECT_ID"] == "" ||
		vars[noteTokenVar] == "" {
		t.Fatalf("demo --serve printed no merge request or token:\n%s", printed.String())
	}
	return vars
}
