// Package apply carries out a plan: secrets first, then runners, their
// enablements, hooks, and deletions last. Every step is idempotent, so an
// apply cut off halfway finishes on the next run; a POST that failed in an
// unclear way is never repeated before looking for what it may have made.
package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/plan"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// Applier carries out plans.
type Applier struct {
	Store secrets.Store
	// Reveal is called with every secret made or received, before it is
	// used, so that output can mask it.
	Reveal func(string)
	// AllowDelete lets deletions run; without it they are reported as left.
	AllowDelete bool
	// Log receives one line per action done or failed. Nil discards.
	Log io.Writer
}

// Result is what an apply did.
type Result struct {
	Done   int
	Failed []error
	// Left are the deletions not carried out without AllowDelete.
	Left []*plan.Action
	// Skipped counts actions not tried because one they need failed.
	Skipped int
	// Interrupted is set when the context ended during the apply: no
	// action was started after that, and NotStarted counts those left.
	Interrupted bool
	NotStarted  int
}

// OK reports whether every action was tried and succeeded.
func (r *Result) OK() bool {
	return len(r.Failed) == 0 && r.Skipped == 0 && !r.Interrupted
}

// ErrInterrupted is the error of an action cut off by the end of the
// apply's context: a Ctrl-C, or a signal to stop.
var ErrInterrupted = errors.New("interrupted")

// Apply carries out the plan, its units at once. A failure stops the steps
// of its unit that depend on it, never the other units. Each unit's lines
// go to Log when it is done, in plan order, so the log reads the same
// however the requests interleave.
//
// Once ctx ends, no action starts: those in flight finish or fail, given up
// to graceWait (a store write that records what GitLab already did is
// still made), and the rest are counted in NotStarted. Every action is
// idempotent, so the next apply finishes the work.
func (a *Applier) Apply(ctx context.Context, p *plan.Plan) *Result {
	var units []*plan.Unit
	for _, u := range p.Units {
		if u.Error == "" && len(u.Actions) > 0 {
			units = append(units, u)
		}
	}
	runs := make([]*run, len(units))
	done := make([]chan struct{}, len(units))
	for i, u := range units {
		done[i] = make(chan struct{})
		go func() {
			defer close(done[i])
			runs[i] = a.unit(ctx, u)
		}()
	}
	res := &Result{}
	for i := range units {
		<-done[i]
		r := runs[i]
		if a.Log != nil {
			io.WriteString(a.Log, r.log.String())
		}
		res.Done += r.res.Done
		res.Failed = append(res.Failed, r.res.Failed...)
		res.Left = append(res.Left, r.res.Left...)
		res.Skipped += r.res.Skipped
		res.NotStarted += r.res.NotStarted
	}
	res.Interrupted = ctx.Err() != nil
	return res
}

// run is the apply of one unit.
type run struct {
	*Applier
	u   *plan.Unit
	c   *gitlab.Client
	res Result
	mu  sync.Mutex

	runnerID int64
	secret   string // the webhook secret
	// unserved is set when the unit's runner failed to be made, changed or
	// enabled: a runner it replaces must then stay.
	unserved bool

	// outcome holds each action's log line; log has them in the order the
	// actions ran.
	outcome map[*plan.Action]outcome
	log     strings.Builder
}

func (a *Applier) unit(ctx context.Context, u *plan.Unit) *run {
	r := &run{Applier: a, u: u, c: u.Client(), runnerID: u.RunnerID,
		outcome: map[*plan.Action]outcome{}}
	if rec := u.Record(); rec != nil {
		r.secret = rec.Values[secrets.WebhookSecret]
	}
	var dels []*plan.Action
	phases := [][]*plan.Action{nil, nil, nil, nil}
	for _, act := range u.Actions {
		switch {
		case act.Kind() == "delete":
			dels = append(dels, act)
		case act.Object == plan.ObjSecret:
			phases[0] = append(phases[0], act)
		case act.Object == plan.ObjRunner && act.Op != plan.OpEnable:
			phases[1] = append(phases[1], act)
		case act.Op == plan.OpEnable:
			phases[2] = append(phases[2], act)
		default:
			phases[3] = append(phases[3], act)
		}
	}
	if u.Replaces != 0 && !a.AllowDelete {
		// A replacement is carried out whole or not at all: a new runner
		// made without deleting the old one would leave the old one to
		// no record, unseen by every later plan.
		r.res.Left = slices.Concat(phases[1], phases[2])
		phases[1], phases[2] = nil, nil
	}
	r.sequential(ctx, phases[0], r.secretAction)
	r.sequential(ctx, phases[1], r.runnerAction)
	r.parallel(ctx, phases[2], r.enable)
	r.parallel(ctx, phases[3], r.hookAction)
	if a.AllowDelete {
		r.deletions(ctx, dels)
	} else {
		r.res.Left = append(r.res.Left, dels...)
	}
	for _, act := range slices.Concat(append(phases, dels)...) {
		o, ok := r.outcome[act]
		if !ok {
			continue // a deletion left for --allow-delete
		}
		r.log.WriteString(o.line)
		if o.err != nil {
			r.res.Failed = append(r.res.Failed, o.err)
		}
	}
	return r
}

