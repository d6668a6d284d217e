package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// observeRemoved plans the removal of what a unit no longer in the nest
// left behind: its hooks, its runner's enablements, its runner, and last
// its secret record. The record is how this unit was found at all.
func (p *Planner) observeRemoved(ctx context.Context, u *Unit) {
	c, err := p.client(ctx, u)
	if u.record != nil && onlyAPIToken(u.record) {
		u.warn("the egg is gone from the nest and hatchery removed what it made; the "+
			"api-token a person stored at %s stays until someone deletes it from the "+
			"secret store", u.Key().Path(secrets.APIToken))
		return
	}
	if err != nil {
		var mt *missingToken
		if errors.As(err, &mt) {
			u.warn("no api-token to look for what the egg left on %s; only its secret "+
				"record is removed", u.Server)
			u.add(forget())
			return
		}
		u.fail(err)
		return
	}
	u.gl = c
	if err := u.planRemoval(ctx); err != nil {
		u.fail(err)
		return
	}
	a := forget()
	a.Reason = "the egg is gone from the nest; the secrets apply made go last, and the " +
		"api-token a person stored stays"
	u.add(a)
}

func forget() *Action {
	return &Action{Op: OpForget, Object: ObjSecret,
		Reason: "the egg is gone from the nest; its secret record goes last"}
}

// onlyAPIToken reports whether rec holds nothing that apply made: what
// forget leaves of a removed egg whose api-token a person stored. Such a
// record plans nothing; a person's secret is never deleted by hatchery.
func onlyAPIToken(rec *secrets.Record) bool {
	if rec.RunnerID != 0 || rec.Values[secrets.APIToken] == "" {
		return false
	}
	for t, v := range rec.Values {
		if t != secrets.APIToken && v != "" {
			return false
		}
	}
	return true
}

func (u *Unit) planRemoval(ctx context.Context) error {
	id := u.record.RunnerID
	if id == 0 {
		u.unseenHooks("the secret record names no runner")
		return nil
	}
	r, err := u.gl.Runner(ctx, id)
	if gitlab.IsNotFound(err) {
		u.unseenHooks(fmt.Sprintf("runner %d is gone from GitLab", id))
		return nil
	}
	if err != nil {
		return err
	}
	if !ours(u.Egg, r.Description, r.MaintenanceNote) {
		u.warn("runner %d no longer carries the marker of egg %s; it is left alone", id, u.Egg)
		return nil
	}
	u.RunnerID = id
	u.seen.sawRunner(&r)
	projects, err := u.removedTargets(ctx, &r)
	if err != nil {
		return err
	}
	u.Targets = projects
	for _, t := range projects {
		hooks, err := u.gl.Hooks(ctx, t.ID)
		if err != nil {
			return err
		}
		u.seen.sawHooks(t.ID, hooks)
		for _, a := range hookActions(u.Egg, t, nil, "", hooks) {
			a.Reason = goneReason
			u.add(a)
		}
	}
	// GitLab refuses to delete a project runner that is still enabled on
	// other projects than its owner, the first of its projects.
	for i, t := range projects {
		if r.Type == "project_type" && i > 0 {
			u.add(&Action{Op: OpDisable, Object: ObjRunner, RunnerID: id, ProjectID: t.ID,
				Project: t.Path, Reason: goneReason})
		}
	}
	u.add(&Action{Op: OpDelete, Object: ObjRunner, RunnerID: id, Reason: goneReason})
	return nil
}

// unseenHooks warns that a removed unit's hooks cannot be found: only its
// runner's projects lead to them, the record keeps no list of projects,
// and GitLab has no search for hooks. Reading the hooks of every project
// the token can see would find them at one request per project, with no
// bound, so the plan says what it cannot see instead. No hook was made
// when the record holds no webhook-secret: apply stores it first.
func (u *Unit) unseenHooks(why string) {
	if u.record.Values[secrets.WebhookSecret] == "" {
		return
	}
	u.warn("%s, and only a runner's projects lead to the egg's hooks: hooks named %s may be "+
		"left on the projects it served. hatchery does not read every project's hooks "+
		"to find them; delete them in each project's Settings > Webhooks, or put the egg "+
		"back in the nest, apply, and then remove it", why, HookName(u.Egg))
}

// goneReason is why everything a removed unit left is deleted.
const goneReason = "the egg is gone from the nest"

// removedTargets are the projects a removed unit's runner serves: its
// projects, the owner first and the others by id (GitLab lists them in the
// order they were enabled, which concurrent applies leave to chance), named
// by the paths GitLab returns with the runner; or every project of its
// group.
func (u *Unit) removedTargets(ctx context.Context, r *gitlab.Runner) ([]Target, error) {
	var out []Target
	ids := slices.Clone(r.Projects)
	if len(ids) > 1 {
		slices.Sort(ids[1:])
	}
	for _, id := range ids {
		out = append(out, Target{ID: id, Path: r.ProjectPaths[id],
			Via: fmt.Sprintf("runner %d", r.ID)})
	}
	for _, gid := range r.Groups {
		ps, err := u.gl.GroupProjects(ctx, gid, gitlab.Discovery{IncludeSubgroups: true,
			IncludeArchived: true})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out = append(out, Target{ID: p.ID, Path: p.Path, Via: fmt.Sprintf("group %d", gid)})
		}
	}
	return out, nil
}
