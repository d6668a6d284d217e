package gitlabsim

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

func TestGetProject(t *testing.T) {
	f, _, as := start(t)
	tests := []struct {
		name, user string
		id         any
		status     int
	}{
		{"by id as an inherited owner", "alice", f.api.ID, 200},
		{"by URL-encoded path", "alice", "platform/backend/api", 200},
		{"by path, case-insensitive", "alice", "Platform/Backend/API", 200},
		{"as a direct member", "bob", f.api.ID, 200},
		{"through a share", "alice", f.sdk.ID, 200},
		{"private project of strangers", "dave", f.api.ID, 404},
		{"public project of strangers", "dave", f.public.ID, 200},
		{"admin sees everything", "root", f.sdk.ID, 200},
		{"unknown project", "alice", 99999, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, err := as(tt.user).Projects.GetProject(tt.id, nil)
			if tt.status != 200 {
				wantStatus(t, err, tt.status)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.ID != f.World.ProjectByPath(p.PathWithNamespace).ID {
				t.Fatalf("project %d %q does not match its path", p.ID, p.PathWithNamespace)
			}
		})
	}
}

func TestProjectFields(t *testing.T) {
	f, _, as := start(t)
	p, _, err := as("bob").Projects.GetProject(f.api.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case p.PathWithNamespace != "platform/backend/api":
		t.Errorf("path_with_namespace %q", p.PathWithNamespace)
	case p.NameWithNamespace != "platform / backend / api":
		t.Errorf("name_with_namespace %q", p.NameWithNamespace)
	case p.Namespace == nil || p.Namespace.FullPath != "platform/backend" ||
		p.Namespace.Kind != "group" || p.Namespace.ParentID != f.platform.ID:
		t.Errorf("namespace %+v", p.Namespace)
	case p.Visibility != gitlab.PrivateVisibility || p.Archived || p.DefaultBranch != "main":
		t.Errorf("visibility %q archived %v branch %q", p.Visibility, p.Archived, p.DefaultBranch)
	case p.Permissions == nil || p.Permissions.ProjectAccess == nil ||
		p.Permissions.ProjectAccess.AccessLevel != gitlab.DeveloperPermissions:
		t.Errorf("permissions %+v", p.Permissions)
	case p.CreatedAt == nil || !strings.HasSuffix(p.WebURL, "/platform/backend/api"):
		t.Errorf("created_at %v web_url %q", p.CreatedAt, p.WebURL)
	}
	shared, _, err := as("alice").Projects.GetProject(f.sdk.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(shared.SharedWithGroups) != 1 ||
		shared.SharedWithGroups[0].GroupFullPath != "platform" ||
		shared.SharedWithGroups[0].GroupAccessLevel != int64(Developer) {
		t.Errorf("shared_with_groups %+v", shared.SharedWithGroups)
	}
}

func TestGetGroupAndSubgroups(t *testing.T) {
	f, _, as := start(t)
	g, _, err := as("alice").Groups.GetGroup("platform/backend", nil)
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != f.backend.ID || g.FullPath != "platform/backend" || g.ParentID != f.platform.ID ||
		g.FullName != "platform / backend" {
		t.Errorf("group %+v", g)
	}
	if len(g.Projects) != 1 || g.Projects[0].ID != f.api.ID {
		t.Errorf("projects of GET /groups/:id: %v", g.Projects)
	}
	g, _, err = as("alice").Groups.GetGroup(f.platform.ID,
		&gitlab.GetGroupOptions{WithProjects: ptr(false)})
	if err != nil || g.Projects != nil {
		t.Errorf("with_projects=false still lists %v (err %v)", g.Projects, err)
	}
	// bob is a member of one project deep inside: he may see the groups above.
	if _, _, err := as("bob").Groups.GetGroup(f.platform.ID, nil); err != nil {
		t.Errorf("bob cannot see platform: %v", err)
	}
	_, _, err = as("dave").Groups.GetGroup(f.platform.ID, nil)
	wantStatus(t, err, 404)

	f.World.AddGroup(f.platform, "alpha")
	subs, _, err := as("alice").Groups.ListSubGroups(f.platform.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	names := groupPaths(subs)
	if !slices.Equal(names, []string{"platform/alpha", "platform/backend"}) {
		t.Errorf("subgroups %v", names)
	}
}

func groupPaths(gs []*gitlab.Group) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.FullPath)
	}
	return out
}

func projectPaths(ps []*gitlab.Project) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.PathWithNamespace)
	}
	slices.Sort(out)
	return out
}

