package gitlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "glpat-test-token-0123456789"

// serve starts h on loopback and returns a client for it under the server
// name "gl.test", with fast retries unless cfg says otherwise.
func serve(t *testing.T, cfg Config, h http.HandlerFunc) (*Client, *Pool) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg.Overrides = map[string]string{"gl.test": srv.URL}
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
	}
	p := NewPool(cfg)
	c, err := p.Client("gl.test", testToken)
	if err != nil {
		t.Fatal(err)
	}
	return c, p
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// failFirst answers the first n requests with status (and header), the
// rest with ok.
func failFirst(n int32, status int, header, value, ok string) http.HandlerFunc {
	var seen atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			if header != "" {
				w.Header().Set(header, value)
			}
			writeJSON(w, status, `{"message":"try later"}`)
			return
		}
		writeJSON(w, http.StatusOK, ok)
	}
}

const (
	userJSON   = `{"id":1,"username":"root"}`
	runnerJSON = `{"id":7,"token":"glrt-new"}`
)

func TestRateLimitWaitsForRetryAfter(t *testing.T) {
	c, _ := serve(t, Config{},
		failFirst(1, http.StatusTooManyRequests, "Retry-After", "1", userJSON))
	start := time.Now()
	u, err := c.CurrentUser(context.Background())
	if err != nil {
		t.Fatalf("CurrentUser after a 429: %v", err)
	}
	if took := time.Since(start); took < time.Second {
		t.Errorf("retried after %s, before the Retry-After of 1s", took)
	}
	if u.Username != "root" {
		t.Errorf("user = %+v", u)
	}
	want := Counts{Requests: 2, Retries: 1, RateLimited: 1}
	if got := c.Counts(); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
}

func TestRateLimitRepeatsAnyMethod(t *testing.T) {
	tests := []struct{ name, header, value string }{
		{"retry-after seconds", "Retry-After", "0"},
		{"ratelimit-reset in the past", "RateLimit-Reset", "1000000000"},
		{"no header", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := serve(t, Config{},
				failFirst(2, http.StatusTooManyRequests, tc.header, tc.value, runnerJSON))
			r, err := c.CreateRunner(context.Background(), ProjectOwner(3), RunnerSettings{})
			if err != nil {
				t.Fatalf("CreateRunner after two 429s: %v", err)
			}
			if r.ID != 7 || r.Token != "glrt-new" {
				t.Errorf("runner = %+v", r)
			}
			want := Counts{Requests: 3, Writes: 3, Retries: 2, RateLimited: 2}
			if got := c.Counts(); got != want {
				t.Errorf("counts = %+v, want %+v", got, want)
			}
		})
	}
}

func TestRateLimitLongerThanMaxWaitFails(t *testing.T) {
	c, _ := serve(t, Config{MaxWait: time.Second},
		failFirst(1, http.StatusTooManyRequests, "Retry-After", "3600", userJSON))
	start := time.Now()
	_, err := c.CurrentUser(context.Background())
	if StatusCode(err) != http.StatusTooManyRequests {
		t.Fatalf("error = %v, want a 429", err)
	}
	if Unclear(err) {
		t.Error("a 429 is reported as unclear; GitLab did not process it")
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("took %s; an hour's Retry-After should fail at once", took)
	}
}

