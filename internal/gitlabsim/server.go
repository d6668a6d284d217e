package gitlabsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server serves a World as GitLab's REST API under /api/v4, plus the
// simulator's own introspection under /-/sim/. It is safe for concurrent use:
// one lock guards the world, reads share it.
type Server struct {
	mu     sync.RWMutex
	world  *World
	routes []*route
	knobs  knobs

	srv *http.Server
	url string
}

// Option configures a Server.
type Option func(*Server)

// WithLatency delays every API request by d.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.SetLatency(d) } }

// WithRateLimit answers 429 once more than limit requests arrive in a window.
func WithRateLimit(limit int, window time.Duration) Option {
	return func(s *Server) { s.SetRateLimit(limit, window) }
}

// WithFault injects a failure; see Fault.
func WithFault(f Fault) Option { return func(s *Server) { s.AddFault(f) } }

// New returns a server over w. A nil w is an empty world.
func New(w *World, opts ...Option) *Server {
	if w == nil {
		w = NewWorld()
	}
	s := &Server{world: w}
	s.routes = s.apiRoutes()
	for _, o := range opts {
		o(s)
	}
	return s
}

// Start listens on 127.0.0.1 at a free port and serves in the background. It
// returns the server's root URL; GitLab's API root is that plus "/api/v4".
func (s *Server) Start() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("start gitlab simulator: %w", err)
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String()
	go s.srv.Serve(ln) //nolint:errcheck // Serve returns ErrServerClosed on Close
	return s.url, nil
}

// URL is the root URL after Start.
func (s *Server) URL() string { return s.url }

// Close stops a started server and drops open connections.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// Handler is the server as an http.Handler, for use without Start.
func (s *Server) Handler() http.Handler { return s }

// World returns the world. Read or change it only inside Update or View once
// the server is serving.
func (s *Server) World() *World { return s.world }

// Update runs f with the world locked for writing.
func (s *Server) Update(f func(w *World)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.world)
}

// View runs f with the world locked for reading.
func (s *Server) View(f func(w *World)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	f(s.world)
}

const apiPrefix = "/api/v4"

// ServeHTTP answers one request: introspection, or an API call that passes
// through the knobs (latency, rate limit, faults) and is logged.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	if strings.HasPrefix(path, simPrefix) {
		s.serveSim(rw, r)
		return
	}
	if !strings.HasPrefix(path, apiPrefix+"/") {
		http.NotFound(rw, r)
		return
	}
	s.knobs.inspected(r)
	rt, params, rep := s.match(r.Method, strings.TrimPrefix(path, apiPrefix))
	name := ""
	if rt != nil {
		name = rt.pattern
	}
	if err := s.knobs.wait(r.Context()); err != nil {
		return // the client went away while we slept
	}
	fault := s.knobs.trip(r.Method, name)
	switch {
	case rep != nil:
	case fault != nil && !fault.Drop:
		rep = fault.reply(time.Now())
	default:
		if limited := s.knobs.throttle(); limited != nil {
			rep = limited
		} else {
			rep = s.call(r, rt, params)
		}
	}
	dropped := fault != nil && fault.Drop
	s.knobs.record(Request{Method: r.Method, Route: name, Path: r.URL.Path,
		Status: rep.status, Dropped: dropped})
	if dropped {
		hangUp(rw)
		return
	}
	rep.write(rw)
}

// hangUp closes the connection without an answer: the client sees an error
// although the server did the work.
func hangUp(rw http.ResponseWriter) {
	if hj, ok := rw.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// call authenticates the request and runs its handler under the world lock.
func (s *Server) call(r *http.Request, rt *route, path map[string]string) *reply {
	ps, err := readParams(r)
	if err != nil {
		return grapeError(http.StatusBadRequest, err.Error())
	}
	c := &call{req: r, route: rt, path: path, params: ps, base: baseURL(r)}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		s.mu.RLock()
		defer s.mu.RUnlock()
	} else {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	c.w = s.world
	if rep := c.authenticate(); rep != nil {
		return rep
	}
	return rt.handle(c)
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// reply is an answer before it is written.
type reply struct {
	status int
	body   any
	raw    []byte
	header http.Header
}

func (rp *reply) write(rw http.ResponseWriter) {
	h := rw.Header()
	for k, vs := range rp.header {
		h[k] = vs
	}
	data := rp.raw
	if data == nil && rp.body != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rp.body); err != nil {
			rp.status, data = 500, []byte(`{"message":"500 Internal Server Error"}`)
		} else {
			data = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		}
	}
	if h.Get("Content-Type") == "" && rp.status != http.StatusNoContent {
		h.Set("Content-Type", "application/json")
	}
	if rp.status != http.StatusNoContent {
		h.Set("Content-Length", strconv.Itoa(len(data)))
	}
	rw.WriteHeader(rp.status)
	if rp.status != http.StatusNoContent {
		rw.Write(data) //nolint:errcheck // the client may be gone
	}
}

func jsonReply(status int, body any) *reply { return &reply{status: status, body: body} }

func noContent() *reply { return &reply{status: http.StatusNoContent} }

// apiError is GitLab's usual error body: {"message": "404 Project Not Found"}.
func apiError(status int, message any) *reply {
	return jsonReply(status, map[string]any{"message": message})
}

// grapeError is the body of Grape's own errors: {"error": "url is missing"}.
func grapeError(status int, message string) *reply {
	return jsonReply(status, map[string]any{"error": message})
}

func notFound(what string) *reply {
	if what == "" {
		return apiError(http.StatusNotFound, "404 Not Found")
	}
	return apiError(http.StatusNotFound, "404 "+what+" Not Found")
}

// recordNotFound is what GitLab answers when a lookup inside an endpoint
// (a hook, a merge request) finds nothing.
func recordNotFound() *reply { return apiError(http.StatusNotFound, "404 Not found") }

func forbidden(reason string) *reply {
	if reason == "" {
		return apiError(http.StatusForbidden, "403 Forbidden")
	}
	return apiError(http.StatusForbidden, "403 Forbidden - "+reason)
}

func badRequest(reason string) *reply {
	return apiError(http.StatusBadRequest, "400 Bad request - "+reason)
}

func unauthorized() *reply { return apiError(http.StatusUnauthorized, "401 Unauthorized") }

// validationError is a model's field errors: {"message": {"url": ["is blocked"]}}.
func validationError(status int, fields map[string][]string) *reply {
	return apiError(status, fields)
}

// ctxSleep waits d or until ctx ends.
func ctxSleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
