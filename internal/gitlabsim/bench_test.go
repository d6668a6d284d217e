package gitlabsim

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// planWorld is a group of 5,000 projects, as a large group egg would cover.
func planWorld() *World {
	return GenerateWorld(Generate{Groups: 50, ProjectsPerGroup: 100, Depth: 3,
		Archived: 0.05, Shared: 0.02, Seed: 1, Owner: "o", Token: "glpat-o"})
}

// BenchmarkPlanRequests measures simulator time alone (no network) for what
// a plan of a 5,000-project group asks: discovery 100 a page, then each
// project's hooks and runners. Target: well under a second per op.
func BenchmarkPlanRequests(b *testing.B) {
	w := planWorld()
	s := New(w)
	root := strconv.FormatInt(w.GroupByPath("fleet").ID, 10)
	var ids []string
	for _, p := range w.subtreeProjects(w.GroupByPath("fleet")) {
		ids = append(ids, strconv.FormatInt(p.ID, 10))
	}
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/api/v4"+path, nil)
		req.Header.Set("PRIVATE-TOKEN", "glpat-o")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		return rec
	}
	b.ResetTimer()
	for range b.N {
		for page := 1; ; page++ {
			rec := get("/groups/" + root + "/projects?include_subgroups=true&with_shared=false" +
				"&archived=false&per_page=100&page=" + strconv.Itoa(page))
			if rec.Header().Get("X-Next-Page") == "" {
				break
			}
		}
		for _, id := range ids {
			get("/projects/" + id + "/hooks?per_page=100")
			get("/projects/" + id + "/runners?type=project_type&per_page=100")
		}
		s.ResetRequests()
	}
}

// BenchmarkDiscoveryOverHTTP lists the 5,000 projects with client-go over
// loopback, as hatchery's discovery does.
func BenchmarkDiscoveryOverHTTP(b *testing.B) {
	_, url := serve(b, planWorld())
	c := client(b, url, "glpat-o")
	b.ResetTimer()
	for range b.N {
		opt := &gitlab.ListGroupProjectsOptions{ListOptions: gitlab.ListOptions{PerPage: 100},
			IncludeSubGroups: ptr(true), WithShared: ptr(false), Archived: ptr(false)}
		for {
			_, resp, err := c.Groups.ListGroupProjects("fleet", opt)
			if err != nil {
				b.Fatal(err)
			}
			if resp.NextPage == 0 {
				break
			}
			opt.Page = resp.NextPage
		}
	}
}
