package apply

import (
	"context"
	"fmt"

	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/plan"
)

// deletions run in the order the plan lists them: hooks, enablements, the
// runner, and the secret record last, so a record is only forgotten once
// nothing it led to is left. Something already gone counts as deleted.
func (r *run) deletions(ctx context.Context, acts []*plan.Action) {
	failed := false
	for _, act := range acts {
		if act.Op == plan.OpForget && failed {
			r.record(act, errSkipped)
			continue
		}
		err := r.delete(ctx, act)
		if gitlab.IsNotFound(err) {
			err = nil
		}
		failed = failed || err != nil
		r.record(act, err)
	}
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
		return r.Store.Delete(ctx, r.u.Key())
	}
	return fmt.Errorf("unknown deletion %q of %s", act.Op, act.Object)
}
