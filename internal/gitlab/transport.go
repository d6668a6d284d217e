package gitlab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Counts are the requests sent to one server, over all its clients.
type Counts struct {
	Requests    int64 // every attempt, retries included
	Writes      int64 // attempts with a method other than GET and HEAD
	Retries     int64 // attempts that repeated an earlier one
	RateLimited int64 // 429 answers
}

type counters struct {
	requests, writes, retries, rateLimited atomic.Int64
}

func (c *counters) snapshot() Counts {
	return Counts{
		Requests:    c.requests.Load(),
		Writes:      c.writes.Load(),
		Retries:     c.retries.Load(),
		RateLimited: c.rateLimited.Load(),
	}
}

// server is one GitLab instance: its API root, the slots that bound
// concurrent requests to it, its counters, and the HTTP client that every
// token's client shares.
type server struct {
	name    string
	root    *url.URL
	slots   chan struct{}
	counts  counters
	timeout time.Duration
	logger  *slog.Logger
	http    *http.Client
}

func newServer(name string, root *url.URL, cfg Config) *server {
	s := &server{
		name:    name,
		root:    root,
		slots:   make(chan struct{}, cfg.Parallelism),
		timeout: cfg.Timeout,
		logger:  cfg.Logger,
	}
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           s.dialer().DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          cfg.Parallelism,
		MaxIdleConnsPerHost:   cfg.Parallelism,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	s.http = &http.Client{
		Transport:     &policyTransport{srv: s, base: base},
		CheckRedirect: s.checkRedirect,
	}
	return s
}

// dialer refuses, for a plain http server, any address that is not
// loopback once resolved: "localhost" could be made to point elsewhere.
func (s *server) dialer() *net.Dialer {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if s.root.Scheme != "http" {
		return d
	}
	d.Control = func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("plain http to %s refused: not a loopback address", address)
		}
		return nil
	}
	return d
}

// errRedirect marks a redirect that was refused; it is never retried.
var errRedirect = errors.New("redirect refused")

// checkRedirect follows redirects only within the server's own origin. Go
// drops the Authorization header on a redirect to another host but keeps
// PRIVATE-TOKEN, so any other target is refused before it is contacted.
func (s *server) checkRedirect(req *http.Request, via []*http.Request) error {
	if !sameOrigin(req.URL, s.root) {
		return fmt.Errorf("%w: to %s://%s, but the token belongs to %s only",
			errRedirect, req.URL.Scheme, req.URL.Host, s.root.Host)
	}
	if len(via) >= 5 {
		return fmt.Errorf("%w: more than 5 redirects", errRedirect)
	}
	return nil
}

func sameOrigin(u, root *url.URL) bool {
	return u.Scheme == root.Scheme && u.Host == root.Host
}

// policyTransport is the part of the transport policy that sees every
// attempt: it keeps requests to their own server, bounds how many run at
// once, puts each under a deadline, notes whether it was sent, and counts
// and logs it. Retries happen above it, in retryablehttp.
type policyTransport struct {
	srv  *server
	base http.RoundTripper
}

func (t *policyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s := t.srv
	if !sameOrigin(req.URL, s.root) {
		return nil, fmt.Errorf("request to %s://%s refused: this client is for %s only",
			req.URL.Scheme, req.URL.Host, s.root.Host)
	}
	select {
	case s.slots <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}

	ctx, cancel := context.WithTimeout(req.Context(), s.timeout)
	var written atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: func() { written.Store(true) },
	})
	s.counts.requests.Add(1)
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		s.counts.writes.Add(1)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	t.log(req, resp, err, time.Since(start))

	if err != nil {
		if ctx.Err() == context.DeadlineExceeded && req.Context().Err() == nil {
			err = fmt.Errorf("no answer within %s: %w", s.timeout, err)
		}
		cancel()
		<-s.slots
		return nil, &wireError{method: req.Method, written: written.Load(), err: err}
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		s.counts.rateLimited.Add(1)
	}
	resp.Body = &slotBody{ReadCloser: resp.Body, release: func() { cancel(); <-s.slots }}
	return resp, nil
}

func (t *policyTransport) log(req *http.Request, resp *http.Response, err error,
	took time.Duration) {
	lg := t.srv.logger
	if lg == nil || !lg.Enabled(req.Context(), slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("server", t.srv.name),
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	attrs = append(attrs, slog.Duration("duration", took))
	lg.LogAttrs(req.Context(), slog.LevelDebug, "gitlab request", attrs...)
}

// slotBody holds the request's slot and deadline until the body is closed:
// the answer is still arriving while it is read.
type slotBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *slotBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// wireError is an attempt that got no answer. It records whether the request
// had been sent, which decides whether the server may have acted on it.
type wireError struct {
	method  string
	written bool
	err     error
}

func (e *wireError) Error() string { return e.err.Error() }
func (e *wireError) Unwrap() error { return e.err }
