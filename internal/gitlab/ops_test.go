package gitlab

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
)

// world is a small GitLab:
//
//	platform (alice owner)           partners
//	├── backend                      └── sdk (shared into platform)
//	│   └── api (MR !1 with a note)
//	├── web
//	└── old (archived)
type world struct {
	*gitlabsim.World
	alice                    *gitlabsim.User
	platform, backend        *gitlabsim.Group
	api, web, old, sdk       *gitlabsim.Project
	mr                       *gitlabsim.MergeRequest
	sim                      *gitlabsim.Server
	client, reader, stranger *Client
}

func newWorld(t *testing.T, opts ...gitlabsim.Option) *world {
	t.Helper()
	w := &world{World: gitlabsim.NewWorld()}
	w.alice = w.AddUser("alice")
	w.AddToken(w.alice, "glpat-alice-0123456789", "api")
	w.AddToken(w.alice, "glpat-alice-read-01234", "read_api")
	w.AddToken(w.AddUser("dave"), "glpat-dave-0123456789", "api")
	w.platform = w.AddGroup(nil, "platform")
	w.platform.AddMember(w.alice, gitlabsim.Owner)
	w.backend = w.AddGroup(w.platform, "backend")
	partners := w.AddGroup(nil, "partners")
	w.api = w.AddProject(w.backend, "api")
	w.web = w.AddProject(w.platform, "web")
	w.old = w.AddProject(w.platform, "old")
	w.old.Archived = true
	w.sdk = w.AddProject(partners, "sdk")
	w.ShareWith(w.sdk, w.platform, gitlabsim.Developer)
	w.mr = w.AddMergeRequest(w.api, w.alice, "Add runner")
	w.AddNote(w.mr, w.alice, "first")

	w.sim = gitlabsim.New(w.World, opts...)
	url, err := w.sim.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.sim.Close() })
	p := NewPool(Config{Overrides: map[string]string{"gl.test": url},
		Backoff: time.Millisecond})
	w.client = w.connect(t, p, "glpat-alice-0123456789")
	w.reader = w.connect(t, p, "glpat-alice-read-01234")
	w.stranger = w.connect(t, p, "glpat-dave-0123456789")
	return w
}

func (w *world) connect(t *testing.T, p *Pool, token string) *Client {
	c, err := p.Client("gl.test", token)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var ctx = context.Background()

func TestCurrentUserProjectAndGroup(t *testing.T) {
	w := newWorld(t)
	u, err := w.client.CurrentUser(ctx)
	if err != nil || u.Username != "alice" || u.ID != w.alice.ID {
		t.Errorf("CurrentUser = %+v, %v", u, err)
	}

	p, err := w.client.Project(ctx, w.api.ID)
	want := Project{ID: w.api.ID, Path: "platform/backend/api",
		Namespace: Namespace{ID: w.backend.ID, FullPath: "platform/backend", Kind: "group"}}
	if err != nil || p != want {
		t.Errorf("Project = %+v, %v; want %+v", p, err, want)
	}
	if p, err := w.client.Project(ctx, w.old.ID); err != nil || !p.Archived {
		t.Errorf("archived Project = %+v, %v", p, err)
	}

	g, err := w.client.Group(ctx, w.backend.ID)
	if err != nil || g.FullPath != "platform/backend" || g.ID != w.backend.ID {
		t.Errorf("Group = %+v, %v", g, err)
	}
}

func TestErrorsKeepTheStatus(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name   string
		call   func() error
		status int
		text   string
	}{
		{"missing project", func() error {
			_, err := w.client.Project(ctx, 999)
			return err
		}, 404, "get project 999: 404 Not Found"},
		{"project of others", func() error {
			_, err := w.stranger.Project(ctx, w.api.ID)
			return err
		}, 404, fmt.Sprintf("get project %d: 404 Not Found", w.api.ID)},
		{"missing group", func() error {
			_, err := w.client.GroupProjects(ctx, 999, Discovery{})
			return err
		}, 404, "list projects of group 999: 404 Not Found"},
		{"read-only token writes", func() error {
			_, err := w.reader.CreateRunner(ctx, ProjectOwner(w.api.ID), RunnerSettings{})
			return err
		}, 403, fmt.Sprintf("create runner for project %d: 403 Forbidden: insufficient_scope",
			w.api.ID)},
		{"refused setting", func() error {
			_, err := w.client.CreateRunner(ctx, ProjectOwner(w.api.ID),
				RunnerSettings{MaximumTimeout: 60})
			return err
		}, 400, "400 Bad Request: Maximum timeout needs to be at least 10 minutes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if StatusCode(err) != tc.status {
				t.Errorf("status of %v = %d, want %d", err, StatusCode(err), tc.status)
			}
			if err == nil || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not say %q", err, tc.text)
			}
			if Unclear(err) {
				t.Errorf("a %d is reported as unclear", tc.status)
			}
			if IsNotFound(err) != (tc.status == 404) {
				t.Errorf("IsNotFound = %v for %d", IsNotFound(err), tc.status)
			}
		})
	}
}

