package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"gitlab.com/hatchery/hatchery/internal/apply"
	"gitlab.com/hatchery/hatchery/internal/plan"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

type applyCmd struct {
	Dir         string `arg:"" optional:"" default:"." name:"dir-or-planfile" help:"${apply_dir}"`
	AllowDelete bool   `help:"Carry out deletions: what removed eggs left behind."`
	Refresh     bool   `help:"${apply_refresh}"`
	gitlabFlags
}

// Run plans, prints the plan, and carries it out. Given a saved plan, it
// carries out exactly that plan, or refuses.
func (c *applyCmd) Run(ctx context.Context, env *Env) error {
	info, err := os.Stat(c.Dir)
	if err == nil && info.Mode().IsRegular() {
		return c.runSaved(ctx, env)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return withHint(fmt.Errorf("%s: there is no nest directory or saved plan at "+
			"that path", c.Dir),
			"a saved plan is the file plan --out wrote; in CI, the plan job's artifact "+
				"may have expired: run the pipeline again")
	}
	if c.Refresh {
		return &exitError{code: ExitUsage, err: withHint(
			errors.New("--refresh needs a saved plan"),
			"give the file that plan --out wrote: hatchery apply --refresh FILE")}
	}
	s, release, err := openHeld(ctx, env, c.Dir, c.gitlabFlags)
	if err != nil {
		return err
	}
	defer release()
	p, err := s.planner().Plan(ctx, s.state)
	if err := planned(ctx, err); err != nil {
		return err
	}
	return c.apply(ctx, s, p)
}

// openHeld opens a session for apply and holds its store for the whole run,
// so two applies never make two runners for one unit; release lets the
// store go and closes the session.
func openHeld(ctx context.Context, env *Env, dir string, f gitlabFlags) (*session, func(), error) {
	s, err := openSession(ctx, env, dir, false, f)
	if err != nil {
		return nil, nil, err
	}
	release, err := s.store.Hold(ctx)
	if err != nil {
		s.close()
		if errors.Is(err, secrets.ErrHeld) {
			err = withHint(err, "wait for the other apply to finish and run this one "+
				"again: it plans anew")
		}
		return nil, nil, err
	}
	return s, func() { release(); s.close() }, nil
}

// planned turns a plan cut off by an interrupt into one clear error: the
// units' own errors would only say that their context was canceled.
func planned(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return withHint(fmt.Errorf("%w while planning; nothing was changed",
			apply.ErrInterrupted), "run the command again")
	}
	return err
}

// apply prints the plan and carries it out.
func (c *applyCmd) apply(ctx context.Context, s *session, p *plan.Plan) error {
	env := s.env
	if err := writePlan(env, p, "text"); err != nil {
		return err
	}
	if !p.Changes() {
		return planOutcome(p, false)
	}
	fmt.Fprintln(env.Stdout)
	a := &apply.Applier{Store: s.store, AllowDelete: c.AllowDelete, Log: env.Stdout,
		Reveal: env.reveal}
	res := a.Apply(ctx, p)
	return applyOutcome(env, p.Errors(), res)
}

// runSaved applies a saved plan: the nest must be the one planned, and a
// fresh plan must find every object the saved one touches as it was and
// plan the very same actions. Otherwise nothing is done, unless --refresh
// asks to apply the fresh plan instead.
func (c *applyCmd) runSaved(ctx context.Context, env *Env) error {
	saved, err := readSaved(c.Dir)
	if err != nil {
		return err
	}
	if err := refuseFailed(saved, c.Dir); err != nil {
		return err
	}
	if saved.HatcheryVersion != version() && !c.Refresh {
		return withHint(fmt.Errorf("%s was planned by hatchery %s, this is %s",
			c.Dir, saved.HatcheryVersion, version()),
			"plan again with this version, or apply --refresh %s to plan again now", c.Dir)
	}
	dir, err := savedNestDir(env, saved, c.Dir)
	if err != nil {
		return err
	}
	s, release, err := openHeld(ctx, env, dir, c.gitlabFlags)
	if err != nil {
		return err
	}
	defer release()
	if hash := plan.NestHash(s.nest.Files, s.nest.Sources); hash != saved.Nest.SHA256 {
		return withHint(fmt.Errorf("the nest in %s is not the one %s was planned from: "+
			"its .fly files changed", saved.Nest.Dir, c.Dir),
			"apply the plan in the checkout it was made from, or plan again with --out "+
				"and have that plan reviewed")
	}
	p, err := s.planner().Plan(ctx, s.state)
	if err := planned(ctx, err); err != nil {
		return err
	}
	if c.Refresh {
		return c.apply(ctx, s, p)
	}
	if drift := saved.Drift(p, env.Redactor.Mask); len(drift) > 0 {
		return refuseDrift(env, c.Dir, saved, p, drift)
	}
	return c.apply(ctx, s, p)
}

func readSaved(path string) (*plan.Saved, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	saved, err := plan.ReadSaved(f)
	if errors.Is(err, plan.ErrNotSaved) {
		return nil, withHint(fmt.Errorf("%s: %w", path, err),
			"apply takes a nest directory or a file written by hatchery plan --out")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return saved, nil
}

var errApplyFailed = errors.New("apply failed")

// applyOutcome ends the log of an apply with its summary line; actions
// left for --allow-delete are counted there and warned about on stderr.
func applyOutcome(env *Env, unplanned int, res *apply.Result) error {
	if res.Done+len(res.Failed)+res.Skipped+res.NotStarted > 0 {
		fmt.Fprintln(env.Stdout) // between the actions' log lines and the summary
	}
	// Left holds deletions, and the creates of runner replacements, which
	// are carried out together with the deletion they lead to.
	left := ""
	if n := len(res.Left); n > 0 {
		left = fmt.Sprintf(", %d left for --allow-delete", n)
		fmt.Fprintf(env.Stderr, "hatchery: warning: %s left undone: deletions and "+
			"runner replacements run only with apply --allow-delete\n", plural(n, "action"))
	}
	if res.Interrupted {
		fmt.Fprintf(env.Stdout, "Apply interrupted: %d done, %d failed, %d not started%s.\n",
			res.Done, len(res.Failed), res.NotStarted, left)
		return withHint(apply.ErrInterrupted, "run apply again to finish: every action "+
			"is idempotent, and what is done stays done")
	}
	if !res.OK() || unplanned > 0 {
		notPlanned := ""
		if unplanned > 0 {
			notPlanned = fmt.Sprintf(", %s not planned", plural(unplanned, "unit"))
		}
		fmt.Fprintf(env.Stdout, "Apply incomplete: %d done, %d failed, %d skipped%s%s.\n",
			res.Done, len(res.Failed), res.Skipped, notPlanned, left)
		if res.OK() {
			return withHint(errApplyFailed, "the plan's error for each unit not planned "+
				"says what it needs; fix that and run apply again; what is done stays done")
		}
		return withHint(errApplyFailed, "fix the failures above and run apply again; "+
			"what is done stays done")
	}
	fmt.Fprintf(env.Stdout, "Apply complete: %d done%s.\n", res.Done, left)
	return nil
}