func TestRateLimitWait(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{"seconds", map[string]string{"Retry-After": "7"}, 7 * time.Second, true},
		{"http date", map[string]string{"Retry-After": "Sat, 01 Mar 2025 12:00:30 GMT"},
			30 * time.Second, true},
		{"date in the past", map[string]string{"Retry-After": "Sat, 01 Mar 2025 11:00:00 GMT"},
			0, true},
		{"ratelimit-reset", map[string]string{"RateLimit-Reset": fmt.Sprint(now.Unix() + 42)},
			42 * time.Second, true},
		{"retry-after wins", map[string]string{"Retry-After": "3",
			"RateLimit-Reset": fmt.Sprint(now.Unix() + 42)}, 3 * time.Second, true},
		{"garbage falls back", map[string]string{"Retry-After": "soon",
			"RateLimit-Reset": fmt.Sprint(now.Unix() + 5)}, 5 * time.Second, true},
		{"negative seconds", map[string]string{"Retry-After": "-5"}, 0, false},
		{"nothing", map[string]string{}, 0, false},
	}
	p := &retryPolicy{now: func() time.Time { return now }}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{}}
			for k, v := range tc.header {
				resp.Header.Set(k, v)
			}
			got, ok := p.rateLimitWait(resp)
			if got != tc.want || ok != tc.ok {
				t.Errorf("rateLimitWait = %s, %v; want %s, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestServerErrorsRepeatOnlyIdempotentRequests(t *testing.T) {
	tests := []struct {
		name     string
		call     func(*Client) error
		requests int64
		ok       bool
	}{
		{"GET is repeated", func(c *Client) error {
			_, err := c.CurrentUser(context.Background())
			return err
		}, 3, true},
		{"PUT is repeated", func(c *Client) error {
			_, err := c.UpdateRunner(context.Background(), 7, RunnerUpdate{})
			return err
		}, 3, true},
		{"DELETE is repeated", func(c *Client) error {
			return c.DeleteRunner(context.Background(), 7)
		}, 3, true},
		{"POST is not", func(c *Client) error {
			_, err := c.CreateRunner(context.Background(), GroupOwner(4), RunnerSettings{})
			return err
		}, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := serve(t, Config{}, failFirst(2, http.StatusBadGateway, "", "", `{"id":7}`))
			err := tc.call(c)
			if got := c.Counts().Requests; got != tc.requests {
				t.Errorf("requests = %d, want %d", got, tc.requests)
			}
			if tc.ok {
				if err != nil {
					t.Errorf("failed after two 502s: %v", err)
				}
				return
			}
			if StatusCode(err) != http.StatusBadGateway || !Unclear(err) {
				t.Errorf("error = %v (status %d, unclear %v), want an unclear 502",
					err, StatusCode(err), Unclear(err))
			}
		})
	}
}

func TestRetriesAreBounded(t *testing.T) {
	c, _ := serve(t, Config{Retries: 2}, failFirst(100, http.StatusServiceUnavailable, "", "", ""))
	_, err := c.CurrentUser(context.Background())
	if StatusCode(err) != http.StatusServiceUnavailable {
		t.Fatalf("error = %v, want the last 503", err)
	}
	if got := c.Counts(); got.Requests != 3 || got.Retries != 2 {
		t.Errorf("counts = %+v, want 3 requests, 2 retries", got)
	}
}

// hang answers nothing until the test ends.
func hang(t *testing.T) http.HandlerFunc {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server sees the client leave only after this
		select {
		case <-done:
		case <-r.Context().Done():
		}
	}
}

func TestEveryAttemptHasADeadline(t *testing.T) {
	tests := []struct {
		name     string
		call     func(*Client) error
		requests int64
	}{
		{"GET is repeated", func(c *Client) error {
			_, err := c.Project(context.Background(), 5)
			return err
		}, 3},
		{"POST is not", func(c *Client) error {
			return c.EnableRunner(context.Background(), 5, 7)
		}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := serve(t, Config{Timeout: 50 * time.Millisecond, Retries: 2}, hang(t))
			start := time.Now()
			err := tc.call(c)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %s with a 50ms deadline", took)
			}
			if err == nil || !strings.Contains(err.Error(), "no answer within 50ms") {
				t.Fatalf("error = %v, want a timeout", err)
			}
			if !Unclear(err) || StatusCode(err) != 0 {
				t.Errorf("a sent request without answer: unclear %v, status %d; want true, 0",
					Unclear(err), StatusCode(err))
			}
			if got := c.Counts().Requests; got != tc.requests {
				t.Errorf("requests = %d, want %d", got, tc.requests)
			}
		})
	}
}

