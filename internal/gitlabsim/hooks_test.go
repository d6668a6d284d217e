package gitlabsim

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

func TestAddProjectHook(t *testing.T) {
	f, s, as := start(t)
	c := as("carol")
	h, _, err := c.Projects.AddProjectHook(f.api.ID, &gitlab.AddProjectHookOptions{
		URL: ptr("https://hooks.example.com/gitlab"), Token: ptr("s3cret"),
		Name: ptr("hatchery"), Description: ptr("fp:abc123"), JobEvents: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case !h.PushEvents:
		t.Error("push_events should default to true")
	case !h.JobEvents || h.PipelineEvents:
		t.Errorf("job %v pipeline %v", h.JobEvents, h.PipelineEvents)
	case h.Name != "hatchery" || h.Description != "fp:abc123":
		t.Errorf("name %q description %q", h.Name, h.Description)
	case !h.EnableSSLVerification || h.ProjectID != f.api.ID ||
		h.BranchFilterStrategy != "wildcard":
		t.Errorf("hook %+v", h)
	}
	stored := f.Hook(h.ID)
	if !stored.HasToken() || stored.TokenHash() != hashHex("s3cret") {
		t.Error("token not stored")
	}
	for _, path := range []string{"/projects/" + itoa(f.api.ID) + "/hooks",
		"/projects/" + itoa(f.api.ID) + "/hooks/" + itoa(h.ID)} {
		_, _, body := rawCall(t, "GET", s.URL()+"/api/v4"+path, token("glpat-carol"), "")
		if strings.Contains(body, "s3cret") || strings.Contains(body, `"token"`) {
			t.Errorf("GET %s shows the token: %s", path, body)
		}
	}
	h, _, err = c.Projects.AddProjectHook(f.api.ID, &gitlab.AddProjectHookOptions{
		URL: ptr("https://x.example.com"), PushEvents: ptr(false)})
	if err != nil || h.PushEvents {
		t.Errorf("push_events=false ignored: %+v %v", h, err)
	}
}

func TestHookURLs(t *testing.T) {
	f, s, _ := start(t)
	tests := []struct {
		url    string
		status int
	}{
		{"https://hooks.example.com/x", 201},
		{"http://hooks.example.com:8080/x", 201},
		{"ftp://hooks.example.com/x", 422},
		{"not a url", 422},
		{"http://127.0.0.1:9/x", 422},
		{"http://localhost/x", 422},
		{"http://10.1.2.3/x", 422},
		{"http://169.254.169.254/latest", 422},
		{"http://[::1]/x", 422},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			code, _, body := rawCall(t, "POST", s.URL()+"/api/v4/projects/"+itoa(f.api.ID)+
				"/hooks", token("glpat-carol"), `{"url":"`+tt.url+`"}`)
			if code != tt.status {
				t.Fatalf("status %d, want %d: %s", code, tt.status, body)
			}
			if code == 422 {
				wantJSON(t, body, `{"error":"Invalid url given"}`)
			}
		})
	}
	s.Update(func(w *World) { w.Instance.AllowLocalHooks = true })
	code, _, _ := rawCall(t, "POST", s.URL()+"/api/v4/projects/"+itoa(f.api.ID)+"/hooks",
		token("glpat-carol"), `{"url":"http://127.0.0.1:9/x"}`)
	if code != 201 {
		t.Errorf("local URL with local requests allowed: %d", code)
	}
	code, _, body := rawCall(t, "POST", s.URL()+"/api/v4/projects/"+itoa(f.api.ID)+"/hooks",
		token("glpat-carol"), `{"push_events":true}`)
	if code != 400 {
		t.Fatalf("missing url: %d", code)
	}
	wantJSON(t, body, `{"error":"url is missing"}`)
}

func TestEditProjectHookToken(t *testing.T) {
	tests := []struct {
		name      string
		edit      gitlab.EditProjectHookOptions
		wantToken string
	}{
		{"an edit without token clears it",
			gitlab.EditProjectHookOptions{URL: ptr("https://a.example.com"),
				JobEvents: ptr(true)}, ""},
		{"an edit of events only clears it",
			gitlab.EditProjectHookOptions{PipelineEvents: ptr(true)}, ""},
		{"a new URL without token clears it",
			gitlab.EditProjectHookOptions{URL: ptr("https://b.example.com")}, ""},
		{"a new URL with a token keeps that token",
			gitlab.EditProjectHookOptions{URL: ptr("https://b.example.com"),
				Token: ptr("new")}, "new"},
		{"the same token resent stays",
			gitlab.EditProjectHookOptions{URL: ptr("https://a.example.com"),
				Token: ptr("old")}, "old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, as := start(t)
			h := f.AddProjectHook(f.api, "https://a.example.com", "old")
			got, _, err := as("carol").Projects.EditProjectHook(f.api.ID, h.ID, &tt.edit)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantToken == "" && h.HasToken() {
				t.Error("token kept")
			}
			if tt.wantToken != "" && h.TokenHash() != hashHex(tt.wantToken) {
				t.Errorf("token hash %q, want that of %q", h.TokenHash(), tt.wantToken)
			}
			if !got.PushEvents {
				t.Error("an edit turned push events off")
			}
		})
	}
}

