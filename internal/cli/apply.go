package cli

import (
	"context"
	"errors"
	"fmt"

	"gitlab.com/hatchery/hatchery/internal/apply"
)

type applyCmd struct {
	Dir         string `arg:"" optional:"" default:"." help:"The nest: every .fly file below DIR."`
	AllowDelete bool   `help:"Carry out deletions: what removed eggs left behind."`
	gitlabFlags
}

// Run plans, prints the plan, and carries it out.
func (c *applyCmd) Run(ctx context.Context, env *Env) error {
	s, err := openSession(ctx, env, c.Dir, false, c.gitlabFlags)
	if err != nil {
		return err
	}
	defer s.close()
	p, err := s.planner().Plan(ctx, s.state)
	if err != nil {
		return err
	}
	if err := writePlan(env, p, "text"); err != nil {
		return err
	}
	if !p.Changes() {
		return planOutcome(p, false)
	}
	fmt.Fprintln(env.Stdout)
	a := &apply.Applier{Store: s.store, AllowDelete: c.AllowDelete, Log: env.Stdout,
		Reveal: func(v string) { env.Redactor.Add(v) }}
	res := a.Apply(ctx, p)
	return applyOutcome(env, p.Errors(), res)
}

var errApplyFailed = errors.New("apply failed")

func applyOutcome(env *Env, unplanned int, res *apply.Result) error {
	fmt.Fprintln(env.Stdout)
	if len(res.Left) > 0 {
		fmt.Fprintf(env.Stderr, "hatchery: warning: %d %s left undone; "+
			"run apply --allow-delete to carry them out\n",
			len(res.Left), pluralWord(len(res.Left), "deletion", "deletions"))
	}
	if !res.OK() || unplanned > 0 {
		fmt.Fprintf(env.Stdout, "Apply incomplete: %d done, %d failed, %d skipped.\n",
			res.Done, len(res.Failed), res.Skipped)
		return withHint(errApplyFailed, "fix the failures above and run apply again; "+
			"what is done stays done")
	}
	fmt.Fprintf(env.Stdout, "Apply complete: %d done.\n", res.Done)
	return nil
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
