package plan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONHasVersionSummaryAndNoNullLists(t *testing.T) {
	p := &Plan{Units: []*Unit{
		{Egg: "a", Server: "gitlab.com", Kind: "project", Source: "a.fly:1",
			Targets: []Target{{ID: 1, Path: "acme/a", Via: "project 1"}},
			Actions: []*Action{{Op: OpCreate, Object: ObjRunner},
				{Op: OpUpdate, Object: ObjHook, ProjectID: 1, HookID: 9,
					Changes: []Change{{Field: "url", Old: "https://old", New: "https://new"}}}}},
		{Egg: "b", Server: "gitlab.com", Kind: "group", Error: "no api-token"},
	}}
	var buf bytes.Buffer
	if err := p.WriteJSON(&buf, "v1.2.3"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "null") {
		t.Errorf("the JSON holds a null:\n%s", buf.String())
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["format_version"] != FormatVersion || got["hatchery_version"] != "v1.2.3" {
		t.Errorf("versions: %v, %v", got["format_version"], got["hatchery_version"])
	}
	sum, _ := json.Marshal(got["summary"])
	want := `{"changes":true,"create":1,"delete":0,"errors":1,"units":2,"update":1}`
	if string(sum) != want {
		t.Errorf("summary = %s, want %s", sum, want)
	}
	units := got["units"].([]any)
	b := units[1].(map[string]any)
	if _, ok := b["actions"].([]any); !ok {
		t.Errorf("a unit without actions has actions %v, want []", b["actions"])
	}
	a := units[0].(map[string]any)["actions"].([]any)[1].(map[string]any)
	if a["op"] != "update" || a["object"] != "hook" || a["hook_id"] != 9.0 {
		t.Errorf("second action = %v", a)
	}
	if p.Units[1].Actions != nil {
		t.Error("WriteJSON changed the plan")
	}
}

func TestWidget(t *testing.T) {
	cases := []struct {
		name    string
		actions []*Action
		want    string
	}{
		{"nothing", nil, `{"create":0,"update":0,"delete":0}`},
		{"creates", []*Action{{Op: OpGenerate}, {Op: OpCreate}, {Op: OpEnable}},
			`{"create":3,"update":0,"delete":0}`},
		{"updates", []*Action{{Op: OpUpdate}, {Op: OpReset}},
			`{"create":0,"update":2,"delete":0}`},
		{"deletes", []*Action{{Op: OpDelete}, {Op: OpDisable}, {Op: OpForget}},
			`{"create":0,"update":0,"delete":3}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &Plan{Units: []*Unit{{Egg: "a", Actions: tc.actions}}}
			var buf bytes.Buffer
			if err := p.WriteWidget(&buf); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tc.want+"\n" {
				t.Errorf("widget = %s, want %s", buf.String(), tc.want)
			}
		})
	}
}
