package desired

import (
	"cmp"
	"slices"

	"gitlab.com/hatchery/hatchery/internal/config"
)

// DefaultEvents are the webhook events of a webhook block that names none:
// what a runner fleet needs to follow its jobs.
var DefaultEvents = []string{"job", "pipeline"}

// Compile turns a nest that config.Load accepted into its desired state.
func Compile(n *config.Nest) *State {
	s := &State{ServerURLs: map[string]string{}, Claimed: map[ProjectKey]*Unit{}}
	for name, srv := range n.Settings.Servers {
		s.ServerURLs[name] = srv.URL
	}
	defaults := n.Settings.Defaults
	for _, e := range n.Eggs {
		s.Units = append(s.Units, compileEgg(e, defaults))
	}
	for _, b := range n.Buckets {
		s.Units = append(s.Units, compileBucket(b, defaults)...)
	}
	slices.SortFunc(s.Units, func(a, b *Unit) int {
		return cmp.Or(cmp.Compare(a.Egg, b.Egg), cmp.Compare(a.Server, b.Server))
	})
	for _, u := range s.Units {
		for _, p := range u.Projects {
			s.Claimed[ProjectKey{u.Server, p.ID}] = u
		}
	}
	return s
}

func compileEgg(e *config.Egg, defaults config.Defaults) *Unit {
	u := &Unit{Egg: e.Name, Server: e.GitLab.Server, Range: e.DeclRange, Kind: ProjectEgg}
	if e.GitLab.IsGroup() {
		u.Kind = GroupEgg
		u.Groups = []GroupRef{{ID: e.GitLab.GroupID, Range: e.GitLab.IDRange,
			Discovery: discovery(e.Discovery)}}
	} else {
		u.Projects = []ProjectRef{{ID: e.GitLab.ProjectID, Range: e.GitLab.IDRange}}
	}
	u.Runner = runner(e.Name, u.Kind, mergeRunner(defaults.Runner, e.Runner))
	u.Webhook = webhook(mergeWebhook(defaults.Webhook, e.Webhook))
	return u
}

// compileBucket makes one unit per server, in the order servers first
// appear among the bucket's repos.
func compileBucket(b *config.Bucket, defaults config.Defaults) []*Unit {
	rs := mergeRunner(defaults.Runner, b.Runner)
	hook := webhook(mergeWebhook(defaults.Webhook, b.Webhook))
	var units []*Unit
	byServer := map[string]*Unit{}
	for _, r := range b.Repos {
		u := byServer[r.GitLab.Server]
		if u == nil {
			u = &Unit{Egg: b.Name, Server: r.GitLab.Server, Kind: Bucket, Range: b.DeclRange,
				Runner: runner(b.Name, Bucket, rs), Webhook: hook}
			byServer[r.GitLab.Server] = u
			units = append(units, u)
		}
		if r.GitLab.IsGroup() {
			u.Groups = append(u.Groups, GroupRef{ID: r.GitLab.GroupID, Label: r.Label,
				Range: r.GitLab.IDRange, Discovery: discovery(r.Discovery)})
		} else {
			u.Projects = append(u.Projects, ProjectRef{ID: r.GitLab.ProjectID,
				Label: r.Label, Range: r.GitLab.IDRange})
		}
	}
	return units
}

// runner decides every field of a unit's runner from the merged block.
func runner(egg string, kind Kind, r *config.Runner) Runner {
	if r == nil {
		r = &config.Runner{}
	}
	out := Runner{
		Description:     describe(egg, deref(r.Description, "")),
		Tags:            sortedUnique(r.Tags),
		AccessLevel:     deref(r.AccessLevel, "not_protected"),
		Paused:          deref(r.Paused, false),
		MaintenanceNote: maintenanceNote(egg),
	}
	// A runner without tags that refused untagged jobs would never run
	// anything, so untagged jobs are on exactly when there are no tags.
	out.RunUntagged = deref(r.RunUntagged, len(out.Tags) == 0)
	// A project egg's runner is dedicated to its project; a bucket's must
	// stay unlocked to be enabled on its other projects, whatever the
	// defaults say (config refuses locked = true on the bucket itself); a
	// group runner ignores the flag.
	out.Locked = kind == ProjectEgg && deref(r.Locked, true)
	if r.MaximumTimeout != nil {
		out.MaximumTimeout = seconds(*r.MaximumTimeout)
	}
	return out
}

func webhook(w *config.Webhook) *Webhook {
	if w == nil || w.URL == nil { // config.Load refuses a webhook without a URL
		return nil
	}
	events := w.Events
	if events == nil {
		events = DefaultEvents
	}
	return &Webhook{
		URL:             *w.URL,
		Events:          sortedUnique(events),
		SSLVerification: deref(w.SSLVerification, true),
	}
}

func discovery(d *config.Discovery) Discovery {
	if d == nil {
		d = &config.Discovery{}
	}
	return Discovery{
		IncludeSubgroups: deref(d.IncludeSubgroups, true),
		IncludeArchived:  deref(d.IncludeArchived, false),
		IncludeShared:    deref(d.IncludeShared, false),
		Exclude:          slices.Clone(d.Exclude),
	}
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func sortedUnique(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}
