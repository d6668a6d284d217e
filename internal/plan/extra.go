package plan

import (
	"context"
	"sync"

	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
)

// owned caches, for one plan, the runners of each type that each token
// manages: units that share a token and server share one listing.
type owned struct {
	mu sync.Mutex
	m  map[ownedKey]*ownedList
}

type ownedKey struct {
	c   *gitlab.Client
	typ string
}

type ownedList struct {
	once sync.Once
	list []gitlab.RunnerSummary
	err  error
}

// list returns the runners of type typ that c's token manages.
func (o *owned) list(ctx context.Context, c *gitlab.Client, typ string) (
	[]gitlab.RunnerSummary, error) {
	o.mu.Lock()
	if o.m == nil {
		o.m = map[ownedKey]*ownedList{}
	}
	k := ownedKey{c, typ}
	l := o.m[k]
	if l == nil {
		l = &ownedList{}
		o.m[k] = l
	}
	o.mu.Unlock()
	l.once.Do(func() { l.list, l.err = c.OwnedRunners(ctx, typ) })
	return l.list, l.err
}

// warnExtra warns of runners other than the unit's own, id, that carry the
// unit's marker among its candidates (its owner's, or for a bucket the
// token's): two applies that overlapped each made one, and the secret
// record names only the last. hatchery neither uses such a runner nor holds
// its token, so it must not go unseen.
func (p *Planner) warnExtra(ctx context.Context, u *Unit, id int64) error {
	list, err := p.candidates(ctx, u)
	if err != nil {
		return err
	}
	for _, r := range list {
		if r.ID != id && ours(u.Egg, r.Description, "") {
			u.warn("runner %d also carries the marker %s, but the secret record names "+
				"runner %d (two applies may have overlapped); hatchery does not use it "+
				"and holds no token for it: delete it in GitLab (Settings > CI/CD > "+
				"Runners)", r.ID, desired.Marker(u.Egg), id)
		}
	}
	return nil
}