func TestListGroupProjects(t *testing.T) {
	f, _, as := start(t)
	tests := []struct {
		name string
		opt  gitlab.ListGroupProjectsOptions
		user string
		want []string
	}{
		{"own projects and shares by default", gitlab.ListGroupProjectsOptions{}, "alice",
			[]string{"partners/sdk", "platform/old", "platform/web"}},
		{"with subgroups", gitlab.ListGroupProjectsOptions{IncludeSubGroups: ptr(true)}, "alice",
			[]string{"partners/sdk", "platform/backend/api", "platform/old", "platform/web"}},
		{"without shares", gitlab.ListGroupProjectsOptions{IncludeSubGroups: ptr(true),
			WithShared: ptr(false)}, "alice",
			[]string{"platform/backend/api", "platform/old", "platform/web"}},
		{"archived only", gitlab.ListGroupProjectsOptions{Archived: ptr(true)}, "alice",
			[]string{"platform/old"}},
		{"not archived", gitlab.ListGroupProjectsOptions{Archived: ptr(false),
			IncludeSubGroups: ptr(true), WithShared: ptr(false)}, "alice",
			[]string{"platform/backend/api", "platform/web"}},
		{"only what the caller may see", gitlab.ListGroupProjectsOptions{
			IncludeSubGroups: ptr(true)}, "bob", []string{"platform/backend/api"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, _, err := as(tt.user).Groups.ListGroupProjects(f.platform.ID, &tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := projectPaths(ps); !slices.Equal(got, tt.want) {
				t.Errorf("projects %v, want %v", got, tt.want)
			}
		})
	}
}

func TestListGroupProjectsSimple(t *testing.T) {
	f, s, _ := start(t)
	code, _, body := rawCall(t, "GET", s.URL()+"/api/v4/groups/"+itoa(f.platform.ID)+
		"/projects?simple=true&archived=true", token("glpat-alice"), "")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	// GitLab's simple entity has neither archived nor visibility.
	if strings.Contains(body, `"archived"`) || strings.Contains(body, `"visibility"`) ||
		!strings.Contains(body, `"path_with_namespace":"platform/old"`) {
		t.Errorf("simple body %s", body)
	}
}

func TestListGroupProjectsOrder(t *testing.T) {
	f, _, as := start(t)
	list := func(opt *gitlab.ListGroupProjectsOptions) []int64 {
		ps, _, err := as("alice").Groups.ListGroupProjects(f.platform.ID, opt)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
		return ids
	}
	all := &gitlab.ListGroupProjectsOptions{IncludeSubGroups: ptr(true), WithShared: ptr(false)}
	byDefault := list(all)
	if !slices.IsSortedFunc(byDefault, func(a, b int64) int { return int(b - a) }) {
		t.Errorf("default order (created_at desc) %v", byDefault)
	}
	all.OrderBy, all.Sort = ptr("id"), ptr("asc")
	if ids := list(all); !slices.IsSorted(ids) || len(ids) != 3 {
		t.Errorf("id asc %v", ids)
	}
	all.OrderBy = ptr("name")
	if ids := list(all); !slices.Equal(ids, []int64{f.api.ID, f.old.ID, f.web.ID}) {
		t.Errorf("name asc %v", ids)
	}
	code, _, body := rawCall(t, "GET", as("x").BaseURL().String()+"groups/"+
		itoa(f.platform.ID)+"/projects?order_by=colour", token("glpat-alice"), "")
	if code != 400 {
		t.Fatalf("bad order_by: %d", code)
	}
	wantJSON(t, body, `{"error":"order_by does not have a valid value"}`)
}

func TestPaginationHeaders(t *testing.T) {
	w := GenerateWorld(Generate{Groups: 5, ProjectsPerGroup: 9, Seed: 3, Owner: "o",
		Token: "glpat-o"})
	_, url := serve(t, w)
	root := w.GroupByPath("fleet")
	path := func(page int) string {
		return "/api/v4/groups/" + itoa(root.ID) +
			"/projects?include_subgroups=true&per_page=20&page=" + strconv.Itoa(page)
	}
	code, h, _ := rawCall(t, "GET", url+path(2), token("glpat-o"), "")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	want := map[string]string{"X-Page": "2", "X-Per-Page": "20", "X-Next-Page": "3",
		"X-Prev-Page": "1", "X-Total": "45", "X-Total-Pages": "3"}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, h.Get(k), v)
		}
	}
	link := h.Get("Link")
	for _, rel := range []string{`rel="prev"`, `rel="next"`, `rel="first"`, `rel="last"`} {
		if !strings.Contains(link, rel) {
			t.Errorf("Link %q lacks %s", link, rel)
		}
	}
	if !strings.Contains(link, "include_subgroups=true") || !strings.Contains(link, "page=3") {
		t.Errorf("Link %q does not repeat the query", link)
	}
	_, h, _ = rawCall(t, "GET", url+path(3), token("glpat-o"), "")
	if h.Get("X-Next-Page") != "" || h.Get("X-Prev-Page") != "2" {
		t.Errorf("last page: next %q prev %q", h.Get("X-Next-Page"), h.Get("X-Prev-Page"))
	}
}

