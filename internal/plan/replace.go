package plan

import (
	"fmt"
	"slices"

	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
)

// A runner's type and its group are fixed for life: GitLab updates neither.
// When an egg changes kind under the same name, or a group egg moves to
// another group, the runner it has cannot serve it and is replaced: a new
// runner is made and enabled first, and the old one is deleted after.

// misfit says why runner r cannot serve the unit, or "" when it can.
func (u *Unit) misfit(r *gitlab.Runner) string {
	want := runnerType(u.Kind)
	switch {
	case r.Type != want:
		return fmt.Sprintf("is a %s; a %s needs a %s", typeName(r.Type), kindName(u.Kind),
			typeName(want))
	case u.Kind == desired.GroupEgg && !slices.Contains(r.Groups, u.owner.ID):
		return fmt.Sprintf("is a group runner of group %s; the egg's group is %d",
			joinIDs(r.Groups), u.owner.ID)
	}
	return ""
}

func typeName(t string) string {
	switch t {
	case "project_type":
		return "project runner"
	case "group_type":
		return "group runner"
	case "instance_type":
		return "instance runner"
	}
	return "runner of type " + t
}

func kindName(k desired.Kind) string {
	if k == desired.Bucket {
		return "bucket"
	}
	return string(k) + " egg"
}

// planReplaced plans the removal of the runner that the unit's runner
// replaces: off every project but its owner, which GitLab requires before
// it deletes a project runner, then deleted. Apply carries these out only
// once the unit's runner serves every target.
func (u *Unit) planReplaced(old *gitlab.Runner) {
	u.Replaces = old.ID
	reason := fmt.Sprintf("replaced: it %s; deleted once the egg's runner serves "+
		"every target", u.misfit(old))
	paths := map[int64]string{}
	for _, t := range u.Targets {
		paths[t.ID] = t.Path
	}
	if old.Type == "project_type" && len(old.Projects) > 1 {
		others := slices.Sorted(slices.Values(old.Projects[1:]))
		for _, id := range others {
			u.add(&Action{Op: OpDisable, Object: ObjRunner, RunnerID: old.ID, ProjectID: id,
				Project: paths[id], Reason: reason})
		}
	}
	u.add(&Action{Op: OpDelete, Object: ObjRunner, RunnerID: old.ID, Reason: reason})
}
