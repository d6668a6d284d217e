package plan

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// observe plans the unit's runner, its enablements, its webhook secret and
// its hooks.
func (p *Planner) observe(ctx context.Context, u *Unit) {
	r, old, err := p.findRunner(ctx, u)
	if err != nil {
		u.fail(err)
		return
	}
	if r == nil {
		// A saved plan checks the runner being replaced, if any.
		u.seen.sawRunner(old)
		a := createRunner(u.unit.Runner)
		if old != nil {
			a.Reason = fmt.Sprintf("replaces runner %d, which %s; "+
				"only apply --allow-delete carries out a replacement", old.ID, u.misfit(old))
		}
		u.add(a)
	} else {
		u.seen.sawRunner(r)
		u.RunnerID = r.ID
		u.planRunner(r)
	}
	u.planEnablements(r)
	if err := u.planHooks(ctx); err != nil {
		u.fail(err)
		return
	}
	if old != nil {
		u.planReplaced(old)
	}
}

// findRunner looks for the unit's runner: first by the id kept with its
// secret record, then by the marker among the runners where it can be (see
// candidates). r is nil when there is none. old is a runner with the
// unit's marker that cannot serve it (see misfit), which r replaces.
func (p *Planner) findRunner(ctx context.Context, u *Unit) (r, old *gitlab.Runner,
	err error) {
	if id := u.record.RunnerID; id != 0 {
		got, err := u.gl.Runner(ctx, id)
		switch {
		case err == nil && ours(u.Egg, got.Description, got.MaintenanceNote):
			if u.misfit(&got) == "" {
				return &got, nil, p.warnExtra(ctx, u, got.ID)
			}
			old = &got
		case err == nil:
			u.warn("runner %d from the secret record no longer carries the marker %s; "+
				"looking for the unit's runner by its marker", id, desired.Marker(u.Egg))
		case !gitlab.IsNotFound(err) && gitlab.StatusCode(err) != 403:
			return nil, nil, err
		}
	}
	r, err = p.byMarker(ctx, u, old)
	if err != nil || r == nil {
		return nil, old, err
	}
	if why := u.misfit(r); why != "" {
		if old != nil {
			u.warn("runner %d also carries the marker %s but %s; it is left alone",
				r.ID, desired.Marker(u.Egg), why)
			return nil, old, nil
		}
		return nil, r, nil
	}
	return r, old, nil
}

