package apply

import (
	"context"
	"fmt"
	"slices"

	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/plan"
)

func (r *run) hookAction(ctx context.Context, act *plan.Action) error {
	settings, err := r.hookSettings()
	if err != nil {
		return err
	}
	if act.Op == plan.OpUpdate {
		_, err := r.c.EditHook(ctx, act.ProjectID, act.HookID, settings)
		return err
	}
	if act.Op != plan.OpCreate {
		return fmt.Errorf("unknown hook action %q", act.Op)
	}
	_, err = r.c.AddHook(ctx, act.ProjectID, settings)
	if err == nil || !gitlab.Unclear(err) {
		return err
	}
	// The hook may exist: find it by name and set it whole, token included.
	hooks, lookErr := r.c.Hooks(ctx, act.ProjectID)
	if lookErr != nil {
		return fmt.Errorf("%w (and looking for the hook failed: %v)", err, lookErr)
	}
	for _, h := range hooks {
		if h.Name == settings.Name {
			_, err := r.c.EditHook(ctx, act.ProjectID, h.ID, settings)
			return err
		}
	}
	_, err = r.c.AddHook(ctx, act.ProjectID, settings)
	return err
}

// hookSettings is the whole hook, token included; it is skipped when the
// webhook secret could not be made.
func (r *run) hookSettings() (gitlab.HookSettings, error) {
	w := r.u.Desired().Webhook
	if r.secret == "" {
		return gitlab.HookSettings{}, errSkipped
	}
	return gitlab.HookSettings{URL: w.URL, Name: plan.HookName(r.u.Egg),
		Description: plan.HookDescription(r.secret), Events: slices.Clone(w.Events),
		SSLVerification: w.SSLVerification, Token: r.secret}, nil
}
