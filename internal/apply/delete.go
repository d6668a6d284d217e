package apply

import (
	"context"
	"fmt"

	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/plan"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// deletions run in the order the plan lists them: hooks, enablements, the
// runner, and the secret record last, so a record is only forgotten once
// nothing it led to is left. Something already gone counts as deleted.
//
// A runner that the unit's runner replaces is taken off its projects and
// deleted only once the unit's runner exists and serves every target, so
// a failure never leaves the projects with no runner; and the record names
// the new runner only once the old one is gone.
func (r *run) deletions(ctx context.Context, acts []*plan.Action) {
	failed := false
	for _, act := range acts {
		replaced := r.u.Replaces != 0 && act.Object == plan.ObjRunner &&
			act.RunnerID == r.u.Replaces
		if ctx.Err() != nil {
			r.record(act, errNotStarted)
			continue
		}
		if act.Op == plan.OpForget && failed ||
			replaced && (failed || r.unserved || r.runnerID == 0) {
			failed = failed || replaced
			r.record(act, errSkipped)
			continue
		}
		err := r.start(ctx, act, func(ctx context.Context, act *plan.Action) error {
			err := r.delete(ctx, act)
			if gitlab.IsNotFound(err) {
				err = nil
			}
			if err == nil && replaced && act.Op == plan.OpDelete {
				err = r.replaced(ctx)
			}
			return err
		})
		failed = failed || err != nil
		r.record(act, err)
	}
}

// replaced lets the record name the unit's runner, now that the runner it
// replaced is gone. The write finishes the deletion, so an interrupt does
// not stop it.
func (r *run) replaced(ctx context.Context) error {
	ctx, cancel := finishing(ctx)
	defer cancel()
	err := r.Store.Write(ctx, r.u.Key(), secrets.Update{RunnerID: r.runnerID})
	if err != nil {
		return fmt.Errorf("runner %d is deleted but the secret record could not be "+
			"pointed at runner %d (the next plan adopts it): %w",
			r.u.Replaces, r.runnerID, err)
	}
	return nil
}

func (r *run) delete(ctx context.Context, act *plan.Action) error {
	switch {
	case act.Object == plan.ObjHook:
		return r.c.DeleteHook(ctx, act.ProjectID, act.HookID)
	case act.Op == plan.OpDisable:
		return r.c.DisableRunner(ctx, act.ProjectID, act.RunnerID)
	case act.Object == plan.ObjRunner:
		return r.c.DeleteRunner(ctx, act.RunnerID)
	case act.Op == plan.OpForget:
		return r.forget(ctx)
	}
	return fmt.Errorf("unknown deletion %q of %s", act.Op, act.Object)
}

// forget removes what apply stored for a removed unit: the runner-token,
// the webhook-secret and the runner id. The api-token a person stored
// stays. A store that can prune does it in one step; one that can only add
// to a record or delete it whole (Lockbox) has the record deleted and the
// api-token written back at once, even after an interrupt; should that
// write fail, the error names the path to store it at again.
func (r *run) forget(ctx context.Context) error {
	if p, ok := r.Store.(secrets.Pruner); ok {
		return p.Prune(ctx, r.u.Key(), secrets.APIToken)
	}
	token := ""
	if rec := r.u.Record(); rec != nil {
		token = rec.Values[secrets.APIToken]
	}
	if err := r.Store.Delete(ctx, r.u.Key()); err != nil || token == "" {
		return err
	}
	ctx, cancel := finishing(ctx)
	defer cancel()
	up := secrets.Update{Values: map[secrets.Type]string{secrets.APIToken: token}}
	if err := r.Store.Write(ctx, r.u.Key(), up); err != nil {
		path := r.u.Key().Path(secrets.APIToken)
		return fmt.Errorf("the secret record was removed, but the api-token could not be "+
			"kept; store it again with: hatchery secrets set %s (%w)", path, err)
	}
	return nil
}
