package gitlabsim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault makes chosen API requests fail. Method and Route select requests
// ("POST", "/user/runners"); empty or "*" matches any. Route is a pattern as
// the request log names it, without /api/v4.
type Fault struct {
	Method string `json:"method,omitempty"`
	Route  string `json:"route,omitempty"`
	// Status is the answer instead of the real one: 500 by default; 429 comes
	// with Retry-After and RateLimit-* headers.
	Status int `json:"status,omitempty"`
	// Drop makes the server do the work and then close the connection
	// without answering.
	Drop bool `json:"drop,omitempty"`
	// Times limits how many matching requests fail; 0 is all of them.
	Times int `json:"times,omitempty"`
	// Every fails only every Nth matching request (N, 2N, ...).
	Every int `json:"every,omitempty"`
	// RetryAfter is the wait a 429 announces; one second by default.
	RetryAfter time.Duration `json:"retry_after,omitempty"`

	seen, fired int
}

func (f *Fault) matches(method, route string) bool {
	return (f.Method == "" || f.Method == "*" || strings.EqualFold(f.Method, method)) &&
		(f.Route == "" || f.Route == "*" || f.Route == route)
}

// fire counts a matching request and says whether it fails.
func (f *Fault) fire() bool {
	if f.Times > 0 && f.fired >= f.Times {
		return false
	}
	f.seen++
	if f.Every > 1 && f.seen%f.Every != 0 {
		return false
	}
	f.fired++
	return true
}

func (f *Fault) reply(now time.Time) *reply {
	switch status := f.Status; {
	case status == http.StatusTooManyRequests:
		return throttled(now, f.RetryAfter, 0, 0)
	case status == 0 || status == http.StatusInternalServerError:
		return apiError(http.StatusInternalServerError, "500 Internal Server Error")
	default:
		// Bad gateways and the like come from the proxy in front of GitLab.
		return &reply{status: status, raw: []byte(http.StatusText(status) + "\n"),
			header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}}
	}
}

// throttled is GitLab's 429 from Rack::Attack: plain "Retry later" with
// Retry-After and the RateLimit-* headers. RateLimit-Limit counts requests
// per minute, as clients (client-go's limiter among them) read it.
func throttled(now time.Time, wait time.Duration, perMinute, observed int) *reply {
	if wait <= 0 {
		wait = time.Second
	}
	secs := int(math.Ceil(wait.Seconds()))
	reset := now.Add(wait)
	h := http.Header{
		"Content-Type":        {"text/plain"},
		"Retry-After":         {strconv.Itoa(secs)},
		"Ratelimit-Remaining": {"0"},
		"Ratelimit-Reset":     {strconv.FormatInt(reset.Unix(), 10)},
		"Ratelimit-Resettime": {reset.UTC().Format(http.TimeFormat)},
	}
	if perMinute > 0 {
		h.Set("Ratelimit-Limit", strconv.Itoa(perMinute))
		h.Set("Ratelimit-Observed", strconv.Itoa(observed))
	}
	return &reply{status: http.StatusTooManyRequests, raw: []byte("Retry later\n"), header: h}
}

// Request is one API request as the simulator saw it.
type Request struct {
	Method  string `json:"method"`
	Route   string `json:"route"` // the matched pattern; "" when nothing matched
	Path    string `json:"path"`
	Status  int    `json:"status"`
	Dropped bool   `json:"dropped,omitempty"`
}

// String is "METHOD ROUTE STATUS", with " dropped" when the connection was
// closed instead of answered.
func (r Request) String() string {
	route := r.Route
	if route == "" {
		route = r.Path
	}
	s := fmt.Sprintf("%s %s %d", r.Method, route, r.Status)
	if r.Dropped {
		s += " dropped"
	}
	return s
}

// knobs hold the test controls and the request log.
type knobs struct {
	mu      sync.Mutex
	latency time.Duration
	faults  []*Fault
	log     []Request

	limit, used int
	window      time.Duration
	windowStart time.Time
	inspect     func(r *http.Request, body []byte)
}

func (k *knobs) wait(ctx context.Context) error {
	k.mu.Lock()
	d := k.latency
	k.mu.Unlock()
	return ctxSleep(ctx, d)
}

// trip finds the first fault that fires for this request.
func (k *knobs) trip(method, route string) *Fault {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, f := range k.faults {
		if f.matches(method, route) && f.fire() {
			return f
		}
	}
	return nil
}

// throttle counts the request against the rate limit: a fixed window of limit
// requests; past it, 429 until the window ends.
func (k *knobs) throttle() *reply {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.limit <= 0 {
		return nil
	}
	now := time.Now()
	if now.Sub(k.windowStart) >= k.window {
		k.windowStart, k.used = now, 0
	}
	k.used++
	if k.used <= k.limit {
		return nil
	}
	perMinute := int(float64(k.limit) * float64(time.Minute) / float64(k.window))
	return throttled(now, k.windowStart.Add(k.window).Sub(now), perMinute, k.used)
}

func (k *knobs) record(r Request) {
	k.mu.Lock()
	k.log = append(k.log, r)
	k.mu.Unlock()
}

// SetLatency delays every API request by d from now on.
func (s *Server) SetLatency(d time.Duration) {
	s.knobs.mu.Lock()
	s.knobs.latency = d
	s.knobs.mu.Unlock()
}

// SetRateLimit allows limit requests per window; more get 429 until the
// window ends. A limit of 0 turns limiting off.
func (s *Server) SetRateLimit(limit int, window time.Duration) {
	s.knobs.mu.Lock()
	defer s.knobs.mu.Unlock()
	if window <= 0 {
		window = time.Second
	}
	s.knobs.limit, s.knobs.window, s.knobs.used = limit, window, 0
	s.knobs.windowStart = time.Time{}
}

// Inspect has f called with every API request and its body before it is
// answered, so a test can check what clients send (a token meant for
// another server, say). f must not keep r or change it; nil stops it.
func (s *Server) Inspect(f func(r *http.Request, body []byte)) {
	s.knobs.mu.Lock()
	s.knobs.inspect = f
	s.knobs.mu.Unlock()
}

// inspected passes the request to the inspector, if any, leaving its body
// readable for the handler.
func (k *knobs) inspected(r *http.Request) {
	k.mu.Lock()
	f := k.inspect
	k.mu.Unlock()
	if f == nil {
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	f(r, body)
}

// AddFault adds a failure rule; rules are tried in the order added.
func (s *Server) AddFault(f Fault) {
	s.knobs.mu.Lock()
	s.knobs.faults = append(s.knobs.faults, &f)
	s.knobs.mu.Unlock()
}

// ClearFaults removes every failure rule.
func (s *Server) ClearFaults() {
	s.knobs.mu.Lock()
	s.knobs.faults = nil
	s.knobs.mu.Unlock()
}

// Requests is a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.knobs.mu.Lock()
	defer s.knobs.mu.Unlock()
	return append([]Request(nil), s.knobs.log...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.knobs.mu.Lock()
	s.knobs.log = nil
	s.knobs.mu.Unlock()
}

// Count is how many requests matched method and route ("POST",
// "/user/runners"); an empty or "*" part matches anything.
func (s *Server) Count(method, route string) int {
	f := Fault{Method: method, Route: route}
	n := 0
	for _, r := range s.Requests() {
		if f.matches(r.Method, r.Route) {
			n++
		}
	}
	return n
}

// Counts is the number of requests per "METHOD ROUTE".
func (s *Server) Counts() map[string]int {
	out := map[string]int{}
	for _, r := range s.Requests() {
		out[r.Method+" "+r.Route]++
	}
	return out
}