func TestEditProjectHookFields(t *testing.T) {
	f, s, as := start(t)
	h := f.AddProjectHook(f.api, "https://a.example.com", "")
	h.Name = "keep me"
	got, _, err := as("carol").Projects.EditProjectHook(f.api.ID, h.ID,
		&gitlab.EditProjectHookOptions{PushEvents: ptr(false), TagPushEvents: ptr(true),
			EnableSSLVerification: ptr(false), Description: ptr("d")})
	if err != nil {
		t.Fatal(err)
	}
	if got.PushEvents || !got.TagPushEvents || got.EnableSSLVerification ||
		got.Name != "keep me" || got.Description != "d" || got.URL != "https://a.example.com" {
		t.Errorf("edited hook %+v", got)
	}
	code, _, body := rawCall(t, "PUT", s.URL()+"/api/v4/projects/"+itoa(f.api.ID)+"/hooks/"+
		itoa(h.ID), token("glpat-carol"), `{}`)
	if code != 400 {
		t.Fatalf("empty edit: %d", code)
	}
	wantJSON(t, body, `{"error":"No parameters provided"}`)
	_, _, err = as("carol").Projects.EditProjectHook(f.api.ID, 9999,
		&gitlab.EditProjectHookOptions{PushEvents: ptr(true)})
	wantStatus(t, err, 404)
}

// Every event flag client-go can send round-trips through the API.
func TestProjectHookEventsRoundTrip(t *testing.T) {
	f, _, as := start(t)
	opt := gitlab.AddProjectHookOptions{URL: ptr("https://e.example.com")}
	v := reflect.ValueOf(&opt).Elem()
	var flags []string
	for i := range v.NumField() {
		field := v.Type().Field(i)
		name := strings.Split(field.Tag.Get("json"), ",")[0]
		if strings.HasSuffix(name, "_events") {
			v.Field(i).Set(reflect.ValueOf(ptr(true)))
			flags = append(flags, name)
		}
	}
	h, _, err := as("carol").Projects.AddProjectHook(f.api.ID, &opt)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(h)
	var got map[string]any
	json.Unmarshal(data, &got) //nolint:errcheck // marshalled just above
	for _, name := range flags {
		if got[name] != true {
			t.Errorf("%s = %v after setting it", name, got[name])
		}
	}
	if len(flags) < 15 {
		t.Errorf("only %d event flags found in client-go's options", len(flags))
	}
}

func TestListGetDeleteProjectHooks(t *testing.T) {
	f, _, as := start(t)
	a := f.AddProjectHook(f.api, "https://a.example.com", "")
	f.AddProjectHook(f.api, "https://b.example.com", "")
	f.AddProjectHook(f.web, "https://c.example.com", "")
	c := as("carol")
	hs, resp, err := c.Projects.ListProjectHooks(f.api.ID, nil)
	if err != nil || len(hs) != 2 || resp.TotalItems != 2 {
		t.Fatalf("hooks %v, err %v", hs, err)
	}
	got, _, err := c.Projects.GetProjectHook(f.api.ID, a.ID)
	if err != nil || got.URL != "https://a.example.com" {
		t.Fatalf("hook %+v, err %v", got, err)
	}
	if _, err := c.Projects.DeleteProjectHook(f.api.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Projects.GetProjectHook(f.api.ID, a.ID)
	wantStatus(t, err, 404)
	_, _, err = as("bob").Projects.ListProjectHooks(f.api.ID, nil)
	wantStatus(t, err, 403)
	_, _, err = as("dave").Projects.ListProjectHooks(f.api.ID, nil)
	wantStatus(t, err, 404)
}

func TestGroupHooksByTier(t *testing.T) {
	tests := []struct {
		tier, user string
		status     int
	}{
		{TierPremium, "alice", 201},
		{TierUltimate, "alice", 201},
		{TierPremium, "carol", 403},
		{TierFree, "alice", 403},
		{TierCE, "alice", 404},
	}
	for _, tt := range tests {
		t.Run(tt.tier+" as "+tt.user, func(t *testing.T) {
			f := newFixtureWorld()
			f.Instance.Tier = tt.tier
			_, url := serve(t, f.World)
			c := client(t, url, "glpat-"+tt.user)
			h, _, err := c.Groups.AddGroupHook(f.platform.ID, &gitlab.AddGroupHookOptions{
				URL: ptr("https://g.example.com"), Token: ptr("t"), SubGroupEvents: ptr(true)})
			if tt.status != 201 {
				wantStatus(t, err, tt.status)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !h.PushEvents || !h.SubGroupEvents || h.GroupID != f.platform.ID {
				t.Errorf("group hook %+v", h)
			}
			_, _, err = c.Groups.EditGroupHook(f.platform.ID, h.ID,
				&gitlab.EditGroupHookOptions{JobEvents: ptr(true)})
			if err != nil || f.Hook(h.ID).HasToken() {
				t.Errorf("edit without token: err %v, token kept %v", err, f.Hook(h.ID).HasToken())
			}
			hs, _, err := c.Groups.ListGroupHooks(f.platform.ID, nil)
			if err != nil || len(hs) != 1 {
				t.Errorf("list %v, err %v", hs, err)
			}
			if _, err := c.Groups.DeleteGroupHook(f.platform.ID, h.ID); err != nil {
				t.Error(err)
			}
		})
	}
}
