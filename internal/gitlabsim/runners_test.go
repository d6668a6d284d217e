package gitlabsim

import (
	"slices"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

func TestCreateRunner(t *testing.T) {
	f, s, as := start(t)
	tests := []struct {
		name, user string
		opt        gitlab.CreateUserRunnerOptions
		status     int
		message    string
	}{
		{"project runner by a maintainer", "carol", gitlab.CreateUserRunnerOptions{
			RunnerType: ptr(ProjectRunner), ProjectID: ptr(f.api.ID)}, 201, ""},
		{"project runner by a developer", "bob", gitlab.CreateUserRunnerOptions{
			RunnerType: ptr(ProjectRunner), ProjectID: ptr(f.api.ID)}, 403,
			"403 Forbidden - Insufficient permissions"},
		{"group runner by the owner", "alice", gitlab.CreateUserRunnerOptions{
			RunnerType: ptr(GroupRunner), GroupID: ptr(f.backend.ID)}, 201, ""},
		{"group runner by a project maintainer", "carol", gitlab.CreateUserRunnerOptions{
			RunnerType: ptr(GroupRunner), GroupID: ptr(f.backend.ID)}, 403,
			"403 Forbidden - Insufficient permissions"},
		{"instance runner by a non-admin", "alice", gitlab.CreateUserRunnerOptions{
			RunnerType: ptr(InstanceRunner)}, 403, "403 Forbidden - Insufficient permissions"},
		{"instance runner by an admin", "root", gitlab.CreateUserRunnerOptions{
			RunnerType: ptr(InstanceRunner)}, 201, ""},
		{"unknown project", "carol", gitlab.CreateUserRunnerOptions{
			RunnerType: ptr(ProjectRunner), ProjectID: ptr(int64(424242))}, 400,
			"400 Bad request - Missing/invalid project"},
		{"timeout under ten minutes", "carol", gitlab.CreateUserRunnerOptions{
			RunnerType: ptr(ProjectRunner), ProjectID: ptr(f.api.ID),
			MaximumTimeout: ptr(int64(599))}, 400,
			"400 Bad request - Maximum timeout needs to be at least 10 minutes"},
		{"untagged jobs refused without tags", "carol", gitlab.CreateUserRunnerOptions{
			RunnerType: ptr(ProjectRunner), ProjectID: ptr(f.api.ID), RunUntagged: ptr(false)},
			400, "400 Bad request - Tags list can not be empty when runner is not allowed " +
				"to pick untagged jobs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _, err := as(tt.user).Users.CreateUserRunner(&tt.opt)
			if tt.status != 201 {
				wantStatus(t, err, tt.status)
				if !strings.Contains(err.Error(), tt.message) {
					t.Errorf("error %q, want message %q", err, tt.message)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(r.Token, "glrt-") || r.ID == 0 {
				t.Errorf("runner %+v", r)
			}
		})
	}
	if n := s.Count("POST", "/user/runners"); n != len(tests) {
		t.Errorf("counted %d POST /user/runners, want %d", n, len(tests))
	}
}

func TestCreateRunnerParameters(t *testing.T) {
	f, s, _ := start(t)
	post := func(body string) (int, string) {
		url := s.URL() + "/api/v4/user/runners"
		code, _, out := rawCall(t, "POST", url, token("glpat-carol"), body)
		return code, out
	}
	code, body := post(`{"project_id":1}`)
	if code != 400 {
		t.Fatalf("status %d", code)
	}
	wantJSON(t, body, `{"error":"runner_type is missing"}`)
	_, body = post(`{"runner_type":"project_type"}`)
	wantJSON(t, body, `{"error":"project_id is missing"}`)
	_, body = post(`{"runner_type":"shared"}`)
	wantJSON(t, body, `{"error":"runner_type does not have a valid value"}`)
	_, body = post(`{"runner_type":"project_type","project_id":` + itoa(f.api.ID) +
		`,"access_level":"everyone"}`)
	wantJSON(t, body, `{"error":"access_level does not have a valid value"}`)

	code, body = post(`{"runner_type":"project_type","project_id":` + itoa(f.api.ID) +
		`,"description":"hatchery:api","tag_list":"docker, linux","paused":true,` +
		`"locked":true,"run_untagged":false,"access_level":"ref_protected",` +
		`"maximum_timeout":3600,"maintenance_note":"hatchery:api"}`)
	if code != 201 || !strings.Contains(body, `"token_expires_at":null`) {
		t.Fatalf("create: %d %s", code, body)
	}
	var r *Runner
	s.View(func(w *World) { r = w.Runners()[len(w.Runners())-1] })
	if r.Description != "hatchery:api" || !slices.Equal(r.TagList, []string{"docker", "linux"}) ||
		!r.Paused || !r.Locked || r.RunUntagged || r.AccessLevel != "ref_protected" ||
		r.MaximumTimeout != 3600 || r.MaintenanceNote != "hatchery:api" ||
		r.Creator.Username != "carol" || r.Projects[0] != f.api {
		t.Errorf("stored runner %+v", r)
	}
}

// The token is shown once, at creation; details never carry it.
func TestRunnerDetails(t *testing.T) {
	f, _, as := start(t)
	created, _, err := as("carol").Users.CreateUserRunner(&gitlab.CreateUserRunnerOptions{
		RunnerType: ptr(ProjectRunner), ProjectID: ptr(f.api.ID), Description: ptr("ci"),
		TagList: ptr([]string{"docker"}), MaximumTimeout: ptr(int64(1800)),
		MaintenanceNote: ptr("note")})
	if err != nil {
		t.Fatal(err)
	}
	f.EnableRunner(f.Runner(created.ID), f.web) // carol cannot see web
	d, _, err := as("carol").Runners.GetRunnerDetails(created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Token != "" || d.Description != "ci" || d.RunnerType != ProjectRunner ||
		!slices.Equal(d.TagList, []string{"docker"}) || d.MaximumTimeout != 1800 ||
		d.MaintenanceNote != "note" || d.Status != "never_contacted" || !d.RunUntagged ||
		d.AccessLevel != "not_protected" || d.Paused {
		t.Errorf("details %+v", d)
	}
	if len(d.Projects) != 1 || d.Projects[0].ID != f.api.ID {
		t.Errorf("carol should see only api: %+v", d.Projects)
	}
	d, _, err = as("alice").Runners.GetRunnerDetails(created.ID)
	if err != nil || len(d.Projects) != 2 {
		t.Errorf("alice sees %v, err %v", d, err)
	}
	_, _, err = as("dave").Runners.GetRunnerDetails(created.ID)
	wantStatus(t, err, 403)
	_, _, err = as("dave").Runners.GetRunnerDetails(999)
	wantStatus(t, err, 404)
}

func TestUpdateRunner(t *testing.T) {
	f, s, as := start(t)
	r := f.AddRunner(ProjectRunner, nil, f.api)
	r.TagList = []string{"a", "b"}
	c := as("carol")

	d, _, err := c.Runners.UpdateRunnerDetails(r.ID, &gitlab.UpdateRunnerDetailsOptions{
		TagList: ptr([]string{"c"}), Description: ptr("new"), Paused: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.TagList, []string{"c"}) || d.Description != "new" || !d.Paused {
		t.Errorf("tag_list should replace: %+v", d)
	}
	_, _, err = c.Runners.UpdateRunnerDetails(r.ID, &gitlab.UpdateRunnerDetailsOptions{
		MaximumTimeout: ptr(int64(300)), Description: ptr("ignored")})
	wantStatus(t, err, 400)
	code, _, body := rawCall(t, "PUT", s.URL()+"/api/v4/runners/"+itoa(r.ID),
		token("glpat-carol"), `{"maximum_timeout":599}`)
	if code != 400 {
		t.Fatal(code)
	}
	wantJSON(t, body, `{"message":{"maximum_timeout":["needs to be at least 10 minutes"]}}`)
	if r.Description != "new" {
		t.Errorf("a refused update changed the runner: %q", r.Description)
	}
	code, _, body = rawCall(t, "PUT", s.URL()+"/api/v4/runners/"+itoa(r.ID),
		token("glpat-carol"), `{}`)
	if code != 400 || !strings.Contains(body, "at least one parameter must be provided") {
		t.Errorf("empty update: %d %s", code, body)
	}
	_, _, err = as("bob").Runners.UpdateRunnerDetails(r.ID,
		&gitlab.UpdateRunnerDetailsOptions{Description: ptr("x")})
	wantStatus(t, err, 403)
}

func TestDeleteRunner(t *testing.T) {
	f, _, as := start(t)
	single := f.AddRunner(ProjectRunner, nil, f.api)
	multi := f.AddRunner(ProjectRunner, nil, f.api, f.web)
	_, err := as("alice").Runners.RemoveRunner(multi.ID)
	wantStatus(t, err, 403)
	if !strings.Contains(err.Error(), "Runner associated with more than one project") {
		t.Errorf("error %v", err)
	}
	if _, err := as("root").Runners.RemoveRunner(multi.ID); err != nil {
		t.Errorf("admins may delete multi-project runners: %v", err)
	}
	_, err = as("bob").Runners.RemoveRunner(single.ID)
	wantStatus(t, err, 403)
	if _, err := as("carol").Runners.RemoveRunner(single.ID); err != nil {
		t.Fatal(err)
	}
	_, err = as("carol").Runners.RemoveRunner(single.ID)
	wantStatus(t, err, 404)
}

func TestRunnerTokens(t *testing.T) {
	f, _, as := start(t)
	r := f.AddRunner(ProjectRunner, nil, f.api)
	old := r.Token
	tok, _, err := as("carol").Runners.ResetRunnerAuthenticationToken(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *tok.Token == old || !strings.HasPrefix(*tok.Token, "glrt-") {
		t.Errorf("new token %q, old %q", *tok.Token, old)
	}
	c := as("dave") // the runner API needs no user
	if _, err := c.Runners.VerifyRegisteredRunner(
		&gitlab.VerifyRegisteredRunnerOptions{Token: tok.Token}); err != nil {
		t.Errorf("verify new token: %v", err)
	}
	_, err = c.Runners.VerifyRegisteredRunner(&gitlab.VerifyRegisteredRunnerOptions{Token: &old})
	wantStatus(t, err, 403)
	_, _, err = as("bob").Runners.ResetRunnerAuthenticationToken(r.ID)
	wantStatus(t, err, 403)
}

func TestListRunners(t *testing.T) {
	f, _, as := start(t)
	a := f.AddRunner(ProjectRunner, nil, f.api)
	a.TagList = []string{"docker", "linux"}
	b := f.AddRunner(ProjectRunner, nil, f.web)
	b.Paused = true
	g := f.AddRunner(GroupRunner, f.platform)
	inst := f.AddRunner(InstanceRunner, nil)
	ids := func(rs []*gitlab.Runner) []int64 {
		var out []int64
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	tests := []struct {
		name, user string
		list       func(c *gitlab.Client) ([]*gitlab.Runner, *gitlab.Response, error)
		want       []int64
	}{
		{"owned runners of a group owner", "alice", func(c *gitlab.Client) (
			[]*gitlab.Runner, *gitlab.Response, error) {
			return c.Runners.ListRunners(nil)
		}, []int64{a.ID, b.ID, g.ID}},
		{"owned runners of a project maintainer", "carol", func(c *gitlab.Client) (
			[]*gitlab.Runner, *gitlab.Response, error) {
			return c.Runners.ListRunners(nil)
		}, []int64{a.ID}},
		{"owned, by type", "alice", func(c *gitlab.Client) (
			[]*gitlab.Runner, *gitlab.Response, error) {
			return c.Runners.ListRunners(&gitlab.ListRunnersOptions{Type: ptr(GroupRunner)})
		}, []int64{g.ID}},
		{"owned, paused", "alice", func(c *gitlab.Client) (
			[]*gitlab.Runner, *gitlab.Response, error) {
			return c.Runners.ListRunners(&gitlab.ListRunnersOptions{Paused: ptr(true)})
		}, []int64{b.ID}},
		{"owned, by tags", "alice", func(c *gitlab.Client) (
			[]*gitlab.Runner, *gitlab.Response, error) {
			return c.Runners.ListRunners(&gitlab.ListRunnersOptions{
				TagList: ptr([]string{"linux", "docker"})})
		}, []int64{a.ID}},
		{"project runners with group and instance runners", "carol", func(c *gitlab.Client) (
			[]*gitlab.Runner, *gitlab.Response, error) {
			return c.Runners.ListProjectRunners(f.api.ID, nil)
		}, []int64{a.ID, g.ID, inst.ID}},
		{"project runners by type", "carol", func(c *gitlab.Client) (
			[]*gitlab.Runner, *gitlab.Response, error) {
			return c.Runners.ListProjectRunners(f.api.ID,
				&gitlab.ListProjectRunnersOptions{Type: ptr(ProjectRunner)})
		}, []int64{a.ID}},
		{"group runners", "alice", func(c *gitlab.Client) (
			[]*gitlab.Runner, *gitlab.Response, error) {
			return c.Runners.ListGroupsRunners(f.backend.ID, nil)
		}, []int64{g.ID, inst.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, _, err := tt.list(as(tt.user))
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(rs); !slices.Equal(got, tt.want) {
				t.Errorf("runners %v, want %v", got, tt.want)
			}
		})
	}
	_, _, err := as("bob").Runners.ListProjectRunners(f.api.ID, nil)
	wantStatus(t, err, 403)
	_, _, err = as("dave").Runners.ListProjectRunners(f.api.ID, nil)
	wantStatus(t, err, 404)
	_, _, err = as("alice").Runners.ListAllRunners(nil)
	wantStatus(t, err, 403)
}

func TestEnableAndDisableRunner(t *testing.T) {
	f, s, as := start(t)
	free := f.AddRunner(ProjectRunner, nil, f.api)
	locked := f.AddRunner(ProjectRunner, nil, f.api)
	locked.Locked = true
	group := f.AddRunner(GroupRunner, f.platform)
	enable := func(user string, p *Project, r *Runner) error {
		_, _, err := as(user).Runners.EnableProjectRunner(p.ID,
			&gitlab.EnableProjectRunnerOptions{RunnerID: r.ID})
		return err
	}
	tests := []struct {
		name    string
		err     error
		status  int
		message string
	}{
		{"unlocked runner into another project", enable("alice", f.web, free), 0, ""},
		{"twice into the same project", enable("alice", f.web, free), 400,
			"Runner has already been taken"},
		{"locked runner", enable("alice", f.web, locked), 403, "Runner is locked"},
		{"locked runner by an admin", enable("root", f.web, locked), 0, ""},
		{"group runner", enable("root", f.web, group), 403, "Runner is a group runner"},
		{"without Maintainer on the project", enable("bob", f.api, free), 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.status == 0 {
				if tt.err != nil {
					t.Fatal(tt.err)
				}
				return
			}
			wantStatus(t, tt.err, tt.status)
			if !strings.Contains(tt.err.Error(), tt.message) {
				t.Errorf("error %v, want %q", tt.err, tt.message)
			}
		})
	}
	if len(free.Projects) != 2 || free.Projects[1] != f.web {
		t.Fatalf("free runner projects %v", free.Projects)
	}

	_, err := as("alice").Runners.DisableProjectRunner(f.api.ID, free.ID)
	wantStatus(t, err, 403)
	if !strings.Contains(err.Error(), "owner project") {
		t.Errorf("error %v", err)
	}
	if _, err := as("alice").Runners.DisableProjectRunner(f.web.ID, free.ID); err != nil {
		t.Fatal(err)
	}
	_, err = as("alice").Runners.DisableProjectRunner(f.web.ID, free.ID)
	wantStatus(t, err, 404)
	if n := s.Count("DELETE", "/projects/:id/runners/:runner_id"); n != 3 {
		t.Errorf("counted %d disables", n)
	}
}
