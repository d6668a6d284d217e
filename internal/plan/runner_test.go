package plan

import (
	"fmt"
	"slices"
	"testing"

	"gitlab.com/hatchery/hatchery/internal/desired"
	"gitlab.com/hatchery/hatchery/internal/gitlab"
)

// wantRunner is a project egg's runner as desired.Compile decides it.
func wantRunner() desired.Runner {
	return desired.Runner{
		Description:     "app [hatchery:app]",
		Tags:            []string{"docker", "linux"},
		Locked:          true,
		AccessLevel:     "not_protected",
		MaintenanceNote: "note (hatchery:app)",
	}
}

// haveRunner is the runner GitLab has when it matches wantRunner.
func haveRunner() gitlab.Runner {
	return gitlab.Runner{
		ID: 7, Type: "project_type", Description: "app [hatchery:app]",
		Tags: []string{"docker", "linux"}, Locked: true, AccessLevel: "not_protected",
		MaintenanceNote: "note (hatchery:app)", Projects: []int64{100},
	}
}

func TestRunnerFields(t *testing.T) {
	tests := []struct {
		name string
		have func(*gitlab.Runner)
		want func(*desired.Runner)
		out  []Change
	}{
		{name: "equal", out: nil},
		{
			name: "tags in another order are the same tags",
			have: func(r *gitlab.Runner) { r.Tags = []string{"linux", "docker"} },
		},
		{
			name: "a tag more",
			want: func(r *desired.Runner) { r.Tags = []string{"docker", "gpu", "linux"} },
			out:  []Change{{"tags", "[docker, linux]", "[docker, gpu, linux]"}},
		},
		{
			name: "no tags at all",
			have: func(r *gitlab.Runner) { r.Tags = nil },
			out:  []Change{{"tags", "[]", "[docker, linux]"}},
		},
		{
			name: "description",
			have: func(r *gitlab.Runner) { r.Description = "edited by hand [hatchery:app]" },
			out: []Change{{"description", "edited by hand [hatchery:app]",
				"app [hatchery:app]"}},
		},
		{
			name: "run_untagged",
			want: func(r *desired.Runner) { r.RunUntagged = true },
			out:  []Change{{"run_untagged", "false", "true"}},
		},
		{
			name: "locked",
			have: func(r *gitlab.Runner) { r.Locked = false },
			out:  []Change{{"locked", "false", "true"}},
		},
		{
			name: "paused",
			have: func(r *gitlab.Runner) { r.Paused = true },
			out:  []Change{{"paused", "true", "false"}},
		},
		{
			name: "access_level",
			want: func(r *desired.Runner) { r.AccessLevel = "ref_protected" },
			out:  []Change{{"access_level", "not_protected", "ref_protected"}},
		},
		{
			name: "maximum_timeout left alone when the egg sets none",
			have: func(r *gitlab.Runner) { r.MaximumTimeout = 5400 },
		},
		{
			name: "maximum_timeout set from unset",
			want: func(r *desired.Runner) { r.MaximumTimeout = 7200 },
			out:  []Change{{"maximum_timeout", "unset", "2h"}},
		},
		{
			name: "maximum_timeout in minutes and seconds",
			have: func(r *gitlab.Runner) { r.MaximumTimeout = 5400 },
			want: func(r *desired.Runner) { r.MaximumTimeout = 3601 },
			out:  []Change{{"maximum_timeout", "90m", "3601s"}},
		},
		{
			name: "maximum_timeout equal",
			have: func(r *gitlab.Runner) { r.MaximumTimeout = 3600 },
			want: func(r *desired.Runner) { r.MaximumTimeout = 3600 },
		},
		{
			name: "maintenance_note",
			have: func(r *gitlab.Runner) { r.MaintenanceNote = "" },
			out:  []Change{{"maintenance_note", "", "note (hatchery:app)"}},
		},
		{
			name: "several fields, in a fixed order",
			have: func(r *gitlab.Runner) { r.Paused, r.Tags = true, []string{"docker"} },
			want: func(r *desired.Runner) { r.AccessLevel = "ref_protected" },
			out: []Change{
				{"tags", "[docker]", "[docker, linux]"},
				{"paused", "true", "false"},
				{"access_level", "not_protected", "ref_protected"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			have, want := haveRunner(), wantRunner()
			if tt.have != nil {
				tt.have(&have)
			}
			if tt.want != nil {
				tt.want(&want)
			}
			if got := runnerFields(&have, want); !slices.Equal(got, tt.out) {
				t.Errorf("runnerFields =\n%v\nwant\n%v", got, tt.out)
			}
		})
	}
}

func TestCreateRunnerListsEveryField(t *testing.T) {
	want := wantRunner()
	a := createRunner(want)
	out := []Change{
		{"description", "", "app [hatchery:app]"},
		{"tags", "", "[docker, linux]"},
		{"run_untagged", "", "false"},
		{"locked", "", "true"},
		{"paused", "", "false"},
		{"access_level", "", "not_protected"},
		{"maintenance_note", "", "note (hatchery:app)"},
	}
	if a.Op != OpCreate || a.Object != ObjRunner || a.RunnerID != 0 {
		t.Errorf("action = %+v", a)
	}
	if !slices.Equal(a.Changes, out) {
		t.Errorf("changes =\n%v\nwant\n%v", a.Changes, out)
	}

	want.MaximumTimeout = 600
	a = createRunner(want)
	if !slices.Contains(a.Changes, Change{"maximum_timeout", "", "10m"}) {
		t.Errorf("changes with a timeout = %v", a.Changes)
	}
}

func TestPlanRunnerTokenReset(t *testing.T) {
	tests := []struct {
		name     string
		recordID int64
		token    string
		reason   string // "" when no reset is planned
	}{
		{"known runner with its token", 7, "glrt-stored-token", ""},
		{"known runner without its token", 7, "",
			"the runner-token is missing from the secret store"},
		{"runner found by its marker", 0, "",
			"adopt: the secret store does not know this runner's token"},
		{"record names another runner", 3, "glrt-stored-token",
			"adopt: the secret store does not know this runner's token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := projectUnit("app", 100)
			u.record.RunnerID = tt.recordID
			if tt.token != "" {
				u.record.Values["runner-token"] = tt.token
			}
			r := haveRunner()
			u.planRunner(&r)
			var resets []*Action
			for _, a := range u.Actions {
				if a.Op == OpReset {
					resets = append(resets, a)
				}
			}
			if tt.reason == "" {
				if len(u.Actions) != 0 {
					t.Errorf("actions = %s, want none", titles(u.Actions))
				}
				return
			}
			if len(resets) != 1 || resets[0].RunnerID != 7 || resets[0].Reason != tt.reason {
				t.Errorf("actions = %s, want one reset of runner 7 for %q",
					titles(u.Actions), tt.reason)
			}
		})
	}
}

func titles(as []*Action) string {
	s := "["
	for i, a := range as {
		if i > 0 {
			s += "; "
		}
		s += a.Title()
		if a.Reason != "" {
			s += fmt.Sprintf(" (%s)", a.Reason)
		}
	}
	return s + "]"
}
