package plan

import (
	"slices"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
)

// enablement is an enable or disable action, reduced to what a test checks.
type enablement struct {
	Op      Op
	Runner  int64
	Project int64
}

func enablements(as []*Action) []enablement {
	var out []enablement
	for _, a := range as {
		if a.Op == OpEnable || a.Op == OpDisable {
			out = append(out, enablement{a.Op, a.RunnerID, a.ProjectID})
		}
	}
	return out
}

func TestPlanEnablements(t *testing.T) {
	tests := []struct {
		name    string
		unit    *Unit
		enabled []int64 // nil: no runner yet
		want    []enablement
		warned  bool
	}{
		{
			name: "new project runner is created in its project",
			unit: projectUnit("app", 100),
		},
		{
			name: "new bucket runner is enabled on every other target",
			unit: bucketUnit("shop", 100, 300, 200),
			want: []enablement{{OpEnable, 0, 300}, {OpEnable, 0, 200}},
		},
		{
			name:    "bucket runner already everywhere",
			unit:    bucketUnit("shop", 100, 200),
			enabled: []int64{100, 200},
		},
		{
			name:    "bucket runner misses a target",
			unit:    bucketUnit("shop", 100, 200, 300),
			enabled: []int64{100, 300},
			want:    []enablement{{OpEnable, 7, 200}},
		},
		{
			name:    "bucket runner on projects that are no longer targets",
			unit:    bucketUnit("shop", 100),
			enabled: []int64{100, 400, 250},
			want:    []enablement{{OpDisable, 7, 250}, {OpDisable, 7, 400}},
		},
		{
			// The runner stays registered to its first project: GitLab
			// neither moves it nor disables it there.
			name:    "bucket whose first project changed",
			unit:    bucketUnit("shop", 300, 200),
			enabled: []int64{100, 200},
			want:    []enablement{{OpEnable, 7, 300}},
			warned:  true,
		},
		{
			name:    "group runner reaches its projects through the group",
			unit:    groupUnit("team", 10, 100, 200),
			enabled: []int64{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.unit
			var r *gitlab.Runner
			if tt.enabled != nil {
				have := haveRunner()
				have.Projects = tt.enabled
				r = &have
				u.RunnerID = have.ID
			}
			u.planEnablements(r)
			if got := enablements(u.Actions); !slices.Equal(got, tt.want) {
				t.Errorf("enablements = %v, want %v", got, tt.want)
			}
			if warned := len(u.Warnings) > 0; warned != tt.warned {
				t.Errorf("warnings = %q, want some: %v", u.Warnings, tt.warned)
			}
		})
	}
}

// groupUnit is an observed group egg whose group discovered the projects
// ids.
func groupUnit(egg string, group int64, ids ...int64) *Unit {
	u := bucketUnit(egg, ids...)
	u.Kind, u.unit.Kind = desired.GroupEgg, desired.GroupEgg
	u.unit.Projects = nil
	u.unit.Groups = []desired.GroupRef{{ID: group}}
	u.owner = gitlab.GroupOwner(group)
	return u
}
