package gitlab

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// retryPolicy decides which failed attempts are repeated and how long to
// wait first. client-go's own policy retries a POST after a 5xx and reads
// only RateLimit-Reset; this one never repeats a request the server may
// have acted on unless repeating it is harmless, and honours Retry-After.
type retryPolicy struct {
	srv     *server
	backoff time.Duration // the first wait after a failure; it doubles
	maxWait time.Duration // the longest wait honoured for a 429
	now     func() time.Time
}

// maxBackoff caps the doubling wait after failures.
const maxBackoff = 30 * time.Second

// check is the CheckRetry of retryablehttp: it runs after every attempt.
func (p *retryPolicy) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		var we *wireError
		if !errors.As(err, &we) || !idempotent(we.method) {
			return false, nil
		}
		var cert *tls.CertificateVerificationError
		return !errors.As(err, &cert), nil
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		// A 429 was not processed: any method may be repeated, if the wait
		// GitLab asks for is reasonable.
		wait, ok := p.rateLimitWait(resp)
		return !ok || wait <= p.maxWait, nil
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return idempotent(resp.Request.Method), nil
	}
	return false, nil
}

// idempotent methods can be repeated without doubling their effect.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// wait is the Backoff of retryablehttp: how long to wait before attempt
// n+1. retryablehttp's own bounds are not used.
func (p *retryPolicy) wait(_, _ time.Duration, n int, resp *http.Response) time.Duration {
	p.srv.counts.retries.Add(1)
	d, ok := time.Duration(0), false
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		d, ok = p.rateLimitWait(resp)
	}
	if !ok {
		d = p.backoff << min(n, 16)
		d = min(d, maxBackoff)
		d = d/2 + rand.N(d/2+1)
	}
	if lg := p.srv.logger; lg != nil {
		attrs := []slog.Attr{slog.String("server", p.srv.name), slog.Duration("wait", d)}
		if resp != nil {
			attrs = append(attrs, slog.String("method", resp.Request.Method),
				slog.String("path", resp.Request.URL.Path), slog.Int("status", resp.StatusCode))
		}
		lg.LogAttrs(context.Background(), slog.LevelDebug, "gitlab retry", attrs...)
	}
	return d
}

// rateLimitWait reads how long a 429 asks to wait: Retry-After in seconds
// or as an HTTP date, else GitLab's RateLimit-Reset (a Unix time).
func (p *retryPolicy) rateLimitWait(resp *http.Response) (time.Duration, bool) {
	now := p.now()
	if v := resp.Header.Get("Retry-After"); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
			return time.Duration(min(secs, 1<<32)) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if v := resp.Header.Get("RateLimit-Reset"); v != "" {
		if unix, err := strconv.ParseInt(v, 10, 64); err == nil && unix > 0 {
			return max(time.Unix(unix, 0).Sub(now), 0), true
		}
	}
	return 0, false
}
