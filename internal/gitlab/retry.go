package gitlab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
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
	maxWait time.Duration // the most one request waits on 429s, in all
	now     func() time.Time
	// notify, if set, is told of each wait longer than noticeAfter.
	notify      func(string)
	noticeAfter time.Duration
}

// noticeAfter is the longest wait made without telling a person.
const noticeAfter = 3 * time.Second

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
		// GitLab asks for fits in what is left of the request's budget and
		// before its deadline. Otherwise it fails now, saying how long.
		left := budgetOf(ctx).left(p.maxWait)
		wait, ok := p.rateLimitWait(resp)
		if dl, has := ctx.Deadline(); has {
			left = min(left, dl.Sub(p.now()))
		}
		return left > 0 && (!ok || wait <= left), nil
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
	limited := resp != nil && resp.StatusCode == http.StatusTooManyRequests
	d, ok := time.Duration(0), false
	if limited {
		d, ok = p.rateLimitWait(resp)
	}
	if !ok {
		d = p.backoff << min(n, 16)
		d = min(d, maxBackoff)
		d = d/2 + rand.N(d/2+1)
	}
	if limited {
		d = budgetOf(resp.Request.Context()).spend(d, p.maxWait)
	}
	p.tell(d, resp)
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

// tell notifies a person of a wait long enough to look like a hang.
func (p *retryPolicy) tell(d time.Duration, resp *http.Response) {
	if p.notify == nil || d <= p.noticeAfter {
		return
	}
	why := "a request to " + p.srv.name + " got no answer"
	switch {
	case resp != nil && resp.StatusCode == http.StatusTooManyRequests:
		why = p.srv.name + " asked to slow down (429)"
	case resp != nil:
		why = fmt.Sprintf("%s answered %d %s", p.srv.name, resp.StatusCode,
			http.StatusText(resp.StatusCode))
	}
	p.notify(fmt.Sprintf("waiting %s: %s", d.Round(time.Second), why))
}