func paths(ps []Project) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Path)
	}
	return out
}

func TestGroupProjects(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name string
		d    Discovery
		want []string
	}{
		{"own projects", Discovery{}, []string{"platform/web"}},
		{"subgroups", Discovery{IncludeSubgroups: true},
			[]string{"platform/backend/api", "platform/web"}},
		{"archived too", Discovery{IncludeSubgroups: true, IncludeArchived: true},
			[]string{"platform/backend/api", "platform/web", "platform/old"}},
		{"shared too", Discovery{IncludeShared: true}, []string{"platform/web", "partners/sdk"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := w.client.GroupProjects(ctx, w.platform.ID, tc.d)
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(ps); !slices.Equal(got, tc.want) {
				t.Errorf("projects = %v, want %v", got, tc.want)
			}
			for _, p := range ps {
				if p.Archived != (p.ID == w.old.ID) || p.Namespace.FullPath == "" {
					t.Errorf("project %+v: archived or namespace wrong", p)
				}
			}
		})
	}
}

func TestGroupProjectsFollowsEveryPage(t *testing.T) {
	w := newWorld(t)
	w.sim.Update(func(gw *gitlabsim.World) {
		for i := range 250 {
			gw.AddProject(w.backend, fmt.Sprintf("svc-%03d", i))
		}
	})
	ps, err := w.client.GroupProjects(ctx, w.platform.ID, Discovery{IncludeSubgroups: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 252 {
		t.Errorf("got %d projects, want 252", len(ps))
	}
	if !slices.IsSortedFunc(ps, func(a, b Project) int { return int(a.ID - b.ID) }) {
		t.Error("projects are not in id order")
	}
	if n := w.sim.Count("GET", "/groups/:id/projects"); n != 3 {
		t.Errorf("%d page requests, want 3", n)
	}
}

func TestRunnerLifecycle(t *testing.T) {
	w := newWorld(t)
	settings := RunnerSettings{
		Description: "api runners [hatchery:api]", MaintenanceNote: "hatchery:api",
		Tags: []string{"docker", "linux"}, Locked: false, Paused: true,
		AccessLevel: "ref_protected", MaximumTimeout: 3600,
	}
	created, err := w.client.CreateRunner(ctx, ProjectOwner(w.api.ID), settings)
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == 0 || !strings.HasPrefix(created.Token, "glrt-") {
		t.Fatalf("created = %+v", created)
	}
	want := Runner{ID: created.ID, Type: "project_type", Description: settings.Description,
		MaintenanceNote: settings.MaintenanceNote, Tags: settings.Tags, Paused: true,
		AccessLevel: "ref_protected", MaximumTimeout: 3600, Projects: []int64{w.api.ID},
		ProjectPaths: map[int64]string{w.api.ID: "platform/backend/api"}}
	checkRunner(t, w.client, created.ID, want)

	list, err := w.client.Runners(ctx, ProjectOwner(w.api.ID))
	wantList := []RunnerSummary{{ID: created.ID, Description: settings.Description,
		Paused: true, Type: "project_type"}}
	if err != nil || !slices.Equal(list, wantList) {
		t.Errorf("Runners = %+v, %v; want %+v", list, err, wantList)
	}

	// Only the given fields change; an empty tag list clears the tags.
	up, err := w.client.UpdateRunner(ctx, created.ID, RunnerUpdate{
		Tags: &[]string{}, RunUntagged: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	want.Tags, want.RunUntagged = nil, true
	if !equalRunners(up, want) {
		t.Errorf("UpdateRunner = %+v, want %+v", up, want)
	}
	checkRunner(t, w.client, created.ID, want)

	token, err := w.client.ResetRunnerToken(ctx, created.ID)
	if err != nil || token == created.Token || !strings.HasPrefix(token, "glrt-") {
		t.Errorf("ResetRunnerToken = %q, %v", token, err)
	}
	w.sim.View(func(gw *gitlabsim.World) {
		if got := gw.Runner(created.ID).Token; got != token {
			t.Errorf("the simulator's token is %q, not the one returned", got)
		}
	})

	if err := w.client.EnableRunner(ctx, w.web.ID, created.ID); err != nil {
		t.Fatal(err)
	}
	want.Projects = []int64{w.api.ID, w.web.ID}
	want.ProjectPaths = map[int64]string{w.api.ID: "platform/backend/api",
		w.web.ID: "platform/web"}
	checkRunner(t, w.client, created.ID, want)
	err = w.client.DisableRunner(ctx, w.api.ID, created.ID)
	if StatusCode(err) != http.StatusForbidden || Unclear(err) {
		t.Errorf("disabling the owner project: %v, want a clear 403", err)
	}
	if err := w.client.DisableRunner(ctx, w.web.ID, created.ID); err != nil {
		t.Fatal(err)
	}
	want.Projects = []int64{w.api.ID}
	delete(want.ProjectPaths, w.web.ID)
	checkRunner(t, w.client, created.ID, want)

	if err := w.client.DeleteRunner(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.client.Runner(ctx, created.ID); !IsNotFound(err) {
		t.Errorf("Runner after delete: %v, want 404", err)
	}
}

func TestGroupRunnerAndLockedRunner(t *testing.T) {
	w := newWorld(t)
	g, err := w.client.CreateRunner(ctx, GroupOwner(w.platform.ID),
		RunnerSettings{Description: "fleet [hatchery:fleet]", RunUntagged: true})
	if err != nil {
		t.Fatal(err)
	}
	list, err := w.client.Runners(ctx, GroupOwner(w.platform.ID))
	if err != nil || len(list) != 1 || list[0].ID != g.ID || list[0].Type != "group_type" {
		t.Errorf("group Runners = %+v, %v", list, err)
	}
	r, err := w.client.Runner(ctx, g.ID)
	if err != nil || !slices.Equal(r.Groups, []int64{w.platform.ID}) || !r.RunUntagged {
		t.Errorf("group Runner = %+v, %v", r, err)
	}
	if list, err := w.client.Runners(ctx, ProjectOwner(w.web.ID)); err != nil || len(list) != 0 {
		t.Errorf("project Runners of web = %+v, %v; want none of project type", list, err)
	}

	locked, err := w.client.CreateRunner(ctx, ProjectOwner(w.api.ID),
		RunnerSettings{Locked: true, RunUntagged: true})
	if err != nil {
		t.Fatal(err)
	}
	err = w.client.EnableRunner(ctx, w.web.ID, locked.ID)
	if StatusCode(err) != http.StatusForbidden || !strings.Contains(err.Error(),
		fmt.Sprintf("enable runner %d on project %d: 403 Forbidden: Runner is locked",
			locked.ID, w.web.ID)) {
		t.Errorf("enabling a locked runner: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func equalRunners(a, b Runner) bool {
	return a.ID == b.ID && a.Type == b.Type && a.Description == b.Description &&
		a.MaintenanceNote == b.MaintenanceNote && slices.Equal(a.Tags, b.Tags) &&
		a.RunUntagged == b.RunUntagged && a.Locked == b.Locked && a.Paused == b.Paused &&
		a.AccessLevel == b.AccessLevel && a.MaximumTimeout == b.MaximumTimeout &&
		slices.Equal(a.Projects, b.Projects) && maps.Equal(a.ProjectPaths, b.ProjectPaths) &&
		slices.Equal(a.Groups, b.Groups)
}

func checkRunner(t *testing.T, c *Client, id int64, want Runner) {
	t.Helper()
	got, err := c.Runner(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !equalRunners(got, want) {
		t.Errorf("Runner(%d) =\n %+v\nwant\n %+v", id, got, want)
	}
}

func TestHooks(t *testing.T) {
	w := newWorld(t)
	settings := HookSettings{URL: "https://hooks.example.com/gitlab", Name: "hatchery:api",
		Description: "fp:0123abcd", Events: []string{"job", "pipeline"},
		SSLVerification: true, Token: "first-secret-value"}
	h, err := w.client.AddHook(ctx, w.api.ID, settings)
	if err != nil {
		t.Fatal(err)
	}
	want := Hook{ID: h.ID, URL: settings.URL, Name: settings.Name,
		Description: settings.Description, Events: []string{"job", "pipeline"},
		SSLVerification: true}
	checkHooks(t, w, []Hook{want})
	w.sim.View(func(gw *gitlabsim.World) {
		if !gw.Hook(h.ID).HasToken() || gw.Hook(h.ID).Events["push_events"] {
			t.Errorf("hook in GitLab: token %v, events %v; want a token and no push",
				gw.Hook(h.ID).HasToken(), gw.Hook(h.ID).Events)
		}
	})

	settings.URL, settings.Events = "https://hooks.example.com/v2", []string{"push"}
	settings.Token, settings.SSLVerification = "second-secret-value", false
	if _, err := w.client.EditHook(ctx, w.api.ID, h.ID, settings); err != nil {
		t.Fatal(err)
	}
	want.URL, want.Events, want.SSLVerification = settings.URL, []string{"push"}, false
	checkHooks(t, w, []Hook{want})
	w.sim.View(func(gw *gitlabsim.World) {
		if gw.Hook(h.ID).TokenHash() != sha256Hex("second-secret-value") {
			t.Error("the edit did not set the new token")
		}
	})

	before := w.client.Counts().Requests
	settings.Token = ""
	if _, err := w.client.EditHook(ctx, w.api.ID, h.ID, settings); err == nil ||
		!strings.Contains(err.Error(), "no secret token") {
		t.Errorf("EditHook without a token: %v", err)
	}
	settings.Token, settings.Events = "x-secret-value", []string{"pushes"}
	if _, err := w.client.AddHook(ctx, w.api.ID, settings); err == nil ||
		!strings.Contains(err.Error(), `unknown hook event "pushes"`) {
		t.Errorf("AddHook with an unknown event: %v", err)
	}
	if after := w.client.Counts().Requests; after != before {
		t.Errorf("refused settings still sent %d requests", after-before)
	}

	if err := w.client.DeleteHook(ctx, w.api.ID, h.ID); err != nil {
		t.Fatal(err)
	}
	checkHooks(t, w, nil)
}

func checkHooks(t *testing.T, w *world, want []Hook) {
	t.Helper()
	got, err := w.client.Hooks(ctx, w.api.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, want, func(a, b Hook) bool {
		return a.ID == b.ID && a.URL == b.URL && a.Name == b.Name &&
			a.Description == b.Description && slices.Equal(a.Events, b.Events) &&
			a.SSLVerification == b.SSLVerification
	}) {
		t.Errorf("Hooks =\n %+v\nwant\n %+v", got, want)
	}
}

func TestMergeRequestNotes(t *testing.T) {
	w := newWorld(t)
	w.sim.Update(func(gw *gitlabsim.World) {
		for i := range 120 {
			gw.AddNote(w.mr, w.alice, fmt.Sprintf("note %d", i))
		}
	})
	n, err := w.client.CreateMergeRequestNote(ctx, w.api.ID, w.mr.IID, "plan: 1 to create")
	if err != nil || n.Body != "plan: 1 to create" || n.Author != "alice" {
		t.Fatalf("CreateMergeRequestNote = %+v, %v", n, err)
	}
	edited, err := w.client.EditMergeRequestNote(ctx, w.api.ID, w.mr.IID, n.ID, "plan: none")
	if err != nil || edited.ID != n.ID || edited.Body != "plan: none" {
		t.Fatalf("EditMergeRequestNote = %+v, %v", edited, err)
	}
	notes, err := w.client.MergeRequestNotes(ctx, w.api.ID, w.mr.IID)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 122 || notes[0].Body != "first" || notes[121].Body != "plan: none" {
		t.Errorf("%d notes, first %+v, last %+v", len(notes), notes[0], notes[len(notes)-1])
	}
	_, err = w.client.MergeRequestNotes(ctx, w.api.ID, 99)
	if !IsNotFound(err) || !strings.Contains(err.Error(),
		fmt.Sprintf("list notes of merge request !99 of project %d", w.api.ID)) {
		t.Errorf("notes of a missing merge request: %v", err)
	}
}

func TestFaultsFromTheSimulator(t *testing.T) {
	w := newWorld(t,
		gitlabsim.WithFault(gitlabsim.Fault{Method: "POST", Route: "/user/runners",
			Drop: true, Times: 1}),
		gitlabsim.WithFault(gitlabsim.Fault{Method: "GET", Route: "/projects/:id",
			Status: 502, Times: 2}),
		gitlabsim.WithFault(gitlabsim.Fault{Method: "GET", Route: "/user",
			Status: 429, RetryAfter: time.Millisecond, Times: 1}))

	_, err := w.client.CreateRunner(ctx, ProjectOwner(w.api.ID),
		RunnerSettings{RunUntagged: true})
	if err == nil || !Unclear(err) || StatusCode(err) != 0 {
		t.Errorf("dropped POST: %v, unclear %v; want unclear without status", err, Unclear(err))
	}
	w.sim.View(func(gw *gitlabsim.World) {
		if n := len(gw.Runners()); n != 1 {
			t.Errorf("%d runners in GitLab after the dropped POST, want 1 (it acted)", n)
		}
	})
	if n := w.sim.Count("POST", "/user/runners"); n != 1 {
		t.Errorf("the dropped POST was sent %d times", n)
	}

	if _, err := w.client.Project(ctx, w.api.ID); err != nil {
		t.Errorf("GET after two 502s: %v", err)
	}
	if _, err := w.client.CurrentUser(ctx); err != nil {
		t.Errorf("GET after a 429: %v", err)
	}
	if n := w.sim.Count("GET", "/user"); n != 2 {
		t.Errorf("GET /user sent %d times, want 2", n)
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
