package apply_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"gitlab.com/hatchery/hatchery/internal/apply"
	"gitlab.com/hatchery/hatchery/internal/gitlabsim"
	"gitlab.com/hatchery/hatchery/internal/plan"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// applyCtx plans and applies with --allow-delete under ctx, as apply.go's
// command does, and returns the result and the log.
func (e *env) applyCtx(ctx context.Context, p *plan.Plan) (*apply.Result, string) {
	e.t.Helper()
	s := e.openStore(false)
	defer s.Close()
	var log strings.Builder
	res := (&apply.Applier{Store: s, AllowDelete: true, Log: &log}).Apply(ctx, p)
	e.t.Logf("apply:\n%s", log.String())
	return res, log.String()
}

// planWith plans with a writable store, as apply does.
func (e *env) planWith() *plan.Plan {
	e.t.Helper()
	s := e.openStore(false)
	defer s.Close()
	p, err := (&plan.Planner{Pool: e.pool(), Store: s}).Plan(context.Background(), e.state())
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// cancelAtFirstDelete is a context that ends as the first DELETE reaches
// sim.
func cancelAtFirstDelete(t *testing.T, sim *gitlabsim.Server) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var once sync.Once
	sim.Inspect(func(r *http.Request, _ []byte) {
		if r.Method == http.MethodDelete {
			once.Do(cancel)
		}
	})
	return ctx
}

func TestInterruptStopsDeletions(t *testing.T) {
	e, sim, ps := bucketOfThree(t)
	e.converge()
	e.nest("# nothing left\n")
	p := e.planWith()

	// The interrupt arrives while the first hook is being deleted.
	ctx := cancelAtFirstDelete(t, sim)
	res, log := e.applyCtx(ctx, p)
	sim.Inspect(nil)

	if !res.Interrupted || res.OK() {
		t.Errorf("result: interrupted %v, OK %v; want an interrupted apply",
			res.Interrupted, res.OK())
	}
	if res.NotStarted != 6 {
		t.Errorf("%d actions not started, want the 6 after the first", res.NotStarted)
	}
	if strings.Contains(log, "context canceled") {
		t.Errorf("the log speaks of the context:\n%s", log)
	}
	if !strings.Contains(log,
		"not started fleet on gitlab.com: forget secret record (interrupted)") {
		t.Errorf("the log does not say the record was left:\n%s", log)
	}
	if n := len(runners(sim, "fleet")); n != 1 {
		t.Errorf("%d runners after the interrupt, want the runner kept", n)
	}
	if n := allHooks(sim, ps); n < 2 {
		t.Errorf("%d hooks left, want at most the one in flight deleted", n)
	}
	if rec := e.record("gitlab.com", "fleet"); rec.Values[secrets.APIToken] == "" {
		t.Error("the record lost its api-token")
	}

	// The next apply finishes.
	res, _ = e.applyCtx(context.Background(), e.planWith())
	if !res.OK() {
		t.Fatalf("the apply after the interrupt failed: %v", res.Failed)
	}
	if len(runners(sim, "fleet")) != 0 || allHooks(sim, ps) != 0 {
		t.Error("the apply after the interrupt left GitLab objects")
	}
}

func TestInterruptLetsTheActionInFlightFinish(t *testing.T) {
	e, sim, ps := bucketOfThree(t)
	e.converge()
	e.nest("# nothing left\n")
	p := e.planWith()

	// The interrupt arrives as the first hook's DELETE reaches a slow GitLab.
	sim.SetLatency(300 * time.Millisecond)
	ctx := cancelAtFirstDelete(t, sim)
	res, log := e.applyCtx(ctx, p)
	sim.Inspect(nil)
	sim.SetLatency(0)

	if !res.Interrupted || res.Done != 1 || len(res.Failed) != 0 || res.NotStarted != 6 {
		t.Errorf("interrupted %v, %d done, %d failed, %d not started; want the one "+
			"in flight done and 6 not started", res.Interrupted, res.Done, len(res.Failed),
			res.NotStarted)
	}
	if strings.Contains(log, "while it ran") {
		t.Errorf("the action in flight was cut off:\n%s", log)
	}
	if !strings.Contains(log, "done    fleet on gitlab.com: delete hook") {
		t.Errorf("the log does not say the hook in flight was deleted:\n%s", log)
	}
	if n := allHooks(sim, ps); n != 2 {
		t.Errorf("%d hooks left, want 2: the one in flight deleted", n)
	}
}

func TestInterruptedBeforeApplyStartsNothing(t *testing.T) {
	e, sim, _ := bucketOfThree(t)
	e.converge()
	e.nest("# nothing left\n")
	p := e.planWith()
	before := len(sim.Requests())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, _ := e.applyCtx(ctx, p)
	if res.Done != 0 || len(res.Failed) != 0 || res.NotStarted != 7 || !res.Interrupted {
		t.Errorf("%d done, %d failed, %d not started, want all 7 not started",
			res.Done, len(res.Failed), res.NotStarted)
	}
	if n := len(sim.Requests()) - before; n != 0 {
		t.Errorf("%d requests after the interrupt, want none", n)
	}
	s := e.openStore(false)
	defer s.Close()
	err := s.Delete(ctx, secrets.Unit{Server: "gitlab.com", Egg: "fleet"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a store delete under an ended context = %v, want it refused", err)
	}
	if e.record("gitlab.com", "fleet") == nil {
		t.Error("the record is gone")
	}
}
