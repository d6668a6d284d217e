package gitlabsim

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSimWorldHidesSecrets(t *testing.T) {
	f := newFixtureWorld()
	f.AddProjectHook(f.api, "https://h.example.com", "hook-secret")
	r := f.AddRunner(ProjectRunner, nil, f.api)
	_, url := serve(t, f.World)
	code, _, body := rawCall(t, "GET", url+"/-/sim/world", nil, "")
	if code != 200 {
		t.Fatal(code)
	}
	for _, secret := range []string{"hook-secret", r.Token, "glpat-alice"} {
		if strings.Contains(body, secret) {
			t.Errorf("world dump shows %q", secret)
		}
	}
	var d dumpWorld
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	var hook *dumpHook
	for _, p := range d.Projects {
		if p.Path == "platform/backend/api" && len(p.Hooks) == 1 {
			hook = &p.Hooks[0]
		}
	}
	if hook == nil || !hook.HasToken || hook.TokenSHA256 != hashHex("hook-secret") ||
		strings.Join(hook.Events, ",") != "push_events" {
		t.Errorf("hook dump %+v", hook)
	}
	_, _, again := rawCall(t, "GET", url+"/-/sim/world", nil, "")
	if again != body {
		t.Error("two dumps of an unchanged world differ")
	}
	if len(d.Runners) != 1 || d.Runners[0].TokenSHA256 != hashHex(r.Token) {
		t.Errorf("runners %+v", d.Runners)
	}
}

func TestSimRequestsAndChanges(t *testing.T) {
	f, s, as := start(t)
	r := f.AddRunner(ProjectRunner, nil, f.api)
	h := f.AddProjectHook(f.api, "https://h.example.com", "tok")
	c := as("carol")
	c.Runners.GetRunnerDetails(r.ID)   //nolint:errcheck // logged either way
	c.Projects.GetProject(424242, nil) //nolint:errcheck // a 404 on purpose

	_, _, body := rawCall(t, "GET", s.URL()+"/-/sim/requests", nil, "")
	if body != "GET /runners/:id 200\nGET /projects/:id 404\n" {
		t.Errorf("request log %q", body)
	}
	runnerURL := s.URL() + "/-/sim/runners/" + itoa(r.ID)
	rawCall(t, "PUT", runnerURL, nil, `{"tag_list":["x","y"],"paused":true}`)
	d, _, err := c.Runners.GetRunnerDetails(r.ID)
	if err != nil || strings.Join(d.TagList, ",") != "x,y" || !d.Paused {
		t.Errorf("runner after a change by hand: %+v %v", d, err)
	}
	code, _, _ := rawCall(t, "PUT", runnerURL, nil, `{"paused":false,"access_level":"bogus"}`)
	d, _, err = c.Runners.GetRunnerDetails(r.ID)
	if code != 400 || err != nil || !d.Paused {
		t.Errorf("a refused change by hand: %d, runner %+v %v; want 400 and no change",
			code, d, err)
	}
	rawCall(t, "PUT", s.URL()+"/-/sim/hooks/"+itoa(h.ID), nil, `{"token":""}`)
	if h.HasToken() {
		t.Error("token not cleared by hand")
	}
	if code, _, _ := rawCall(t, "DELETE", runnerURL, nil, ""); code != 204 {
		t.Errorf("delete by hand: %d", code)
	}
	_, _, err = c.Runners.GetRunnerDetails(r.ID)
	wantStatus(t, err, 404)

	rawCall(t, "POST", s.URL()+"/-/sim/faults", nil,
		`{"method":"GET","route":"/user","status":502}`)
	_, _, err = c.Users.CurrentUser()
	wantStatus(t, err, 502)
	rawCall(t, "DELETE", s.URL()+"/-/sim/faults", nil, "")
	if _, _, err := c.Users.CurrentUser(); err != nil {
		t.Errorf("after clearing faults: %v", err)
	}
	rawCall(t, "DELETE", s.URL()+"/-/sim/requests", nil, "")
	if len(s.Requests()) != 0 {
		t.Error("log not emptied")
	}
	code, _, _ = rawCall(t, "PUT", s.URL()+"/-/sim/latency", nil, `{"latency":"soon"}`)
	if code != 400 {
		t.Errorf("bad latency accepted: %d", code)
	}
}