func TestPerPageIsCapped(t *testing.T) {
	w := GenerateWorld(Generate{Groups: 1, ProjectsPerGroup: 150, Seed: 1, Owner: "o",
		Token: "glpat-o"})
	_, url := serve(t, w)
	c := client(t, url, "glpat-o")
	ps, resp, err := c.Groups.ListGroupProjects("fleet", &gitlab.ListGroupProjectsOptions{
		ListOptions: gitlab.ListOptions{PerPage: 500}, IncludeSubGroups: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 100 || resp.ItemsPerPage != 100 || resp.NextPage != 2 {
		t.Errorf("got %d projects, per page %d, next %d", len(ps), resp.ItemsPerPage, resp.NextPage)
	}
	ps, resp, err = c.Groups.ListGroupProjects("fleet", &gitlab.ListGroupProjectsOptions{
		IncludeSubGroups: ptr(true)})
	if err != nil || len(ps) != 20 || resp.TotalItems != 150 {
		t.Errorf("default page: %d projects, total %d, err %v", len(ps), resp.TotalItems, err)
	}
}

// TestPagingPastTenThousand follows X-Next-Page through a group of more than
// 10,000 projects: no totals and no rel="last", every project exactly once.
func TestPagingPastTenThousand(t *testing.T) {
	w := GenerateWorld(Generate{Groups: 41, ProjectsPerGroup: 250, Depth: 3,
		Archived: 0.1, Seed: 7, Owner: "o", Token: "glpat-o"})
	_, url := serve(t, w)
	c := client(t, url, "glpat-o")
	want := len(w.subtreeProjects(w.GroupByPath("fleet")))
	if want <= countLimit {
		t.Fatalf("generated only %d projects", want)
	}
	seen := map[int64]int{}
	opt := &gitlab.ListGroupProjectsOptions{ListOptions: gitlab.ListOptions{PerPage: 100},
		IncludeSubGroups: ptr(true), WithShared: ptr(false), Simple: ptr(true)}
	pages := 0
	for {
		ps, resp, err := c.Groups.ListGroupProjects("fleet", opt)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if resp.Header.Get("X-Total") != "" || resp.Header.Get("X-Total-Pages") != "" ||
			strings.Contains(resp.Header.Get("Link"), `rel="last"`) {
			t.Fatalf("page %d has totals above 10,000: %v", pages, resp.Header)
		}
		for _, p := range ps {
			seen[p.ID]++
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if len(seen) != want {
		t.Fatalf("saw %d distinct projects, want %d", len(seen), want)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("project %d seen %d times", id, n)
		}
	}
	if pages != (want+99)/100 {
		t.Errorf("%d pages for %d projects", pages, want)
	}
}

func TestRouting(t *testing.T) {
	_, s, _ := start(t)
	tests := []struct {
		name, method, path string
		status             int
		body               string
	}{
		{"unknown route", "GET", "/nothing/here", 404, `{"error":"404 Not Found"}`},
		{"known path, other method", "PATCH", "/user", 405, `{"error":"405 Not Allowed"}`},
		{"unencoded project path does not route", "GET", "/projects/platform/web", 404,
			`{"error":"404 Not Found"}`},
		{"encoded project path routes", "GET", "/projects/" + url.PathEscape("platform/web"),
			200, ""},
		{"runner id must be a number", "GET", "/runners/abc", 400, `{"error":"id is invalid"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := rawCall(t, tt.method, s.URL()+"/api/v4"+tt.path,
				token("glpat-alice"), "")
			if code != tt.status {
				t.Fatalf("status %d, want %d: %s", code, tt.status, body)
			}
			if tt.body != "" {
				wantJSON(t, body, tt.body)
			}
		})
	}
}

func TestVersionAndUser(t *testing.T) {
	_, _, as := start(t)
	v, _, err := as("dave").Version.GetVersion()
	if err != nil || v.Version != "17.11.1-ee" || v.Revision == "" {
		t.Fatalf("version %+v, err %v", v, err)
	}
	u, _, err := as("root").Users.CurrentUser()
	if err != nil || !u.IsAdmin || u.Username != "root" {
		t.Fatalf("root %+v, err %v", u, err)
	}
	u, _, err = as("dave").Users.CurrentUser()
	if err != nil || u.IsAdmin || u.ID == 0 || u.Email != "dave@example.com" {
		t.Fatalf("dave %+v, err %v", u, err)
	}
}