func TestCallerDeadlineStopsRetries(t *testing.T) {
	c, _ := serve(t, Config{Backoff: time.Hour}, failFirst(100, http.StatusBadGateway, "", "", ""))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.CurrentUser(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want the caller's deadline", err)
	}
}

func TestConnectionRefusedIsNotUnclear(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p := NewPool(Config{Overrides: map[string]string{"gl.test": "http://" + addr}})
	c, err := p.Client("gl.test", testToken)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateRunner(context.Background(), ProjectOwner(1), RunnerSettings{})
	if err == nil || Unclear(err) || StatusCode(err) != 0 {
		t.Errorf("POST to a closed port: error %v, unclear %v; want a clear failure",
			err, Unclear(err))
	}
	if got := c.Counts().Requests; got != 1 {
		t.Errorf("requests = %d, want 1: a POST is never repeated", got)
	}
}

func TestConcurrencyBoundSharedByTokens(t *testing.T) {
	var inFlight, peak atomic.Int32
	_, p := serve(t, Config{Parallelism: 3}, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
		inFlight.Add(-1)
		writeJSON(w, http.StatusOK, userJSON)
	})
	var wg sync.WaitGroup
	for i := range 24 {
		c, err := p.Client("gl.test", fmt.Sprintf("token-%d", i%2))
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if _, err := c.CurrentUser(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := peak.Load(); got > 3 || got < 2 {
		t.Errorf("at most %d requests ran at once, want 2 or 3 with Parallelism 3", got)
	}
	if got := p.Counts("gl.test").Requests; got != 24 {
		t.Errorf("requests = %d, want 24", got)
	}
}

func TestTokenStaysWithItsServer(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		writeJSON(w, http.StatusOK, userJSON)
	}))
	defer other.Close()

	var tokens []string
	var mu sync.Mutex
	c, _ := serve(t, Config{}, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tokens = append(tokens, r.Header.Get("PRIVATE-TOKEN"))
		mu.Unlock()
		switch r.URL.Path {
		case "/api/v4/user":
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
		case "/api/v4/projects/1":
			http.Redirect(w, r, "/api/v4/projects/2", http.StatusMovedPermanently)
		default:
			writeJSON(w, http.StatusOK, `{"id":2,"path_with_namespace":"g/two"}`)
		}
	})

	_, err := c.CurrentUser(context.Background())
	if err == nil || !strings.Contains(err.Error(), "redirect refused") {
		t.Errorf("redirect to another server: error = %v, want a refusal", err)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other server got %d requests", n)
	}
	if got := c.Counts().Requests; got != 1 {
		t.Errorf("requests = %d, want 1: a refused redirect is not retried", got)
	}

	p, err := c.Project(context.Background(), 1)
	if err != nil || p.ID != 2 {
		t.Fatalf("redirect within the server: project %+v, error %v", p, err)
	}
	for i, tok := range tokens {
		if tok != testToken {
			t.Errorf("request %d carried token %q", i, tok)
		}
	}
}

func TestDebugLogNamesRequestsNotSecrets(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _ := serve(t, Config{Logger: logger}, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			writeJSON(w, http.StatusBadGateway, "")
			return
		}
		writeJSON(w, http.StatusOK, "[]")
	})
	_, err := c.AddHook(context.Background(), 5, HookSettings{
		URL: "https://h.example", Token: "hook-secret-value"})
	if StatusCode(err) != http.StatusBadGateway {
		t.Fatalf("AddHook error = %v, want the 502", err)
	}
	if _, err := c.Hooks(context.Background(), 5); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"msg=\"gitlab request\" server=gl.test method=POST path=/api/v4/projects/5/hooks " +
			"status=502 duration=",
		"method=GET path=/api/v4/projects/5/hooks status=200",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{testToken, "hook-secret-value", "PRIVATE-TOKEN"} {
		if strings.Contains(out, secret) {
			t.Errorf("log shows %q:\n%s", secret, out)
		}
	}
}
