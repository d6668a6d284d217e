package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"gitlab.com/hatchery/hatchery/internal/config"
	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
	"gitlab.com/hatchery/hatchery/internal/secrets"
)

// Planner observes GitLab and the secret store on behalf of a plan.
type Planner struct {
	Pool  *gitlab.Pool
	Store secrets.Store
	// Reveal is called with every secret value read from the store before
	// it is used, so that output can mask it.
	Reveal func(string)
	// Units is how many units are observed at once; GitLab requests are
	// bounded per server by the pool as well. Default 8.
	Units int

	owned owned
}

// NoteTokenEgg is the egg segment of the path of the token that writes
// merge request notes, yc-lockbox://gitlab/{server}/nest/api-token: its
// record belongs to no egg, and a plan never removes it.
const NoteTokenEgg = config.NoteTokenEgg

// Plan observes everything the desired state names, and what the secret
// store remembers of removed eggs, and returns the actions that would make
// them match. Problems of one unit are recorded in that unit; the error is
// for failures that stop the whole plan, such as an unreadable store.
func (p *Planner) Plan(ctx context.Context, s *desired.State) (*Plan, error) {
	known, err := p.Store.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list secret records in %s: %w", p.Store, err)
	}
	pl := &Plan{FormatVersion: FormatVersion, Units: p.Targets(ctx, s)}
	p.each(pl.Units, func(u *Unit) { p.observe(ctx, u) })
	inNest := map[secrets.Unit]bool{}
	for _, u := range pl.Units {
		inNest[u.Key()] = true
	}

	var removed []*Unit
	for _, k := range known {
		// The record of the nest's own note token is no removed egg.
		if !inNest[k] && k.Egg != NoteTokenEgg {
			removed = append(removed, &Unit{Egg: k.Egg, Server: k.Server, Removed: true})
		}
	}
	p.each(removed, func(u *Unit) { p.observeRemoved(ctx, u) })
	pl.Units = append(pl.Units, removed...)
	return pl, nil
}

// Targets resolves every unit's targets and nothing more: what
// `hatchery targets` shows.
func (p *Planner) Targets(ctx context.Context, s *desired.State) []*Unit {
	var units []*Unit
	for _, du := range s.Units {
		units = append(units, &Unit{Egg: du.Egg, Server: du.Server, Kind: du.Kind,
			unit: du, Source: source(du.Range)})
	}
	p.each(units, func(u *Unit) { p.resolve(ctx, s, u) })
	dedupe(units)
	settle(units)
	return units
}

// each runs fn on every unit, a bounded number at once, skipping units
// that already failed.
func (p *Planner) each(units []*Unit, fn func(*Unit)) {
	n := p.Units
	if n <= 0 {
		n = 8
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for _, u := range units {
		if u.Error != "" {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(u)
		}()
	}
	wg.Wait()
}

// client reads the unit's record and returns a client that speaks to the
// unit's server with the unit's own api-token.
func (p *Planner) client(ctx context.Context, u *Unit) (*gitlab.Client, error) {
	rec, err := p.Store.Read(ctx, u.Key())
	if err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return nil, fmt.Errorf("read secrets of %s: %w", u.Key(), err)
	}
	if rec == nil {
		rec = &secrets.Record{Unit: u.Key()}
	}
	for _, v := range rec.Values {
		p.reveal(v)
	}
	u.record = rec
	token := rec.Values[secrets.APIToken]
	if token == "" {
		return nil, &missingToken{path: u.Key().Path(secrets.APIToken)}
	}
	return p.Pool.Client(u.Server, token)
}

func (p *Planner) reveal(v string) {
	if p.Reveal != nil {
		p.Reveal(v)
	}
}

// missingToken is a unit whose api-token nobody has stored yet.
type missingToken struct{ path secrets.Path }

func (e *missingToken) Error() string {
	return fmt.Sprintf("no api-token at %s; store one with: hatchery secrets set %s",
		e.path, e.path)
}

// fail records err as the unit's error, with what to do about it.
func (u *Unit) fail(err error) {
	u.Error = err.Error()
	switch fix := u.Fix(err); {
	case fix == "":
	case strings.HasSuffix(u.Error, "."): // GitLab's sentence ends first
		u.Error += " " + strings.ToUpper(fix[:1]) + fix[1:]
	default:
		u.Error += "; " + fix
	}
	u.Actions = nil
}

// Fix says what to do about a GitLab refusal that the unit's api-token
// caused: a token GitLab no longer accepts, one without the api scope, or
// a group egg's token without the Owner role. It is "" for other errors.
func (u *Unit) Fix(err error) string {
	path := u.Key().Path(secrets.APIToken)
	switch status, code := gitlab.StatusCode(err), gitlab.ErrorCode(err); {
	case status == 401:
		return fmt.Sprintf("GitLab no longer accepts the api-token at %s: store a new one "+
			"with: hatchery secrets set %s", path, path)
	case status == 403 && code == "insufficient_scope":
		return fmt.Sprintf("the api-token at %s needs the api scope: store one that has "+
			"it with: hatchery secrets set %s", path, path)
	case status == 403 && u.Kind == desired.GroupEgg && len(u.unit.Groups) > 0:
		return fmt.Sprintf("a group egg's api-token needs the Owner role on group %d "+
			"to manage its runners", u.unit.Groups[0].ID)
	}
	return ""
}

func (u *Unit) warn(format string, args ...any) {
	u.Warnings = append(u.Warnings, fmt.Sprintf(format, args...))
}

func (u *Unit) add(a *Action) { u.Actions = append(u.Actions, a) }

func (u *Unit) targetIDs() []int64 {
	ids := make([]int64, len(u.Targets))
	for i, t := range u.Targets {
		ids[i] = t.ID
	}
	slices.Sort(ids)
	return ids
}
