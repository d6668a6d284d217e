// Package gitlabsim is an in-process GitLab REST API simulator, held to the
// real API for the calls hatchery makes: field names and types as client-go
// decodes them, GitLab's status codes and error bodies, pagination headers,
// authentication by PRIVATE-TOKEN, Authorization: Bearer and JOB-TOKEN,
// token scopes and expiry, roles inherited down the group tree, and the
// quirks that bit other tools (hook tokens are write-only and cleared by
// edits without one, push_events defaults to true, locked and group runners
// cannot be enabled in a project, the owner project keeps its runner,
// maximum_timeout below 600 is refused, totals vanish above 10,000 results).
// Each rule is written down beside the code that keeps it.
//
// A world is built in Go:
//
//	w := gitlabsim.NewWorld()
//	alice := w.AddUser("alice")
//	w.AddToken(alice, "glpat-alice", "api")
//	platform := w.AddGroup(nil, "platform")
//	platform.AddMember(alice, gitlabsim.Owner)
//	api := w.AddProject(w.AddGroup(platform, "backend"), "api")
//	w.AddProjectHook(api, "https://hooks.example.com/gitlab", "s3cret")
//	s := gitlabsim.New(w, gitlabsim.WithLatency(2*time.Millisecond))
//	url, err := s.Start() // http://127.0.0.1:PORT; the API is url + "/api/v4"
//	defer s.Close()
//
// or loaded from a JSON fixture (LoadFile). Groups and projects are named by
// full path, members by username and role; every part is optional:
//
//	{
//	  "instance": {"version": "17.11.1-ee", "tier": "premium",
//	               "allow_local_hooks": false, "now": "2025-01-01T00:00:00Z"},
//	  "users": [
//	    {"username": "root", "admin": true,
//	     "tokens": [{"value": "glpat-root", "scopes": ["api"]}]},
//	    {"username": "alice",
//	     "tokens": [{"value": "glpat-alice", "scopes": ["read_api"],
//	                 "expires_at": "2026-01-01"}]},
//	    {"username": "bob"}
//	  ],
//	  "groups": [
//	    {"path": "platform", "id": 10, "members": {"alice": "owner"},
//	     "tokens": [{"value": "glpat-group", "access": "maintainer"}]},
//	    {"path": "platform/backend", "visibility": "internal"},
//	    {"path": "partners"}
//	  ],
//	  "projects": [
//	    {"path": "platform/backend/api", "id": 100, "members": {"bob": "developer"},
//	     "job_tokens": [{"value": "glcbt-job", "user": "alice"}],
//	     "hooks": [{"url": "https://hooks.example.com/gitlab", "token": "s3cret",
//	                "events": {"job_events": true}}],
//	     "merge_requests": [{"iid": 1, "title": "Add runner", "author": "alice",
//	                         "notes": [{"author": "alice", "body": "LGTM"}]}]},
//	    {"path": "platform/old", "archived": true},
//	    {"path": "partners/sdk", "shared_with": {"platform": "developer"}}
//	  ],
//	  "runners": [
//	    {"id": 5, "runner_type": "project_type", "projects": ["platform/backend/api"],
//	     "description": "hatchery:api", "tag_list": ["docker"], "locked": true}
//	  ],
//	  "generate": {"groups": 10, "projects_per_group": 100, "depth": 3,
//	               "archived": 0.1, "shared": 0.05, "seed": 1, "owner": "alice"},
//	  "knobs": {"latency": "1ms", "rate_limit": {"limit": 100, "window": "1s"},
//	            "faults": [{"method": "POST", "route": "/user/runners",
//	                        "drop": true, "times": 1}]}
//	}
//
// Knobs make the server slow (latency), throttled (429 with Retry-After and
// RateLimit-* headers), failing (5xx for chosen routes, or every Nth) or
// rude (the work is done, then the connection is closed unanswered). Every
// API request is logged by method and route pattern ("POST /user/runners"),
// so tests can count calls. Routes under /-/sim/ show the world and the log
// and change things by hand; see sim.go.
//
// Known gaps: no personal (user-namespace) projects, no pagination by
// keyset, no runner managers or jobs, no hook custom headers or URL
// variables, and the RateLimit-* headers come only with 429 answers.
package gitlabsim
