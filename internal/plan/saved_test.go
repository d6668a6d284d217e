package plan

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// observedUnit is a unit that saw runner 5 and one hook on project 100,
// and plans an update of each.
func observedUnit(paused bool, hookURL string) *Unit {
	u := &Unit{Egg: "my-app", Server: "gitlab.com", Kind: "project", RunnerID: 5,
		record: &secrets.Record{RunnerID: 5, Values: map[secrets.Type]string{
			secrets.APIToken: "glpat-0123456789abcdef", secrets.WebhookSecret: "hook-secret-0123"}}}
	u.seen.sawRunner(&gitlab.Runner{ID: 5, Type: "project_type", Paused: paused,
		Description: "x [hatchery:my-app]", Tags: []string{"linux", "docker"},
		Projects: []int64{100}})
	u.seen.sawHooks(100, []gitlab.Hook{{ID: 7, URL: hookURL, Name: "hatchery:my-app"},
		{ID: 8, URL: "https://other.example.com", Name: "not ours"}})
	u.Actions = []*Action{
		{Op: OpUpdate, Object: ObjRunner, RunnerID: 5,
			Changes: []Change{{Field: "tags", Old: "[docker, linux]", New: "[docker]"}}},
		{Op: OpUpdate, Object: ObjHook, ProjectID: 100, Project: "acme/my-app", HookID: 7,
			Changes: []Change{{Field: "events", Old: "[job]", New: "[job, pipeline]"}}},
	}
	return u
}

func TestSavedRoundTripHoldsNoSecret(t *testing.T) {
	gen := &Unit{Egg: "other", Server: "gitlab.com", record: &secrets.Record{RunnerID: 9,
		Values: map[secrets.Type]string{secrets.APIToken: "glpat-other-0123456789",
			secrets.RunnerToken: "glrt-other-0123456789"}},
		Actions: []*Action{{Op: OpGenerate, Object: ObjSecret, Secret: secrets.WebhookSecret}}}
	p := &Plan{Units: []*Unit{observedUnit(false, "https://hooks.example.com"), gen}}
	var buf bytes.Buffer
	if err := p.Save(SavedNest{Dir: "nest", SHA256: "abc"}, "v1").Write(&buf); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"glpat-0123456789abcdef", "hook-secret-0123",
		"glpat-other-0123456789", "glrt-other-0123456789"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("the saved plan holds %q", secret)
		}
	}
	for _, want := range []string{`"runner_id": 9,`,
		`"holds": [` + "\n" +
			`                "api-token",` + "\n" +
			`                "runner-token"`,
		`"paused": false`, `"id": 7`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the saved plan lacks %s", want)
		}
	}
	if strings.Contains(buf.String(), "not ours") {
		t.Error("the saved plan records a hook that is not the unit's")
	}
	saved, err := ReadSaved(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if d := saved.Drift(p, nil); len(d) != 0 {
		t.Errorf("a plan drifts from itself: %q", d)
	}
}

