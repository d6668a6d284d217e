package plan

import (
	"fmt"

	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// projectUnit is an observed project egg on gitlab.com whose runner is
// registered to project id, with an empty secret record.
func projectUnit(egg string, id int64) *Unit {
	du := &desired.Unit{Egg: egg, Server: "gitlab.com", Kind: desired.ProjectEgg,
		Runner: wantRunner(), Projects: []desired.ProjectRef{{ID: id}}}
	return &Unit{Egg: egg, Server: du.Server, Kind: du.Kind, unit: du,
		record: &secrets.Record{Unit: du.Key(), Values: map[secrets.Type]string{}},
		owner:  gitlab.ProjectOwner(id),
		Targets: []Target{{ID: id, Path: fmt.Sprintf("acme/p%d", id),
			Via: fmt.Sprintf("project %d", id)}}}
}

// bucketUnit is an observed bucket on gitlab.com that serves the projects
// ids, the first of them its runner's owner.
func bucketUnit(egg string, ids ...int64) *Unit {
	u := projectUnit(egg, ids[0])
	u.Kind, u.unit.Kind = desired.Bucket, desired.Bucket
	u.unit.Runner.Locked = false
	u.Targets = nil
	for _, id := range ids {
		u.Targets = append(u.Targets, Target{ID: id, Path: fmt.Sprintf("acme/p%d", id),
			Via: fmt.Sprintf("project %d", id)})
	}
	return u
}
