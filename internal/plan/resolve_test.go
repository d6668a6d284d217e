package plan

import (
	"fmt"
	"slices"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
)

func TestSkipReason(t *testing.T) {
	u := groupUnit("team", 10, 100)
	other := &desired.Unit{Egg: "api", Server: "gitlab.com"}
	s := &desired.State{Claimed: map[desired.ProjectKey]*desired.Unit{
		{Server: "gitlab.com", ProjectID: 500}:         other,
		{Server: "gitlab.company.com", ProjectID: 600}: other,
		{Server: "gitlab.com", ProjectID: 700}:         u.unit,
	}}
	group := gitlab.Group{ID: 10, FullPath: "acme/team"}
	in := func(id int64, ns string) gitlab.Project {
		return gitlab.Project{ID: id, Path: ns + fmt.Sprintf("/p%d", id),
			Namespace: gitlab.Namespace{FullPath: ns}}
	}
	archived := in(300, "acme/team")
	archived.Archived = true
	tests := []struct {
		name    string
		project gitlab.Project
		d       desired.Discovery
		reason  string
	}{
		{"a project of the group", in(100, "acme/team"), desired.Discovery{}, ""},
		{"a project of a subgroup", in(101, "acme/team/sub"), desired.Discovery{}, ""},
		{"a group whose path starts alike is another group", in(102, "acme/team-b"),
			desired.Discovery{}, "shared into the group from elsewhere"},
		{"shared in", in(103, "partners"), desired.Discovery{},
			"shared into the group from elsewhere"},
		{"shared in, and shared ones wanted", in(103, "partners"),
			desired.Discovery{IncludeShared: true}, ""},
		{"archived", archived, desired.Discovery{}, "archived"},
		{"archived, and archived ones wanted", archived,
			desired.Discovery{IncludeArchived: true}, ""},
		{"excluded by a glob", in(104, "acme/team"),
			desired.Discovery{Exclude: []string{"acme/other", "acme/team/p1*"}},
			`excluded by "acme/team/p1*"`},
		{"a glob's star stops at a slash", in(105, "acme/team/sub"),
			desired.Discovery{Exclude: []string{"acme/team/*"}}, ""},
		{"named by another egg", in(500, "acme/team"), desired.Discovery{},
			"covered by egg api"},
		{"covered before archived", func() gitlab.Project {
			p := in(500, "acme/team")
			p.Archived = true
			return p
		}(), desired.Discovery{}, "covered by egg api"},
		{"named by another egg on another server", in(600, "acme/team"),
			desired.Discovery{}, ""},
		{"named by this unit itself", in(700, "acme/team"), desired.Discovery{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := skipReason(s, u, group, tt.d, tt.project); got != tt.reason {
				t.Errorf("skipReason = %q, want %q", got, tt.reason)
			}
		})
	}
}

func TestDedupe(t *testing.T) {
	failed := bucketUnit("broken", 100)
	failed.Error = "no api-token"
	other := bucketUnit("zeta", 100, 200)
	other.Server = "gitlab.company.com"
	tests := []struct {
		name    string
		units   []*Unit
		targets [][]int64
		skipped [][]string
	}{
		{
			name:    "disjoint units keep their targets",
			units:   []*Unit{bucketUnit("a", 100, 200), bucketUnit("b", 300)},
			targets: [][]int64{{100, 200}, {300}},
			skipped: [][]string{nil, nil},
		},
		{
			name:    "the first unit keeps a project both discovered",
			units:   []*Unit{bucketUnit("a", 100, 200), bucketUnit("b", 300, 200, 100)},
			targets: [][]int64{{100, 200}, {300}},
			skipped: [][]string{nil, {"100 covered by egg a", "200 covered by egg a"}},
		},
		{
			name:    "a unit that failed keeps nothing from the others",
			units:   []*Unit{failed, bucketUnit("b", 100)},
			targets: [][]int64{{100}, {100}},
			skipped: [][]string{nil, nil},
		},
		{
			name:    "the same id on another server is another project",
			units:   []*Unit{bucketUnit("a", 100), other},
			targets: [][]int64{{100}, {100, 200}},
			skipped: [][]string{nil, nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dedupe(tt.units)
			for i, u := range tt.units {
				var ids []int64
				for _, tg := range u.Targets {
					ids = append(ids, tg.ID)
				}
				var skipped []string
				for _, s := range u.Skipped {
					skipped = append(skipped, fmt.Sprintf("%d %s", s.ID, s.Reason))
				}
				if !slices.Equal(ids, tt.targets[i]) || !slices.Equal(skipped, tt.skipped[i]) {
					t.Errorf("unit %s: targets %v skipped %q, want %v and %q",
						u.Egg, ids, skipped, tt.targets[i], tt.skipped[i])
				}
			}
		})
	}
}