// errSkipped marks an action not tried because an earlier one failed.
var errSkipped = errors.New("skipped")

// errNotStarted marks an action not tried because the apply was interrupted.
var errNotStarted = fmt.Errorf("not started: %w", ErrInterrupted)

func (r *run) sequential(ctx context.Context, acts []*plan.Action,
	fn func(context.Context, *plan.Action) error) {
	for _, act := range acts {
		r.record(act, r.start(ctx, act, fn))
	}
}

// start runs fn unless ctx has ended. Once started, fn runs on a context
// that the end of ctx does not cancel, only cuts short after graceWait: the
// action in flight finishes or fails. An error that the cut caused becomes
// ErrInterrupted, with what the action may have done.
func (r *run) start(ctx context.Context, act *plan.Action,
	fn func(context.Context, *plan.Action) error) error {
	if ctx.Err() != nil {
		return errNotStarted
	}
	actx, cancel := inFlight(ctx)
	defer cancel()
	err := fn(actx, act)
	if err != nil && actx.Err() != nil && !errors.Is(err, errSkipped) {
		// The cause is the context's end, which says nothing more.
		return fmt.Errorf("%w while it ran; it may have been carried out, and the "+
			"next apply finds out", ErrInterrupted)
	}
	return err
}

func (r *run) parallel(ctx context.Context, acts []*plan.Action,
	fn func(context.Context, *plan.Action) error) {
	var wg sync.WaitGroup
	for _, act := range acts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.record(act, r.start(ctx, act, fn))
		}()
	}
	wg.Wait()
}

// outcome is what became of one action.
type outcome struct {
	line string // for the log
	err  error  // a failure, with the unit and action named
}

// record counts one action's outcome and keeps its log line.
func (r *run) record(act *plan.Action, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil && act.Object == plan.ObjRunner && act.Kind() != "delete" {
		r.unserved = true
	}
	title := fmt.Sprintf("%s: %s", r.u, act.Title())
	switch {
	case errors.Is(err, errNotStarted):
		r.res.NotStarted++
		r.outcome[act] = outcome{line: fmt.Sprintf("not started %s (interrupted)\n", title)}
	case errors.Is(err, errSkipped):
		r.res.Skipped++
		r.outcome[act] = outcome{line: fmt.Sprintf("skipped %s (an earlier step failed)\n", title)}
	case err != nil:
		if fix := r.u.Fix(err); fix != "" {
			err = fmt.Errorf("%w; %s", err, fix)
		}
		r.outcome[act] = outcome{line: fmt.Sprintf("failed  %s: %v\n", title, err),
			err: fmt.Errorf("%s: %w", title, err)}
	default:
		r.res.Done++
		r.outcome[act] = outcome{line: fmt.Sprintf("done    %s\n", title)}
	}
}

// graceWait is how long an action in flight may still run after an
// interrupt: a request's own deadline and rate-limit waits are bounded
// too, so most finish well within it.
const graceWait = 60 * time.Second

// inFlight is ctx without its cancellation, for an action that has started;
// it ends graceWait after ctx does, or when the action returns.
func inFlight(ctx context.Context) (context.Context, context.CancelFunc) {
	actx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(graceWait, cancel)
		context.AfterFunc(actx, func() { t.Stop() })
	})
	return actx, func() { stop(); cancel() }
}

// finishWait bounds a store write that records what GitLab already did,
// made even when the apply was interrupted.
const finishWait = 30 * time.Second

// finishing is ctx without its cancellation, for such a write.
func finishing(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), finishWait)
}

func (r *run) reveal(v string) {
	if r.Reveal != nil {
		r.Reveal(v)
	}
}

// secretAction generates and stores the webhook secret.
func (r *run) secretAction(ctx context.Context, act *plan.Action) error {
	s := secrets.NewWebhookSecret()
	r.reveal(s)
	err := r.Store.Write(ctx, r.u.Key(), secrets.Update{
		Values: map[secrets.Type]string{secrets.WebhookSecret: s}})
	if err != nil {
		return err
	}
	r.secret = s
	return nil
}
