package plan

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
)

// Reasons a discovered project is not a target.
const (
	skipArchived = "archived"
	skipShared   = "shared into the group from elsewhere"
	skipExcluded = "excluded by %q"
	skipCovered  = "covered by egg %s"
)

// resolve finds the unit's targets: its explicit projects, checked, and
// the projects discovered in its groups, less the skipped ones.
func (p *Planner) resolve(ctx context.Context, s *desired.State, u *Unit) {
	c, err := p.client(ctx, u)
	if err != nil {
		u.fail(err)
		return
	}
	u.gl = c
	du := u.unit
	seen := map[int64]bool{}
	projects, err := explicitProjects(ctx, c, du.Projects)
	if err != nil {
		u.fail(err)
		return
	}
	for i, pr := range du.Projects {
		seen[pr.ID] = true
		u.Targets = append(u.Targets, Target{ID: pr.ID, Path: projects[i].Path,
			Via: fmt.Sprintf("project %d", pr.ID)})
	}
	for _, g := range du.Groups {
		if err := u.discover(ctx, s, c, g, seen); err != nil {
			u.fail(err)
			return
		}
	}
}

// explicitProjects fetches the named projects at once; GitLab's 404 for a
// project is reported with the .fly line that names it.
func explicitProjects(ctx context.Context, c *gitlab.Client,
	refs []desired.ProjectRef) ([]gitlab.Project, error) {
	out := make([]gitlab.Project, len(refs))
	errs := make([]error, len(refs))
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = c.Project(ctx, ref.ID)
			if gitlab.IsNotFound(errs[i]) {
				errs[i] = fmt.Errorf("%s: project %d does not exist or its api-token "+
					"cannot see it", source(ref.Range), ref.ID)
			} else if errs[i] != nil {
				errs[i] = fmt.Errorf("%s: %w", source(ref.Range), errs[i])
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// discover lists a group's projects and sorts each into a target or a
// skipped project. Archived and shared projects are listed and then skipped
// here, rather than filtered by GitLab, so that the report can name them;
// they cost a page per hundred, no more.
func (u *Unit) discover(ctx context.Context, s *desired.State, c *gitlab.Client,
	g desired.GroupRef, seen map[int64]bool) error {
	group, err := c.Group(ctx, g.ID)
	if gitlab.IsNotFound(err) {
		return fmt.Errorf("%s: group %d does not exist or its api-token cannot see it",
			source(g.Range), g.ID)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", source(g.Range), err)
	}
	d := g.Discovery
	ps, err := c.GroupProjects(ctx, g.ID, gitlab.Discovery{
		IncludeSubgroups: d.IncludeSubgroups, IncludeArchived: true, IncludeShared: true})
	if err != nil {
		return fmt.Errorf("%s: %w", source(g.Range), err)
	}
	via := fmt.Sprintf("group %d", g.ID)
	for _, pr := range ps {
		if seen[pr.ID] {
			continue
		}
		seen[pr.ID] = true
		if reason := skipReason(s, u, group, d, pr); reason != "" {
			u.Skipped = append(u.Skipped, Skipped{ID: pr.ID, Path: pr.Path, Reason: reason})
			continue
		}
		u.Targets = append(u.Targets, Target{ID: pr.ID, Path: pr.Path, Via: via})
	}
	return nil
}

func skipReason(s *desired.State, u *Unit, g gitlab.Group, d desired.Discovery,
	pr gitlab.Project) string {
	if other := s.Claimed[desired.ProjectKey{Server: u.Server, ProjectID: pr.ID}]; other != nil &&
		other != u.unit {
		return fmt.Sprintf(skipCovered, other.Egg)
	}
	if pr.Archived && !d.IncludeArchived {
		return skipArchived
	}
	ns := pr.Namespace.FullPath
	if !d.IncludeShared && ns != "" && ns != g.FullPath && !strings.HasPrefix(ns, g.FullPath+"/") {
		return skipShared
	}
	for _, glob := range d.Exclude {
		if ok, _ := path.Match(glob, pr.Path); ok {
			return fmt.Sprintf(skipExcluded, glob)
		}
	}
	return ""
}

// dedupe gives a project that two units discovered to the first of them,
// so their hooks and runners do not fight over it; the other unit reports
// it as covered.
func dedupe(units []*Unit) {
	first := map[string]*Unit{}
	for _, u := range units {
		if u.Error != "" {
			continue
		}
		kept := u.Targets[:0]
		for _, t := range u.Targets {
			key := fmt.Sprintf("%s/%d", u.Server, t.ID)
			if f := first[key]; f != nil && f != u {
				u.Skipped = append(u.Skipped, Skipped{ID: t.ID, Path: t.Path,
					Reason: fmt.Sprintf(skipCovered, f.Egg)})
				continue
			}
			first[key] = u
			kept = append(kept, t)
		}
		u.Targets = kept
		slices.SortFunc(u.Skipped, func(a, b Skipped) int { return int(a.ID - b.ID) })
	}
}

// settle decides where each unit's runner belongs, once dedupe has given
// every project to one unit: a bucket's runner goes to the lowest project
// it keeps. A unit left with no project fails.
func settle(units []*Unit) {
	for _, u := range units {
		if u.Error != "" {
			continue
		}
		if len(u.Targets) == 0 && u.Kind != desired.GroupEgg {
			u.fail(fmt.Errorf("no projects to serve on %s: every discovered project "+
				"was skipped", u.Server))
			continue
		}
		u.owner = unitOwner(u)
	}
}

// unitOwner is where the unit's runner belongs: the group of a group egg,
// the first explicit project, else the lowest-id target.
func unitOwner(u *Unit) gitlab.Owner {
	if id, group, ok := u.unit.Owner(); ok {
		if group {
			return gitlab.GroupOwner(id)
		}
		return gitlab.ProjectOwner(id)
	}
	return gitlab.ProjectOwner(u.targetIDs()[0])
}

// source is a range as file:line, for messages.
func source(r hcl.Range) string {
	if r.Filename == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line)
}
