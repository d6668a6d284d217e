package gitlab

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
)

// throttledClient is alice's client on a world whose pool has cfg, with
// every wait told to the returned notices.
func throttledClient(t *testing.T, cfg Config) (*world, *Client, func() []string) {
	t.Helper()
	w := newWorld(t)
	var mu sync.Mutex
	var notices []string
	cfg.Overrides = map[string]string{"gl.test": w.sim.URL()}
	cfg.Backoff = time.Millisecond
	cfg.Notify = func(s string) {
		mu.Lock()
		notices = append(notices, s)
		mu.Unlock()
	}
	c := w.connect(t, NewPool(cfg), "glpat-alice-0123456789")
	c.policy.noticeAfter = 0 // tell every wait, however short
	return w, c, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), notices...)
	}
}

func TestRateLimitWaitsBoundedPerRequest(t *testing.T) {
	// Every GET /user is throttled for a second; the budget of 1.5s pays
	// one wait, and the second 429 asks for more than is left.
	w, c, notices := throttledClient(t, Config{MaxWait: 1500 * time.Millisecond})
	w.sim.AddFault(gitlabsim.Fault{Method: "GET", Route: "/user",
		Status: http.StatusTooManyRequests, RetryAfter: time.Second})

	_, err := c.CurrentUser(ctx)
	if StatusCode(err) != http.StatusTooManyRequests {
		t.Fatalf("error = %v, want a 429", err)
	}
	if want := "asked to wait 1s; run again after that"; !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to say %q", err, want)
	}
	if n := w.sim.Count("GET", "/user"); n != 2 {
		t.Errorf("%d requests, want 2: one wait fits the budget, the second does not", n)
	}
	want := []string{"waiting 1s: gl.test asked to slow down (429)"}
	if got := notices(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("notices = %q, want %q", got, want)
	}

	// The next request has a budget of its own.
	w.sim.ClearFaults()
	if _, err := c.CurrentUser(ctx); err != nil {
		t.Errorf("the next request: %v", err)
	}
}

func TestRateLimitBeyondBudgetFailsAtOnce(t *testing.T) {
	// The throttle allows one request an hour: the second waits for nothing.
	w, c, notices := throttledClient(t, Config{MaxWait: time.Minute})
	w.sim.SetRateLimit(1, time.Hour)
	if _, err := c.CurrentUser(ctx); err != nil {
		t.Fatalf("the first request: %v", err)
	}
	_, err := c.CurrentUser(ctx)
	if StatusCode(err) != http.StatusTooManyRequests ||
		!strings.Contains(err.Error(), "asked to wait 1h0m0s; run again after that") {
		t.Fatalf("error = %v, want a 429 that names the hour", err)
	}
	if n := w.sim.Count("GET", "/user"); n != 2 {
		t.Errorf("%d requests, want 2: the 429 is not repeated", n)
	}
	if got := notices(); len(got) != 0 {
		t.Errorf("notices = %q, want none: nothing was waited for", got)
	}
}

func TestRetryNotice(t *testing.T) {
	p := &retryPolicy{srv: &server{name: "gitlab.com"}, noticeAfter: 3 * time.Second}
	tests := []struct {
		name   string
		wait   time.Duration
		status int
		want   string
	}{
		{"rate limit", 2 * time.Minute, http.StatusTooManyRequests,
			"waiting 2m0s: gitlab.com asked to slow down (429)"},
		{"unavailable", 8 * time.Second, http.StatusServiceUnavailable,
			"waiting 8s: gitlab.com answered 503 Service Unavailable"},
		{"no answer", 4 * time.Second, 0, "waiting 4s: a request to gitlab.com got no answer"},
		{"short wait untold", 3 * time.Second, http.StatusTooManyRequests, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			p.notify = func(s string) { got = s }
			var resp *http.Response
			if tc.status != 0 {
				resp = &http.Response{StatusCode: tc.status}
			}
			p.tell(tc.wait, resp)
			if got != tc.want {
				t.Errorf("notice = %q, want %q", got, tc.want)
			}
		})
	}
}