// byMarker looks for the unit's runner by its marker among its candidates,
// other than old.
func (p *Planner) byMarker(ctx context.Context, u *Unit, old *gitlab.Runner) (
	*gitlab.Runner, error) {
	list, err := p.candidates(ctx, u)
	if err != nil {
		return nil, err
	}
	var found []int64
	for _, r := range list {
		if ours(u.Egg, r.Description, "") && (old == nil || r.ID != old.ID) {
			found = append(found, r.ID)
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	slices.Sort(found)
	if len(found) > 1 {
		u.warn("%d runners carry the marker %s (%s); using runner %d",
			len(found), desired.Marker(u.Egg), joinIDs(found), found[0])
	}
	r, err := u.gl.Runner(ctx, found[0])
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// candidates lists the runners of the unit's type among which its runner
// is looked for by its marker.
//
// A project or group egg looks among its owner's runners: one request
// (GET /projects/:id/runners or /groups/:id/runners), as the nest names
// the owner and hatchery registers the egg's runner there. When the egg
// changed kind, or its group, the runner the record names no longer fits
// and is found by its id; the runner that replaces it is registered to the
// new owner, so the owner's list finds it too: an apply that stopped
// between the two leaves nothing the owner's list misses.
//
// A bucket looks among every runner the token manages (GET /runners): its
// runner stays with the project it was registered to when the bucket's
// first project changes, and the new first project need not have it
// enabled. That list is read once per client for the whole plan, however
// many buckets share the token.
func (p *Planner) candidates(ctx context.Context, u *Unit) ([]gitlab.RunnerSummary, error) {
	if u.Kind == desired.Bucket {
		return p.owned.list(ctx, u.gl, runnerType(u.Kind))
	}
	list, err := u.gl.Runners(ctx, u.owner)
	if gitlab.StatusCode(err) == 403 && gitlab.ErrorCode(err) != "insufficient_scope" &&
		u.Kind == desired.ProjectEgg {
		return nil, fmt.Errorf("%w; a project egg's api-token needs the Maintainer role "+
			"on project %d to manage its runners", err, u.owner.ID)
	}
	return list, err
}

// runnerType is the GitLab runner type that a unit of kind needs.
func runnerType(kind desired.Kind) string {
	if kind == desired.GroupEgg {
		return "group_type"
	}
	return "project_type"
}

// ours reports whether a runner's description or note names egg.
func ours(egg string, texts ...string) bool {
	for _, t := range texts {
		if e, ok := desired.ParseMarker(t); ok && e == egg {
			return true
		}
	}
	return false
}

func createRunner(r desired.Runner) *Action {
	return &Action{Op: OpCreate, Object: ObjRunner, Changes: runnerFields(nil, r)}
}

// planRunner plans an update of the fields that differ, and a token reset
// when the store does not hold this runner's token.
func (u *Unit) planRunner(r *gitlab.Runner) {
	if ch := runnerFields(r, u.unit.Runner); len(ch) > 0 {
		u.add(&Action{Op: OpUpdate, Object: ObjRunner, RunnerID: r.ID, Changes: ch})
	}
	switch {
	case u.record.RunnerID != r.ID:
		u.add(&Action{Op: OpReset, Object: ObjRunner, RunnerID: r.ID,
			Reason: "adopt: the secret store does not know this runner's token"})
	case u.record.Values[secrets.RunnerToken] == "":
		u.add(&Action{Op: OpReset, Object: ObjRunner, RunnerID: r.ID,
			Reason: "the runner-token is missing from the secret store"})
	}
}

// runnerFields lists the fields of want that differ from have (every field
// when have is nil).
func runnerFields(have *gitlab.Runner, want desired.Runner) []Change {
	var h gitlab.Runner
	if have != nil {
		h = *have
	}
	out := changeList{create: have == nil}
	diff := out.diff
	diff("description", h.Description, want.Description)
	diff("tags", list(h.Tags), list(want.Tags))
	diff("run_untagged", strconv.FormatBool(h.RunUntagged), strconv.FormatBool(want.RunUntagged))
	diff("locked", strconv.FormatBool(h.Locked), strconv.FormatBool(want.Locked))
	diff("paused", strconv.FormatBool(h.Paused), strconv.FormatBool(want.Paused))
	diff("access_level", h.AccessLevel, want.AccessLevel)
	if want.MaximumTimeout > 0 {
		diff("maximum_timeout", timeout(h.MaximumTimeout), timeout(want.MaximumTimeout))
	}
	diff("maintenance_note", h.MaintenanceNote, want.MaintenanceNote)
	return out.list
}

// planEnablements enables a project runner on every target it does not yet
// serve, and disables it where it serves a project that is no longer one.
// A group runner reaches its projects through the group.
func (u *Unit) planEnablements(r *gitlab.Runner) {
	if u.Kind == desired.GroupEgg {
		return
	}
	// A new runner is registered to the unit's owner; one that exists stays
	// with the project it was registered to, the first of its projects,
	// even when the nest now names another project first.
	ownerID := u.owner.ID
	enabled := map[int64]bool{}
	if r != nil {
		if len(r.Projects) > 0 {
			ownerID = r.Projects[0]
		}
		for _, id := range r.Projects {
			enabled[id] = true
		}
	}
	for _, t := range u.Targets {
		if t.ID == ownerID || enabled[t.ID] {
			delete(enabled, t.ID)
			continue
		}
		u.add(&Action{Op: OpEnable, Object: ObjRunner, RunnerID: u.RunnerID,
			ProjectID: t.ID, Project: t.Path})
	}
	if enabled[ownerID] {
		u.warn("runner %d stays enabled on project %d, which is no longer a target: "+
			"GitLab keeps a runner in the project it was registered to", u.RunnerID, ownerID)
	}
	for _, id := range sortedKeys(enabled) {
		if id == ownerID {
			continue // GitLab refuses to disable a runner in its owner project
		}
		u.add(&Action{Op: OpDisable, Object: ObjRunner, RunnerID: u.RunnerID, ProjectID: id,
			Reason: "no longer a target of the egg"})
	}
}

func timeout(sec int) string {
	if sec == 0 {
		return "unset"
	}
	if sec%3600 == 0 {
		return fmt.Sprintf("%dh", sec/3600)
	}
	if sec%60 == 0 {
		return fmt.Sprintf("%dm", sec/60)
	}
	return fmt.Sprintf("%ds", sec)
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

func sortedKeys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
