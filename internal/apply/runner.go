package apply

import (
	"context"
	"fmt"
	"slices"

	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/plan"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

func (r *run) runnerAction(ctx context.Context, act *plan.Action) error {
	switch act.Op {
	case plan.OpCreate:
		return r.createRunner(ctx)
	case plan.OpUpdate:
		return r.updateRunner(ctx, act)
	case plan.OpReset:
		return r.resetToken(ctx, act.RunnerID)
	}
	return fmt.Errorf("unknown runner action %q", act.Op)
}

func (r *run) spec() desired.Runner { return r.u.Desired().Runner }

// createRunner registers the unit's runner and stores its token at once.
// After an unclear failure it looks among the owner's runners for one with
// the unit's marker, and adopts it by a token reset, before trying again.
func (r *run) createRunner(ctx context.Context) error {
	s := r.spec()
	settings := gitlab.RunnerSettings{Description: s.Description,
		MaintenanceNote: s.MaintenanceNote, Tags: s.Tags, RunUntagged: s.RunUntagged,
		Locked: s.Locked, Paused: s.Paused, AccessLevel: s.AccessLevel,
		MaximumTimeout: s.MaximumTimeout}
	for attempt := 0; ; attempt++ {
		created, err := r.c.CreateRunner(ctx, r.u.Owner(), settings)
		if err == nil {
			r.reveal(created.Token)
			r.runnerID = created.ID
			return r.storeToken(ctx, created.ID, created.Token)
		}
		if !gitlab.Unclear(err) || attempt > 0 {
			return err
		}
		id, lookErr := r.findRunner(ctx)
		if lookErr != nil {
			return fmt.Errorf("%w (and looking for the runner failed: %v)", err, lookErr)
		}
		if id != 0 {
			r.runnerID = id
			return r.resetToken(ctx, id)
		}
	}
}

// findRunner looks for a runner of the owner that carries the unit's marker.
func (r *run) findRunner(ctx context.Context) (int64, error) {
	list, err := r.c.Runners(ctx, r.u.Owner())
	if err != nil {
		return 0, err
	}
	for _, rs := range list {
		if egg, ok := desired.ParseMarker(rs.Description); ok && egg == r.u.Egg {
			return rs.ID, nil
		}
	}
	return 0, nil
}

// resetToken gives the runner a new token and stores it. A reset that
// failed unclearly is simply repeated: the newest token is the one kept.
func (r *run) resetToken(ctx context.Context, id int64) error {
	token, err := r.c.ResetRunnerToken(ctx, id)
	if err != nil && gitlab.Unclear(err) {
		token, err = r.c.ResetRunnerToken(ctx, id)
	}
	if err != nil {
		return err
	}
	r.reveal(token)
	r.runnerID = id
	return r.storeToken(ctx, id, token)
}

// storeToken stores the runner's token and, unless the runner replaces
// another, its id, even after an interrupt: the runner exists already. The
// record goes on naming a replaced runner until it is deleted (see
// replaced), so that a plan after a failure still finds it.
func (r *run) storeToken(ctx context.Context, id int64, token string) error {
	up := secrets.Update{RunnerID: id,
		Values: map[secrets.Type]string{secrets.RunnerToken: token}}
	if r.u.Replaces != 0 {
		up.RunnerID = 0
	}
	ctx, cancel := finishing(ctx)
	defer cancel()
	err := r.Store.Write(ctx, r.u.Key(), up)
	if err != nil {
		return fmt.Errorf("runner %d exists but its token could not be stored "+
			"(the next apply resets it): %w", id, err)
	}
	return nil
}

// updateRunner sends the fields the plan found changed.
func (r *run) updateRunner(ctx context.Context, act *plan.Action) error {
	s := r.spec()
	var up gitlab.RunnerUpdate
	for _, ch := range act.Changes {
		switch ch.Field {
		case "description":
			up.Description = &s.Description
		case "maintenance_note":
			up.MaintenanceNote = &s.MaintenanceNote
		case "tags":
			up.Tags = &s.Tags
		case "run_untagged":
			up.RunUntagged = &s.RunUntagged
		case "locked":
			up.Locked = &s.Locked
		case "paused":
			up.Paused = &s.Paused
		case "access_level":
			up.AccessLevel = &s.AccessLevel
		case "maximum_timeout":
			up.MaximumTimeout = &s.MaximumTimeout
		}
	}
	_, err := r.c.UpdateRunner(ctx, act.RunnerID, up)
	return err
}

// enable lets a target use the unit's runner. Any failure is checked
// against the runner's projects: GitLab answers an enablement that already
// exists with an error, and a lost answer may hide a success.
func (r *run) enable(ctx context.Context, act *plan.Action) error {
	if r.runnerID == 0 {
		return errSkipped
	}
	err := r.c.EnableRunner(ctx, act.ProjectID, r.runnerID)
	if err == nil {
		return nil
	}
	rn, getErr := r.c.Runner(ctx, r.runnerID)
	if getErr == nil && slices.Contains(rn.Projects, act.ProjectID) {
		return nil
	}
	return err
}
