// Package gitlab is hatchery's adapter over client-go: one client per
// (server, token), a deliberate transport policy, and the few operations
// that plan and apply need, in small types of our own.
//
// The transport policy: a 429 waits for Retry-After or RateLimit-Reset and
// is repeated for any method, since GitLab did not process it; one
// request's waits on 429s are bounded in all, and a long wait is told;
// 5xx answers, timeouts and connection errors are repeated with backoff
// only for GET, HEAD, PUT and DELETE, never for POST; every attempt runs
// under a deadline; at most Parallelism requests run at once per server;
// plain http only to loopback; a token goes to its own server and nowhere
// else, redirects included.
package gitlab

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"
)

// Config is what every client of a Pool shares. Zero fields take defaults.
type Config struct {
	// ServerURLs maps a server name to its URL where the nest's server
	// block gives one; other servers are https://<server>.
	ServerURLs map[string]string
	// Overrides maps a server name to a URL from HATCHERY_SERVER_URLS (see
	// ParseServerURLs). It wins over ServerURLs.
	Overrides map[string]string

	Parallelism int           // requests at once per server; default 8
	Timeout     time.Duration // deadline of one attempt; default 30s
	Retries     int           // attempts after the first; default 4, -1 for none
	Backoff     time.Duration // first wait after a failure, doubling; default 500ms
	// MaxWait bounds the time one request spends waiting on rate limits
	// (429), over all its retries; a 429 asking for more than is left
	// fails at once. Default 2m.
	MaxWait time.Duration

	// Notify, if set, is told of every wait before a retry that is longer
	// than a few seconds, in words for a person: "waiting 2m0s: gitlab.com
	// asked to slow down (429)". It may be called from several goroutines.
	Notify func(string)

	// Logger receives a debug record per attempt (server, method, path,
	// status, duration) and per retry. Never a header, token or body.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Parallelism <= 0 {
		c.Parallelism = 8
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	switch {
	case c.Retries == 0:
		c.Retries = 4
	case c.Retries < 0:
		c.Retries = 0
	}
	if c.Backoff <= 0 {
		c.Backoff = 500 * time.Millisecond
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 2 * time.Minute
	}
	return c
}

// Pool hands out clients, one per (server, token); clients of one server
// share its concurrency bound, connections and counters.
type Pool struct {
	cfg     Config
	mu      sync.Mutex
	servers map[string]*server
	clients map[clientKey]*Client
}

type clientKey struct{ server, token string }

// NewPool returns an empty pool; servers are set up on first use.
func NewPool(cfg Config) *Pool {
	return &Pool{
		cfg:     cfg.withDefaults(),
		servers: map[string]*server{},
		clients: map[clientKey]*Client{},
	}
}

// APIRoot returns the API root of a server: https://<server>/api/v4 unless
// an override or the nest says otherwise.
func (p *Pool) APIRoot(server string) (*url.URL, error) {
	if err := checkServerName(server); err != nil {
		return nil, err
	}
	raw, source := "https://"+server, ""
	if u, ok := p.cfg.ServerURLs[server]; ok {
		raw, source = u, " (from the nest)"
	}
	if u, ok := p.cfg.Overrides[server]; ok {
		raw, source = u, " (from HATCHERY_SERVER_URLS)"
	}
	root, err := apiRoot(raw)
	if err != nil {
		return nil, fmt.Errorf("server %s%s: %w", server, source, err)
	}
	return root, nil
}

// Client returns the client for server that authenticates with token. The
// token is only ever sent to that server.
func (p *Pool) Client(server, token string) (*Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := clientKey{server, token}
	if c, ok := p.clients[key]; ok {
		return c, nil
	}
	srv, err := p.server(server)
	if err != nil {
		return nil, err
	}
	policy := &retryPolicy{srv: srv, backoff: p.cfg.Backoff, maxWait: p.cfg.MaxWait,
		now: time.Now, notify: p.cfg.Notify, noticeAfter: noticeAfter}
	api, err := gl.NewClient(token,
		gl.WithBaseURL(srv.root.String()),
		gl.WithHTTPClient(srv.http),
		gl.WithCustomRetry(policy.check),
		gl.WithCustomBackoff(policy.wait),
		gl.WithCustomRetryMax(p.cfg.Retries),
		// Pacing comes from the concurrency bound and from honouring 429s;
		// client-go's limiter would guess a rate from the first answer.
		gl.WithCustomLimiter(noLimiter{}),
		gl.WithUserAgent("hatchery"),
		gl.WithURLWarningLogger(slog.New(slog.DiscardHandler)),
	)
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", server, err)
	}
	c := &Client{srv: srv, api: api, policy: policy}
	p.clients[key] = c
	return c, nil
}

// server returns the shared state of a server; p.mu is held.
func (p *Pool) server(name string) (*server, error) {
	if s, ok := p.servers[name]; ok {
		return s, nil
	}
	root, err := p.APIRoot(name)
	if err != nil {
		return nil, err
	}
	s := newServer(name, root, p.cfg)
	p.servers[name] = s
	return s, nil
}

// Counts returns the requests sent to server so far, over all its clients.
func (p *Pool) Counts(server string) Counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.servers[server]; ok {
		return s.counts.snapshot()
	}
	return Counts{}
}

// Client talks to one GitLab server with one token. It is safe for
// concurrent use.
type Client struct {
	srv    *server
	api    *gl.Client
	policy *retryPolicy
}

// Counts returns the requests sent to the client's server so far, over all
// clients of that server.
func (c *Client) Counts() Counts { return c.srv.counts.snapshot() }

type noLimiter struct{}

func (noLimiter) Wait(context.Context) error { return nil }
