package cli

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"gitlab.com/hatchery/hatchery/internal/config"
	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/plan"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// Bounds of --parallelism: at least one request must run, and more than
// maxParallelism at once per server only earns 429s from GitLab.
const (
	minParallelism = 1
	maxParallelism = 64
)

// gitlabFlags are the flags of every command that talks to GitLab.
type gitlabFlags struct {
	Parallelism int `default:"8" help:"GitLab requests at once per server, 1 to 64."`
}

// Validate refuses a parallelism that would stall every request or flood
// the server; kong reports it as a usage error.
func (f *gitlabFlags) Validate() error {
	if f.Parallelism < minParallelism || f.Parallelism > maxParallelism {
		return fmt.Errorf("--parallelism is %d; it must be between %d and %d",
			f.Parallelism, minParallelism, maxParallelism)
	}
	return nil
}

// session is what a command that plans needs: the compiled nest, the
// secret store and the GitLab clients.
type session struct {
	env   *Env
	nest  *config.Nest
	state *desired.State
	store secrets.Store
	pool  *gitlab.Pool
	// overrides are the server URLs of HATCHERY_SERVER_URLS.
	overrides map[string]string
}

// loadState loads the nest, printing every diagnostic, and compiles it.
func loadState(env *Env, dir string) (*config.Nest, *desired.State, error) {
	nest, err := loadNest(env, dir)
	if err != nil {
		return nil, nil, err
	}
	return nest, desired.Compile(nest), nil
}

// openSession loads the nest and opens its secret store and GitLab pool.
// A read-only session cannot write a secret.
func openSession(ctx context.Context, env *Env, dir string, readOnly bool,
	f gitlabFlags) (*session, error) {
	nest, state, err := loadState(env, dir)
	if err != nil {
		return nil, err
	}
	overrides, err := gitlab.ParseServerURLs(env.Getenv("HATCHERY_SERVER_URLS"))
	if err != nil {
		return nil, withHint(err, "HATCHERY_SERVER_URLS is a comma-separated list of "+
			"server=url pairs, e.g. gitlab.com=http://127.0.0.1:8080")
	}
	store, err := openNestStore(ctx, env, dir, nest, readOnly)
	if err != nil {
		return nil, err
	}
	pool := gitlab.NewPool(gitlab.Config{ServerURLs: state.ServerURLs, Overrides: overrides,
		Parallelism: f.Parallelism, Logger: env.Logger, Notify: env.notifier()})
	return &session{env: env, nest: nest, state: state, store: store, pool: pool,
		overrides: overrides}, nil
}

func (s *session) planner() *plan.Planner {
	return &plan.Planner{Pool: s.pool, Store: s.store, Reveal: s.env.reveal}
}

// reveal registers a secret that plan or apply read or made, so that the
// redactor masks it from then on.
func (e *Env) reveal(v string) { e.Redactor.Add(v) }

func (s *session) close() { s.store.Close() }

// logger is the debug logger of --log-level debug or HATCHERY_DEBUG: slog
// records on stderr, masked like everything else. Otherwise it discards.
func (e *Env) logger(level string) *slog.Logger {
	if level != "debug" && e.Getenv("HATCHERY_DEBUG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	h := slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(e.Redactor.Handler(h))
}

// notifier returns the function that tells a person on stderr what
// hatchery is waiting for, so a long wait does not look like a hang. Many
// requests in flight meet one rate limit together: the same line within a
// few seconds is told once.
func (e *Env) notifier() func(string) {
	var mu sync.Mutex
	last := map[string]time.Time{}
	return func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if t, ok := last[msg]; ok && now.Sub(t) < noticeQuiet {
			return
		}
		last[msg] = now
		fmt.Fprintf(e.Stderr, "hatchery: %s\n", msg)
	}
}

// noticeQuiet is how long the same notice stays unrepeated.
const noticeQuiet = 3 * time.Second