func TestSavedDrift(t *testing.T) {
	base := observedUnit(false, "https://hooks.example.com")
	cases := []struct {
		name  string
		fresh func() *Unit
		want  []string
	}{
		{"nothing moved", func() *Unit { return observedUnit(false, "https://hooks.example.com") },
			nil},
		{"runner paused by hand", func() *Unit {
			return observedUnit(true, "https://hooks.example.com")
		}, []string{"my-app on gitlab.com: runner 5 moved since the plan: paused false → true"}},
		{"hook url changed", func() *Unit {
			return observedUnit(false, "https://elsewhere.example.com")
		}, []string{"my-app on gitlab.com: the hooks on acme/my-app (100) moved since the plan: " +
			"hook 7"}},
		{"runner gone", func() *Unit {
			u := observedUnit(false, "https://hooks.example.com")
			u.seen.runner = nil
			u.Actions[0] = &Action{Op: OpCreate, Object: ObjRunner}
			return u
		}, []string{"runner 5 moved since the plan: it is gone"}},
		{"an extra action", func() *Unit {
			u := observedUnit(false, "https://hooks.example.com")
			u.Actions = append(u.Actions, &Action{Op: OpEnable, Object: ObjRunner, RunnerID: 5,
				ProjectID: 101, Project: "acme/web"})
			return u
		}, []string{"runner 5 moved since the plan: projects [100] → [100,101]"}},
		{"an action on an object that did not move", func() *Unit {
			u := observedUnit(false, "https://hooks.example.com")
			u.Actions = append(u.Actions, &Action{Op: OpCreate, Object: ObjHook,
				ProjectID: 101, Project: "acme/web"})
			return u
		}, []string{"the plan now also would create hook on acme/web (101)"}},
		{"a pasted value changes one field", func() *Unit {
			u := observedUnit(false, "https://hooks.example.com")
			u.Actions[1] = &Action{Op: OpUpdate, Object: ObjHook, ProjectID: 100,
				Project: "acme/my-app", HookID: 7,
				Changes: []Change{{Field: "events", Old: "[job]", New: "[job, push]"}}}
			return u
		}, []string{"my-app on gitlab.com: the plan would now update hook 7 on acme/my-app " +
			"(100) otherwise: events → [job, push] (the saved plan: [job, pipeline])"}},
	}
	saved := (&Plan{Units: []*Unit{base}}).Save(SavedNest{}, "v1")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fresh := tc.fresh()
			if tc.name == "an extra action" {
				fresh.seen.runner.Projects = []int64{100, 101}
			}
			got := saved.Drift(&Plan{Units: []*Unit{fresh}}, nil)
			if len(tc.want) == 0 && len(got) != 0 {
				t.Fatalf("drift %q, want none", got)
			}
			var lines []string
			for _, d := range got {
				lines = append(lines, d.String())
			}
			all := strings.Join(lines, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("drift lacks %q:\n%s", w, all)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("drift has %d lines, want %d:\n%s", len(got), len(tc.want), all)
			}
		})
	}
}

func TestNestHash(t *testing.T) {
	files := []string{"a.fly", "b.fly"}
	src := map[string][]byte{"a.fly": []byte("egg"), "b.fly": []byte("bucket")}
	h := NestHash(files, src)
	cases := []struct {
		name  string
		files []string
		src   map[string][]byte
		same  bool
	}{
		{"same", []string{"b.fly", "a.fly"}, src, true},
		{"content changed", files, map[string][]byte{"a.fly": []byte("egg "),
			"b.fly": []byte("bucket")}, false},
		{"content moved between files", files, map[string][]byte{"a.fly": []byte("eggb"),
			"b.fly": []byte("ucket")}, false},
		{"file renamed", []string{"a.fly", "c.fly"}, map[string][]byte{"a.fly": []byte("egg"),
			"c.fly": []byte("bucket")}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := NestHash(tc.files, tc.src); (got == h) != tc.same {
				t.Errorf("hash equal = %v, want %v", got == h, tc.same)
			}
		})
	}
}

func TestReadSavedRefusesOtherFiles(t *testing.T) {
	for _, in := range []string{"", "{}", `{"kind":"x"}`, `{"format_version":"1"}`, "not json"} {
		if _, err := ReadSaved(strings.NewReader(in)); err == nil {
			t.Errorf("ReadSaved(%q) succeeded", in)
		}
	}
	_, err := ReadSaved(strings.NewReader(`{"kind":"hatchery-saved-plan","format_version":"9"}`))
	if err == nil || !strings.Contains(err.Error(), `format "9"`) {
		t.Errorf("a future format: %v", err)
	}
}

func TestSavedDriftKinds(t *testing.T) {
	saved := (&Plan{Units: []*Unit{observedUnit(false, "https://hooks.example.com")}}).Save(
		SavedNest{}, "v1")
	moved := observedUnit(true, "https://hooks.example.com")
	other := &Unit{Egg: "other", Server: "gitlab.com",
		Actions: []*Action{{Op: OpCreate, Object: ObjRunner}}}
	got := saved.Drift(&Plan{Units: []*Unit{moved, other}}, nil)
	want := []Difference{
		{Moved: true, Text: "my-app on gitlab.com: runner 5 moved since the plan: " +
			"paused false → true"},
		{Text: "other on gitlab.com: new in the plan, with 1 action"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("drift %q, want %q", got, want)
	}
}
