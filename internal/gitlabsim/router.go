package gitlabsim

import (
	"net/http"
	"net/url"
	"strings"
)

// route is one API endpoint. Its pattern, "/projects/:id/hooks/:hook_id", is
// also the name the request log and the fault knobs use.
type route struct {
	method  string
	pattern string
	segs    []string
	handle  func(c *call) *reply
	// literals counts the fixed segments: the most specific route wins.
	literals int
	// anon lets a request without credentials through (public objects).
	anon bool
	// scopes are the token scopes besides api (and read_api on GET) that
	// GitLab accepts for this endpoint.
	scopes []string
	// job lets a CI job token authenticate.
	job bool
	// runnerAPI endpoints authenticate the runner, not a user.
	runnerAPI bool
}

func newRoute(method, pattern string, h func(*call) *reply) *route {
	rt := &route{method: method, pattern: pattern,
		segs: strings.Split(strings.Trim(pattern, "/"), "/"), handle: h}
	for _, s := range rt.segs {
		if !strings.HasPrefix(s, ":") {
			rt.literals++
		}
	}
	return rt
}

// match finds the route for an escaped API path. Each path segment is
// unescaped on its own, so "group%2Fproject" stays one project id. A path
// that exists under another method answers 405, an unknown one 404, both
// with Grape's bodies.
func (s *Server) match(method, escaped string) (*route, map[string]string, *reply) {
	raw := strings.Split(strings.Trim(escaped, "/"), "/")
	segs := make([]string, len(raw))
	for i, r := range raw {
		u, err := url.PathUnescape(r)
		if err != nil {
			return nil, nil, grapeError(http.StatusNotFound, "404 Not Found")
		}
		segs[i] = u
	}
	var best *route
	var bestParams map[string]string
	pathKnown := false
	for _, rt := range s.routes {
		ps, ok := rt.bind(segs)
		if !ok {
			continue
		}
		pathKnown = true
		if rt.method == method && (best == nil || rt.literals > best.literals) {
			best, bestParams = rt, ps
		}
	}
	switch {
	case best != nil:
		return best, bestParams, nil
	case pathKnown:
		return nil, nil, grapeError(http.StatusMethodNotAllowed, "405 Not Allowed")
	}
	return nil, nil, grapeError(http.StatusNotFound, "404 Not Found")
}

func (rt *route) bind(segs []string) (map[string]string, bool) {
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	var ps map[string]string
	for i, p := range rt.segs {
		if strings.HasPrefix(p, ":") {
			if segs[i] == "" {
				return nil, false
			}
			if ps == nil {
				ps = map[string]string{}
			}
			ps[p[1:]] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return ps, true
}

// apiRoutes is every endpoint the simulator knows.
func (s *Server) apiRoutes() []*route {
	get, post, put, del := http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	rs := []*route{
		newRoute(get, "/user", handleUser),
		newRoute(get, "/version", handleVersion),
		newRoute(get, "/projects/:id", handleGetProject),
		newRoute(get, "/groups/:id", handleGetGroup),
		newRoute(get, "/groups/:id/subgroups", handleSubgroups),
		newRoute(get, "/groups/:id/projects", handleGroupProjects),

		newRoute(post, "/user/runners", handleCreateRunner),
		newRoute(get, "/runners", handleOwnedRunners),
		newRoute(get, "/runners/all", handleAllRunners),
		newRoute(get, "/runners/:id", handleGetRunner),
		newRoute(put, "/runners/:id", handleUpdateRunner),
		newRoute(del, "/runners/:id", handleDeleteRunner),
		newRoute(post, "/runners/:id/reset_authentication_token", handleResetRunnerToken),
		newRoute(post, "/runners/verify", handleVerifyRunner),
		newRoute(get, "/projects/:id/runners", handleProjectRunners),
		newRoute(post, "/projects/:id/runners", handleEnableRunner),
		newRoute(del, "/projects/:id/runners/:runner_id", handleDisableRunner),
		newRoute(get, "/groups/:id/runners", handleGroupRunners),

		newRoute(get, "/projects/:id/hooks", handleListProjectHooks),
		newRoute(get, "/projects/:id/hooks/:hook_id", handleGetProjectHook),
		newRoute(post, "/projects/:id/hooks", handleAddProjectHook),
		newRoute(put, "/projects/:id/hooks/:hook_id", handleEditProjectHook),
		newRoute(del, "/projects/:id/hooks/:hook_id", handleDeleteProjectHook),
		newRoute(get, "/groups/:id/hooks", handleListGroupHooks),
		newRoute(get, "/groups/:id/hooks/:hook_id", handleGetGroupHook),
		newRoute(post, "/groups/:id/hooks", handleAddGroupHook),
		newRoute(put, "/groups/:id/hooks/:hook_id", handleEditGroupHook),
		newRoute(del, "/groups/:id/hooks/:hook_id", handleDeleteGroupHook),

		newRoute(get, "/projects/:id/merge_requests/:noteable_id/notes", handleListNotes),
		newRoute(get, "/projects/:id/merge_requests/:noteable_id/notes/:note_id", handleGetNote),
		newRoute(post, "/projects/:id/merge_requests/:noteable_id/notes", handleCreateNote),
		newRoute(put, "/projects/:id/merge_requests/:noteable_id/notes/:note_id", handleEditNote),
	}
	for _, rt := range rs {
		s.configure(rt)
	}
	return rs
}

// configure sets what GitLab lets authenticate each endpoint.
func (s *Server) configure(rt *route) {
	key := rt.method + " " + rt.pattern
	switch key {
	case "GET /user", "GET /version":
		rt.scopes = []string{"read_user"}
	case "POST /user/runners":
		rt.scopes = []string{"create_runner"}
	case "GET /runners/:id", "PUT /runners/:id", "DELETE /runners/:id",
		"POST /runners/:id/reset_authentication_token":
		// manage_runner works only on /runners/:id paths.
		rt.scopes = []string{"manage_runner"}
	case "POST /runners/verify":
		rt.runnerAPI = true
	case "GET /projects/:id", "GET /groups/:id", "GET /groups/:id/subgroups",
		"GET /groups/:id/projects":
		rt.anon = true
	case "GET /projects/:id/merge_requests/:noteable_id/notes",
		"GET /projects/:id/merge_requests/:noteable_id/notes/:note_id":
		rt.anon, rt.job = true, true
	}
}
