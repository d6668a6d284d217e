package gitlabsim

import (
	"net/http"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

func TestAuthenticationHeaders(t *testing.T) {
	f := newFixtureWorld()
	f.AddJobToken(f.api, f.alice, "glcbt-job")
	_, url := serve(t, f.World)
	base := []gitlab.ClientOptionFunc{gitlab.WithBaseURL(url + "/api/v4"),
		gitlab.WithCustomRetryMax(0)}

	t.Run("private token header names the user", func(t *testing.T) {
		u, _, err := client(t, url, "glpat-alice").Users.CurrentUser()
		if err != nil || u.Username != "alice" {
			t.Fatalf("user %+v, err %v", u, err)
		}
	})
	t.Run("bearer header names the user", func(t *testing.T) {
		c, err := gitlab.NewOAuthClient("glpat-bob", base...) // Authorization: Bearer
		if err != nil {
			t.Fatal(err)
		}
		u, _, err := c.Users.CurrentUser()
		if err != nil || u.Username != "bob" {
			t.Fatalf("user %+v, err %v", u, err)
		}
	})
	t.Run("job token reads notes of its project", func(t *testing.T) {
		c, err := gitlab.NewJobClient("glcbt-job", base...)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.Notes.ListMergeRequestNotes(f.api.ID, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.Users.CurrentUser()
		wantStatus(t, err, http.StatusUnauthorized)
		_, _, err = c.Notes.CreateMergeRequestNote(f.api.ID, 1,
			&gitlab.CreateMergeRequestNoteOptions{Body: ptr("hi")})
		wantStatus(t, err, http.StatusUnauthorized)
	})
	t.Run("no credentials is 401", func(t *testing.T) {
		code, _, body := rawCall(t, "GET", url+"/api/v4/user", nil, "")
		if code != 401 {
			t.Fatalf("status %d", code)
		}
		wantJSON(t, body, `{"message":"401 Unauthorized"}`)
	})
}

func TestTokenValidity(t *testing.T) {
	f := newFixtureWorld()
	exp := f.AddToken(f.alice, "glpat-expired", "api")
	exp.ExpiresAt = f.Now().Add(-24 * time.Hour)
	future := f.AddToken(f.alice, "glpat-future", "api")
	future.ExpiresAt = f.Now().Add(24 * time.Hour)
	f.AddToken(f.alice, "glpat-revoked", "api").Revoked = true
	_, url := serve(t, f.World)

	tests := []struct {
		name, token string
		status      int
		body        string
	}{
		{"unknown token", "glpat-nobody", 401, `{"message":"401 Unauthorized"}`},
		{"expired token", "glpat-expired", 401, `{"error":"invalid_token",` +
			`"error_description":"Token is expired. ` +
			`You can either do re-authorization or token refresh."}`},
		{"revoked token", "glpat-revoked", 401, `{"error":"invalid_token",` +
			`"error_description":"Token was revoked. You have to re-authorize from the user."}`},
		{"token expiring tomorrow", "glpat-future", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, h, body := rawCall(t, "GET", url+"/api/v4/user", token(tt.token), "")
			if code != tt.status {
				t.Fatalf("status %d, want %d: %s", code, tt.status, body)
			}
			if tt.body != "" {
				wantJSON(t, body, tt.body)
			}
			if tt.status == 401 && tt.token != "glpat-nobody" &&
				h.Get("WWW-Authenticate") == "" {
				t.Error("no WWW-Authenticate header")
			}
		})
	}
}

func TestScopes(t *testing.T) {
	f := newFixtureWorld()
	f.AddToken(f.alice, "glpat-read", "read_api")
	f.AddToken(f.alice, "glpat-user", "read_user")
	f.AddToken(f.alice, "glpat-create", "create_runner")
	f.AddToken(f.alice, "glpat-manage", "manage_runner")
	_, url := serve(t, f.World)
	runner := `{"runner_type":"project_type","project_id":` + itoa(f.api.ID) + `}`

	tests := []struct {
		name, token, method, path, body string
		status                          int
	}{
		{"read_api reads projects", "glpat-read", "GET", "/projects/" + itoa(f.api.ID), "", 200},
		{"read_api cannot create runners", "glpat-read", "POST", "/user/runners", runner, 403},
		{"read_user reads the user", "glpat-user", "GET", "/user", "", 200},
		{"read_user reads the version", "glpat-user", "GET", "/version", "", 200},
		{"read_user cannot read projects", "glpat-user", "GET", "/projects/1", "", 403},
		{"create_runner creates runners", "glpat-create", "POST", "/user/runners", runner, 201},
		{"create_runner cannot list runners", "glpat-create", "GET", "/runners", "", 403},
		{"manage_runner cannot list runners", "glpat-manage", "GET", "/runners", "", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := rawCall(t, tt.method, url+"/api/v4"+tt.path, token(tt.token), tt.body)
			if code != tt.status {
				t.Fatalf("status %d, want %d: %s", code, tt.status, body)
			}
			if code == 403 {
				wantJSON(t, body, `{"error":"insufficient_scope","error_description":`+
					`"The request requires higher privileges than provided by the access token.",`+
					`"scope":"`+scopeList(tt.method, tt.path)+`"}`)
			}
		})
	}
}

func scopeList(method, path string) string {
	s := "api"
	if method == "GET" {
		s += " read_api"
	}
	if path == "/user/runners" {
		s += " create_runner"
	}
	return s
}

func TestManageRunnerScope(t *testing.T) {
	f := newFixtureWorld()
	r := f.AddRunner(ProjectRunner, nil, f.api)
	f.AddToken(f.carol, "glpat-manage", "manage_runner")
	_, url := serve(t, f.World)
	c := client(t, url, "glpat-manage")
	if _, _, err := c.Runners.GetRunnerDetails(r.ID); err != nil {
		t.Fatalf("manage_runner should read /runners/:id: %v", err)
	}
	_, _, err := c.Runners.UpdateRunnerDetails(r.ID,
		&gitlab.UpdateRunnerDetailsOptions{Description: ptr("x")})
	if err != nil {
		t.Fatalf("manage_runner should edit /runners/:id: %v", err)
	}
}

func TestProjectAndGroupAccessTokens(t *testing.T) {
	f := newFixtureWorld()
	f.AddProjectToken(f.api, "glpat-project", Maintainer, "api")
	f.AddGroupToken(f.backend, "glpat-group", Developer, "read_api")
	_, url := serve(t, f.World)

	pc := client(t, url, "glpat-project")
	u, _, err := pc.Users.CurrentUser()
	if err != nil || !u.Bot {
		t.Fatalf("project token user %+v, err %v; want a bot", u, err)
	}
	if _, _, err := pc.Projects.GetProject(f.api.ID, nil); err != nil {
		t.Fatal(err)
	}
	_, _, err = pc.Projects.GetProject(f.web.ID, nil)
	wantStatus(t, err, 404)

	gc := client(t, url, "glpat-group")
	if _, _, err := gc.Projects.GetProject(f.api.ID, nil); err != nil {
		t.Fatalf("group token reads projects below its group: %v", err)
	}
	_, _, err = gc.Projects.GetProject(f.web.ID, nil)
	wantStatus(t, err, 404)
}
