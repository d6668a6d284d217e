package gitlabsim

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

func TestLatency(t *testing.T) {
	_, _, as := start(t, WithLatency(30*time.Millisecond))
	t0 := time.Now()
	if _, _, err := as("alice").Users.CurrentUser(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d < 30*time.Millisecond {
		t.Errorf("answered after %v, before the latency", d)
	}
}

func TestFaults(t *testing.T) {
	f, s, as := start(t)
	s.AddFault(Fault{Method: "GET", Route: "/projects/:id", Times: 2})
	c := as("alice")
	for i := range 2 {
		_, _, err := c.Projects.GetProject(f.api.ID, nil)
		wantStatus(t, err, 500)
		if !strings.Contains(err.Error(), "500 Internal Server Error") {
			t.Errorf("try %d: %v", i, err)
		}
	}
	if _, _, err := c.Projects.GetProject(f.api.ID, nil); err != nil {
		t.Errorf("the fault should be spent: %v", err)
	}
	if _, _, err := c.Users.CurrentUser(); err != nil {
		t.Errorf("other routes fail too: %v", err)
	}
	s.ClearFaults()
	s.AddFault(Fault{Route: "/user", Status: 503, Every: 3})
	var codes []int
	for range 6 {
		_, _, err := c.Users.CurrentUser()
		codes = append(codes, status(err))
	}
	if got := strings.Trim(strings.Join(strings.Fields(fmtInts(codes)), ","), "[]"); got !=
		"0,0,503,0,0,503" {
		t.Errorf("every third request: %s", got)
	}
}

func fmtInts(ns []int) string {
	var b strings.Builder
	for _, n := range ns {
		b.WriteString(strconv.Itoa(n) + " ")
	}
	return b.String()
}

// client-go retries idempotent requests after a 5xx on its own.
func TestFaultRecoveredByClientRetry(t *testing.T) {
	f, s, _ := start(t)
	s.AddFault(Fault{Method: "GET", Route: "/projects/:id", Status: 502, Times: 1})
	c := client(t, s.URL(), "glpat-alice", gitlab.WithCustomRetryMax(2),
		gitlab.WithCustomBackoff(func(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
			return time.Millisecond
		}))
	if _, _, err := c.Projects.GetProject(f.api.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got := s.Count("GET", "/projects/:id"); got != 2 {
		t.Errorf("%d requests, want a failure and a retry", got)
	}
}

// A dropped POST does the work: the runner exists, the client saw an error.
func TestDropAfterWork(t *testing.T) {
	f, s, as := start(t)
	s.AddFault(Fault{Method: "POST", Route: "/user/runners", Drop: true, Times: 1})
	_, _, err := as("carol").Users.CreateUserRunner(&gitlab.CreateUserRunnerOptions{
		RunnerType: ptr(ProjectRunner), ProjectID: ptr(f.api.ID), Description: ptr("x")})
	if err == nil {
		t.Fatal("a dropped connection looked like success")
	}
	var n int
	s.View(func(w *World) { n = len(w.Runners()) })
	if n != 1 {
		t.Errorf("%d runners after the dropped create, want 1", n)
	}
	log := s.Requests()
	if len(log) != 1 || !log[0].Dropped || log[0].Status != 201 ||
		log[0].String() != "POST /user/runners 201 dropped" {
		t.Errorf("log %v", log)
	}
}

func TestRateLimit(t *testing.T) {
	f, s, _ := start(t, WithRateLimit(3, time.Minute))
	for i := range 4 {
		code, h, body := rawCall(t, "GET", s.URL()+"/api/v4/projects/"+itoa(f.api.ID),
			token("glpat-alice"), "")
		if i < 3 {
			if code != 200 {
				t.Fatalf("request %d: %d", i, code)
			}
			continue
		}
		if code != 429 || body != "Retry later\n" {
			t.Fatalf("over the limit: %d %q", code, body)
		}
		retry, _ := strconv.Atoi(h.Get("Retry-After"))
		reset, _ := strconv.ParseInt(h.Get("RateLimit-Reset"), 10, 64)
		if retry < 1 || retry > 60 || reset < time.Now().Unix() ||
			h.Get("RateLimit-Remaining") != "0" || h.Get("RateLimit-Limit") != "3" ||
			h.Get("RateLimit-Observed") != "4" || h.Get("RateLimit-ResetTime") == "" {
			t.Errorf("headers %v", h)
		}
	}
	if got := s.Counts()["GET /projects/:id"]; got != 4 {
		t.Errorf("counted %d", got)
	}
}

// client-go waits for RateLimit-Reset after a 429 and then succeeds.
func TestThrottleFaultWithClientRetry(t *testing.T) {
	f, s, _ := start(t)
	s.AddFault(Fault{Route: "/projects/:id", Status: 429, Times: 1,
		RetryAfter: 10 * time.Millisecond})
	c := client(t, s.URL(), "glpat-alice", gitlab.WithCustomRetryMax(1),
		gitlab.WithCustomRetryWaitMinMax(time.Millisecond, 5*time.Millisecond))
	if _, _, err := c.Projects.GetProject(f.api.ID, nil); err != nil {
		t.Fatal(err)
	}
	log := s.Requests()
	if len(log) != 2 || log[0].Status != 429 || log[1].Status != 200 {
		t.Errorf("log %v", log)
	}
}

// Parallel clients, as hatchery runs them, see a consistent world.
func TestConcurrentRequests(t *testing.T) {
	f, s, _ := start(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client(t, s.URL(), "glpat-carol")
			for j := range 8 {
				if _, _, err := c.Users.CreateUserRunner(&gitlab.CreateUserRunnerOptions{
					RunnerType: ptr(ProjectRunner), ProjectID: ptr(f.api.ID),
					Description: ptr(strconv.Itoa(i*8 + j))}); err != nil {
					errs <- err
				}
				if _, _, err := c.Runners.ListProjectRunners(f.api.ID, nil); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ids := map[int64]bool{}
	s.View(func(w *World) {
		for _, r := range w.Runners() {
			ids[r.ID] = true
		}
	})
	if len(ids) != 64 || s.Count("POST", "/user/runners") != 64 || s.Count("*", "") != 128 {
		t.Errorf("%d runners, %v", len(ids), s.Counts())
	}
}

func TestInspect(t *testing.T) {
	f, s, as := start(t)
	var mu sync.Mutex
	var seen []string
	s.Inspect(func(r *http.Request, body []byte) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Method+" "+r.Header.Get("Private-Token")+" "+string(body))
	})
	_, _, err := as("alice").Projects.AddProjectHook(f.api.ID, &gitlab.AddProjectHookOptions{
		URL: ptr("https://hooks.example.com/x"), Token: ptr("hook-secret-inspected")})
	if err != nil {
		t.Fatalf("the handler should still read the body: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || !strings.HasPrefix(seen[0], "POST glpat-") ||
		!strings.Contains(seen[0], `"token":"hook-secret-inspected"`) {
		t.Errorf("inspector saw %q, want the POST with its token header and body", seen)
	}
}
