package gitlabsim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// fixtureWorld is the small world most tests use:
//
//	platform (alice owner)           partners
//	├── backend                      └── sdk (shared into platform as developer)
//	│   └── api (bob developer, carol maintainer; MR !1)
//	├── web
//	└── old (archived)
//
// root is an admin; dave is signed in but a member of nothing.
type fixtureWorld struct {
	*World
	root, alice, bob, carol, dave *User
	platform, backend, partners   *Group
	api, web, old, sdk, public    *Project
	mr                            *MergeRequest
}

func newFixtureWorld() *fixtureWorld {
	w := NewWorld()
	f := &fixtureWorld{World: w}
	f.root = w.AddUser("root")
	f.root.Admin = true
	f.alice, f.bob, f.carol, f.dave = w.AddUser("alice"), w.AddUser("bob"),
		w.AddUser("carol"), w.AddUser("dave")
	for _, u := range []*User{f.root, f.alice, f.bob, f.carol, f.dave} {
		w.AddToken(u, "glpat-"+u.Username, "api")
	}
	f.platform = w.AddGroup(nil, "platform")
	f.backend = w.AddGroup(f.platform, "backend")
	f.partners = w.AddGroup(nil, "partners")
	f.platform.AddMember(f.alice, Owner)
	f.api = w.AddProject(f.backend, "api")
	f.web = w.AddProject(f.platform, "web")
	f.old = w.AddProject(f.platform, "old")
	f.old.Archived = true
	f.sdk = w.AddProject(f.partners, "sdk")
	f.public = w.AddProject(f.partners, "docs")
	f.public.Visibility = "public"
	w.ShareWith(f.sdk, f.platform, Developer)
	f.api.AddMember(f.bob, Developer)
	f.api.AddMember(f.carol, Maintainer)
	f.mr = w.AddMergeRequest(f.api, f.alice, "Add runner")
	return f
}

// serve starts a server over w and stops it when the test ends.
func serve(t testing.TB, w *World, opts ...Option) (*Server, string) {
	t.Helper()
	s := New(w, opts...)
	url, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, url
}

// client is client-go with the given token against url, without retries so
// failures show as they are.
func client(t testing.TB, url, token string, opts ...gitlab.ClientOptionFunc) *gitlab.Client {
	t.Helper()
	opts = append([]gitlab.ClientOptionFunc{gitlab.WithBaseURL(url + "/api/v4"),
		gitlab.WithCustomRetryMax(0)}, opts...)
	c, err := gitlab.NewClient(token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// start serves the fixture world and returns a client per username.
func start(t testing.TB, opts ...Option) (
	*fixtureWorld, *Server, func(user string) *gitlab.Client) {
	t.Helper()
	f := newFixtureWorld()
	s, url := serve(t, f.World, opts...)
	return f, s, func(user string) *gitlab.Client { return client(t, url, "glpat-"+user) }
}

// status is the HTTP status of a client-go error, or 0.
func status(err error) int {
	var e *gitlab.ErrorResponse
	if errors.As(err, &e) {
		return e.StatusCode
	}
	if errors.Is(err, gitlab.ErrNotFound) {
		return http.StatusNotFound
	}
	return 0
}

func wantStatus(t *testing.T, err error, want int) {
	t.Helper()
	if got := status(err); got != want {
		t.Fatalf("status %d (err %v), want %d", got, err, want)
	}
}

// rawCall sends a request by hand and returns status, headers and body.
func rawCall(t *testing.T, method, url string, header http.Header,
	body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(data)
}

func token(v string) http.Header { return http.Header{"Private-Token": {v}} }

// wantJSON compares a JSON body with the expected value, key order aside.
func wantJSON(t *testing.T, body, want string) {
	t.Helper()
	var got, exp any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	e, _ := json.Marshal(exp)
	if string(g) != string(e) {
		t.Fatalf("body\n%s\nwant\n%s", g, e)
	}
}

func ptr[T any](v T) *T { return &v }
